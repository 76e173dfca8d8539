import type { AccountIdentifier, AuthAccount } from "../core/accounts.js";
import type { TwoFactorMechanism } from "../core/activity-actions.js";
import type { TokenCallback } from "../core/input.js";
import type { AuthTableStats } from "../core/maintenance.js";
import type { RoleSet } from "../primitives/roles.js";
import type { SessionInfo } from "../core/session-records.js";
import type { AuthStatus } from "../primitives/status.js";
import type { LinkedProvider } from "../oauth/identities.js";
import type { TwoFactorMethodInfo } from "./account-details.js";
import type { AccountList, AdminAccount, ListAccountsOptions } from "./account-list.js";
import type { ActivityRecord, ActivityStats } from "./activity-report.js";
import type { AdminActor } from "./actor.js";

/** Options of `createAuthContext`. */
export interface AdminContextOptions {
  /** Recorded as the actor (`actor_account_id`, IP, user agent) of every audit row the context writes. */
  actor?: AdminActor | null;
}

/**
 * The requestless admin surface (@prsm/auth's `createAuthContext`): the control actions of the standalone
 * API without the `config` argument, and read-only views for admin tools. Nothing it returns contains a
 * password hash, token, TOTP secret or backup code. Every mutation writes an audit row.
 */
export interface AdminContext {
  /** The actor given at creation, or null. */
  readonly actor: Readonly<AdminActor> | null;

  /** Creates an account from `{ email, password }`; with a callback it starts unverified. Writes `register`. */
  createUser(
    credentials: { email: string; password: string },
    userId?: string | number,
    callback?: TokenCallback,
  ): Promise<AuthAccount>;
  /** Registers an account; with a callback it starts unverified. Writes `register`. */
  register(email: string, password: string, userId?: string | number, callback?: TokenCallback): Promise<AuthAccount>;
  /** Deletes an account (sessions, tokens and 2FA go with it; audit history stays). Writes `account_deleted`. */
  deleteUserBy(identifier: AccountIdentifier): Promise<void>;
  /** Adds role bits. Writes `role_changed`. */
  addRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<void>;
  /** Removes role bits. Writes `role_changed`. */
  removeRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<void>;
  /** True when the account holds every bit of `role`. */
  hasRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<boolean>;
  /** Sets a password (policy checked; every session and remember-me token ends). Writes `password_changed`. */
  changePasswordForUserBy(identifier: AccountIdentifier, password: string): Promise<void>;
  /** Sets the status; anything but Normal ends every session. Writes `status_changed`. */
  setStatusForUserBy(identifier: AccountIdentifier, status: number): Promise<void>;
  /** Issues a reset token for the account; the callback receives it. Writes `password_reset_requested`. */
  initiatePasswordResetForUserBy(
    identifier: AccountIdentifier,
    expiresAfter?: string | number | null,
    callback?: TokenCallback,
  ): Promise<void>;
  /** Issues a reset token by email; the callback receives it. Writes `password_reset_requested`. */
  resetPassword(
    email: string,
    expiresAfter?: string | number | null,
    maxOpenRequests?: number | null,
    callback?: TokenCallback,
  ): Promise<void>;
  /** Sets a new password with a reset token; every session ends. Writes `password_reset_completed`. */
  confirmResetPassword(token: string, password: string): Promise<{ accountId: number; email: string }>;
  /** True when an account uses this email (canonical comparison). */
  userExistsByEmail(email: string): Promise<boolean>;
  /** Ends every session and remember-me token of the account. Writes `force_logout`. */
  forceLogoutForUserBy(identifier: AccountIdentifier): Promise<{ accountId: number }>;

  /** Removes one two-factor method (by its id from `getTwoFactorMethods`). Writes `two_factor_disabled`. */
  removeTwoFactorMethod(identifier: AccountIdentifier, methodId: number): Promise<void>;
  /** One page of accounts (newest first) and the total matching the filter. */
  listAccounts(options?: ListAccountsOptions): Promise<AccountList>;
  /** One account (no password hash, `hasPassword` instead). */
  getAccount(identifier: AccountIdentifier): Promise<AdminAccount>;
  /** The OAuth identities of an account, newest first; no provider tokens. */
  getProvidersForAccount(accountId: number): Promise<LinkedProvider[]>;
  /** The two-factor methods of an account; no secrets, contacts masked. */
  getTwoFactorMethods(accountId: number): Promise<TwoFactorMethodInfo[]>;
  /** The configured role set (the same object as `config.roles`, or `AuthRole`). */
  getRoles(): RoleSet;
  /** `AuthStatus` (the same object). */
  getStatuses(): typeof AuthStatus;
  /** `TwoFactorMechanism` (the same object). */
  getMechanisms(): typeof TwoFactorMechanism;
  /** Row counts of the auth tables (`getAuthTableStats`). */
  getStats(): Promise<AuthTableStats>;
  /** The newest audit rows (at most 1000), optionally of one account, with the account's email. */
  getRecentActivity(limit?: number, accountId?: number | null): Promise<ActivityRecord[]>;
  /** Audit log counts: total, distinct accounts, logins and failures in the last 24 hours. */
  getActivityStats(): Promise<ActivityStats>;
  /** The live sessions of an account (opaque handles, no cookie values). */
  listSessions(identifier: AccountIdentifier): Promise<SessionInfo[]>;
  /** Ends one session by its handle. Writes `session_revoked`. False when no such signed-in session. */
  revokeSession(id: string): Promise<boolean>;
}
