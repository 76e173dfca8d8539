import type { Request, Response } from "express";
import type { AccountIdentifier, AuthAccount } from "../core/accounts.js";
import {
  accountExistsByEmail,
  accountHasRole,
  changeRoles,
  deleteAccount,
  forceLogout,
  issueResetBy,
  setPasswordBy,
  setStatus,
} from "../core/admin.js";
import type { AuthContext } from "../core/context.js";
import { callbackArg } from "../core/input.js";
import { InvalidInputError } from "../errors.js";
import * as account from "./account-flows.js";
import { assertNotImpersonating } from "./impersonation.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import * as sessions from "./session-flows.js";
import { endSession } from "./session-writer.js";

/**
 * The part of `req.auth` that acts on other accounts: @prsm/auth's admin helpers, with the request's
 * scope and state they share with {@link AuthManager}. They have no authorization of their own (gate
 * them in the app), and are refused while impersonating.
 */
export abstract class AdminMethods {
  /** @internal */
  readonly scope: AuthScope;

  constructor(req: Request, res: Response, ctx: AuthContext) {
    this.scope = { req, res, ctx };
  }

  protected get session() {
    return this.scope.req.session?.auth;
  }

  /** Who acts, for the audit rows of admin actions. */
  protected get actor() {
    return requestInfo(this.scope.req, this.getId());
  }

  protected assertNotImpersonating(): void {
    assertNotImpersonating(this.scope);
  }

  /** The account id, or null. */
  getId(): number | null {
    return this.session?.loggedIn ? this.session.accountId : null;
  }

  /** Creates an account from `{ email, password }`. */
  async createUser(
    credentials: { email: string; password: string },
    userId?: string | number,
    callback?: (token: string) => unknown,
  ): Promise<AuthAccount> {
    this.assertNotImpersonating();
    if (typeof credentials !== "object" || credentials === null) throw new InvalidInputError("credentials");
    return account.register(this.scope, credentials.email, credentials.password, userId, callback, this.actor);
  }
  /** Deletes an account (sessions and tokens with it; audit history kept). */
  async deleteUserBy(identifier: AccountIdentifier): Promise<void> {
    this.assertNotImpersonating();
    const deleted = await deleteAccount(this.scope.ctx, identifier, this.actor);
    if (deleted.id === this.getId()) await endSession(this.scope);
  }
  /** Adds role bits. */
  async addRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<void> {
    this.assertNotImpersonating();
    await changeRoles(this.scope.ctx, identifier, role, true, this.actor);
  }
  /** Removes role bits. */
  async removeRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<void> {
    this.assertNotImpersonating();
    await changeRoles(this.scope.ctx, identifier, role, false, this.actor);
  }
  /** True when the account holds every bit of `role`. */
  hasRoleForUserBy(identifier: AccountIdentifier, role: number): Promise<boolean> {
    return accountHasRole(this.scope.ctx, identifier, role);
  }
  /** Sets an account's password; its sessions and remember-me tokens end. */
  async changePasswordForUserBy(identifier: AccountIdentifier, password: string): Promise<void> {
    this.assertNotImpersonating();
    await setPasswordBy(this.scope.ctx, identifier, password, this.actor);
  }
  /** Sets an account's status; any status but Normal ends its sessions at once. */
  async setStatusForUserBy(identifier: AccountIdentifier, status: number): Promise<void> {
    this.assertNotImpersonating();
    await setStatus(this.scope.ctx, identifier, status, this.actor);
  }
  /** Issues a reset token for an account. */
  async initiatePasswordResetForUserBy(
    identifier: AccountIdentifier,
    expiresAfter: string | number | null = null,
    callback?: (token: string) => unknown,
  ): Promise<void> {
    this.assertNotImpersonating();
    const cb = callbackArg(callback);
    const token = await issueResetBy(this.scope.ctx, identifier, expiresAfter, this.actor);
    if (cb) await cb(token);
  }
  /** True when an account uses this email. */
  async userExistsByEmail(email: string): Promise<boolean> {
    return accountExistsByEmail(this.scope.ctx, email);
  }
  /** Ends every session and remember-me token of an account; the current session too when it is that account's. */
  async forceLogoutForUserBy(identifier: AccountIdentifier): Promise<{ accountId: number }> {
    this.assertNotImpersonating();
    const result = await forceLogout(this.scope.ctx, identifier, this.actor);
    if (this.session?.loggedIn && this.session.accountId === result.accountId) this.session.shouldForceLogout = true;
    return result;
  }
  /** Replaces this session with one for another account (which must be Normal). */
  loginAsUserBy(identifier: AccountIdentifier): Promise<void> {
    this.assertNotImpersonating();
    return sessions.loginAsUserBy(this.scope, identifier);
  }
}
