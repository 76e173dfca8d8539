import type { AccountIdentifier, AuthAccount } from "../core/accounts.js";
import { maskHasRole, roleNames } from "../primitives/roles.js";
import type { SessionInfo } from "../core/session-records.js";
import { statusName } from "../primitives/status.js";
import { InvalidInputError, UserNotLoggedInError } from "../errors.js";
import { type LinkedProvider, listIdentities } from "../oauth/identities.js";
import { unlinkProvider } from "../oauth/unlink.js";
import * as account from "./account-flows.js";
import { resyncSession } from "./resync.js";
import * as sessions from "./session-flows.js";
import { loginWithPassword, logout, signInWith } from "./sign-in.js";
import { TwoFactorManager } from "./two-factor-manager.js";
import { completeTwoFactorLogin } from "./two-factor-login.js";
import { ProviderHandle } from "./provider-handle.js";
import { impersonationOf } from "../sessions/state.js";
import { AdminMethods } from "./auth-manager-admin.js";
import {
  type ImpersonationInfo,
  impersonationInfo,
  startImpersonation,
  stopImpersonation,
} from "./impersonation.js";

/**
 * `req.auth`: the @prsm/auth surface for one request. Names, argument order and results follow
 * @prsm/auth; every method runs the same services as the standalone functions.
 */
export class AuthManager extends AdminMethods {
  private twoFactorManager: TwoFactorManager | undefined;
  private providerHandles: Readonly<Record<string, ProviderHandle>> | undefined;

  /** Two-factor enrolment, the login step and management. */
  get twoFactor(): TwoFactorManager {
    this.twoFactorManager ??= new TwoFactorManager(this.scope);
    return this.twoFactorManager;
  }

  /**
   * The configured OAuth providers by name (`github`, `google`, `azure`, `oidc`, custom OIDC names);
   * a provider that is not configured is `undefined`, as in @prsm/auth.
   */
  get providers(): Readonly<Record<string, ProviderHandle>> {
    if (!this.providerHandles) {
      const handles: Record<string, ProviderHandle> = Object.create(null);
      for (const [name, entry] of this.scope.ctx.config.providers.entries)
        handles[name] = new ProviderHandle(this.scope, name, entry);
      this.providerHandles = Object.freeze(handles);
    }
    return this.providerHandles;
  }

  /** The OAuth identities linked to the signed-in account (no tokens: none are stored). */
  async listProviders(): Promise<LinkedProvider[]> {
    const id = this.getId();
    if (id === null) throw new UserNotLoggedInError();
    return listIdentities(this.scope.ctx, id);
  }

  /**
   * Disconnects a provider from the signed-in account (also one no longer configured).
   * @throws {ProviderNotLinkedError} | {LastSignInMethodError} | {UserNotLoggedInError}
   */
  async unlinkProvider(provider: string): Promise<void> {
    this.assertNotImpersonating();
    const id = this.getId();
    if (id === null) throw new UserNotLoggedInError();
    if (typeof provider !== "string" || provider.length === 0 || provider.length > 50)
      throw new InvalidInputError("provider", "provider must be a provider name");
    await unlinkProvider(this.scope.ctx, id, provider, this.actor);
  }

  // ── impersonation ─────────────────────────────────────────────────

  /**
   * Acts as another account, audited, for at most `impersonation.maxTtl`. See docs/impersonation.md.
   * @throws {ImpersonationDisabledError} | {ImpersonationNotAllowedError} | {AlreadyImpersonatingError} |
   * {UserNotLoggedInError} | {UserInactiveError} | {UserNotFoundError} (an unknown target, after the actor's checks)
   */
  startImpersonation(
    identifier: AccountIdentifier,
    options?: { reason?: string; ttl?: string | number },
  ): Promise<void> {
    return startImpersonation(this.scope, identifier, options);
  }
  /** Returns to the actor's own session. @throws {NotImpersonatingError} */
  stopImpersonation(): Promise<void> {
    return stopImpersonation(this.scope, "manual");
  }
  /** True while this session impersonates another account. */
  isImpersonating(): boolean {
    return impersonationOf(this.session) !== undefined;
  }
  /** The impersonating actor's account id, or null. */
  getActorId(): number | null {
    return impersonationOf(this.session)?.accountId ?? null;
  }
  /** The impersonating actor's email, or null. */
  getActorEmail(): string | null {
    return impersonationOf(this.session)?.email ?? null;
  }
  /** Actor, target, reason, start and expiry of the current impersonation (for a banner), or null. */
  getImpersonationInfo(): ImpersonationInfo | null {
    return impersonationInfo(this.session);
  }

  /** Finishes a login after `twoFactor.verify.*` succeeded in this pending session. */
  completeTwoFactorLogin(): Promise<void> {
    return completeTwoFactorLogin(this.scope);
  }

  // ── state ─────────────────────────────────────────────────────────

  /** True when the session is fully signed in. */
  isLoggedIn(): boolean {
    return this.session?.loggedIn ?? false;
  }
  /** The account's (canonical) email, or null. */
  getEmail(): string | null {
    return this.session?.loggedIn ? this.session.email : null;
  }
  /** The account status, or null. */
  getStatus(): number | null {
    return this.session?.loggedIn ? this.session.status : null;
  }
  /** The status name (`"Normal"`, `"Banned"`, …), or null. */
  getStatusName(): string | null {
    return statusName(this.getStatus());
  }
  /** Whether the email is confirmed, or null when not signed in. */
  getVerified(): boolean | null {
    return this.session?.loggedIn ? this.session.verified : null;
  }
  /** Whether the account has a password (false for OAuth-only accounts), or null. */
  hasPassword(): boolean | null {
    return this.session?.loggedIn ? this.session.hasPassword : null;
  }
  /** Names of the roles in `rolemask`, or in the session's mask. */
  getRoleNames(rolemask?: number): string[] {
    // A mask of another type (a deeply nested array, say) is never coerced: it names no roles.
    const given = rolemask === undefined ? undefined : Number.isSafeInteger(rolemask) ? rolemask : 0;
    const mask = given ?? (this.session?.loggedIn ? this.session.rolemask : 0);
    return roleNames(this.scope.ctx.config.roles, mask);
  }
  /** True when this session was restored from a remember-me cookie. */
  isRemembered(): boolean {
    return this.session?.loggedIn ? this.session.remembered : false;
  }
  /** True when the session's role mask holds every bit of `role` (0 is never held). */
  async hasRole(role: number): Promise<boolean> {
    return this.session?.loggedIn ? maskHasRole(this.session.rolemask, role) : false;
  }
  /** True when the session holds the admin role of the configured role set. */
  async isAdmin(): Promise<boolean> {
    return this.hasRole(this.scope.ctx.config.adminRole);
  }
  /** Re-reads the account now (or when the interval passed); ends the session if the account lost access. */
  resyncSession(force = false): Promise<void> {
    return resyncSession(this.scope, force);
  }

  // ── sign-in ───────────────────────────────────────────────────────

  /** Registers an account; with a callback it starts unverified and the callback gets the confirmation token. */
  register(
    email: string,
    password: string,
    userId?: string | number,
    callback?: (token: string) => unknown,
  ): Promise<AuthAccount> {
    return account.register(this.scope, email, password, userId, callback);
  }
  /** Signs in. Unknown email and wrong password throw the same {@link InvalidPasswordError}. */
  login(email: string, password: string, remember = false): Promise<void> {
    return loginWithPassword(this.scope, email, password, remember);
  }
  /**
   * Signs in with a registered method that takes input from a request (`"password"` with
   * `{ email, password }`; later methods register in `src/sign-in/methods.ts`). The same checks,
   * second factor and session handling apply as for {@link login}.
   * @throws the method's refusal (INVALID_INPUT for an unknown method) | {SecondFactorRequiredError}
   */
  signIn(method: string, input: unknown, options: { remember?: boolean } = {}): Promise<{ isNewUser: boolean }> {
    const remember = typeof options === "object" && options !== null && options.remember === true;
    return signInWith(this.scope, method, input, { remember });
  }
  /**
   * Signs out: this device's remember-me token is deleted and the session's server state destroyed.
   * While impersonating it ends the impersonation instead (back to the actor; no remember-me token touched).
   */
  logout(): Promise<void> {
    return logout(this.scope);
  }
  /** Confirms an email address with its token; returns the confirmed address. */
  confirmEmail(token: string): Promise<string> {
    return account.confirmEmail(this.scope, token);
  }
  /** Confirms an email address and signs in. */
  confirmEmailAndLogin(token: string, remember = false): Promise<void> {
    return account.confirmEmailAndLogin(this.scope, token, remember);
  }
  /** Starts an email change: the callback gets a token for the new address; the change happens on confirmation. */
  changeEmail(newEmail: string, callback: (token: string) => unknown): Promise<void> {
    this.assertNotImpersonating();
    return account.changeEmail(this.scope, newEmail, callback);
  }
  /** Issues a new confirmation token for an unverified address (silent otherwise). */
  resendConfirmation(email: string, callback: (token: string) => unknown): Promise<void> {
    return account.resendConfirmation(this.scope, email, callback);
  }
  /** Issues a password reset token for a verified account. */
  resetPassword(
    email: string,
    expiresAfter: string | number | null = null,
    maxOpenRequests: number | null = null,
    callback?: (token: string) => unknown,
  ): Promise<void> {
    return account.resetPassword(this.scope, email, expiresAfter, maxOpenRequests, callback);
  }
  /** Sets a new password with a reset token; by default every session of the account ends. */
  confirmResetPassword(token: string, password: string, logout = true): Promise<{ accountId: number; email: string }> {
    return account.confirmReset(this.scope, token, password, logout);
  }
  /** True when `password` is the signed-in account's password. */
  verifyPassword(password: string): Promise<boolean> {
    this.assertNotImpersonating();
    return sessions.verifyPassword(this.scope, password);
  }
  /** Changes the password (the current one is required); other sessions and remember-me tokens end. */
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    this.assertNotImpersonating();
    return sessions.changePassword(this.scope, currentPassword, newPassword);
  }
  /** Ends every other session and every remember-me token of the account. */
  logoutEverywhereElse(): Promise<void> {
    this.assertNotImpersonating();
    return sessions.logoutEverywhereElse(this.scope);
  }
  /** Ends every session of the account, this one included. */
  logoutEverywhere(): Promise<void> {
    this.assertNotImpersonating();
    return sessions.logoutEverywhere(this.scope);
  }
  /** The live sessions of the signed-in account. */
  listSessions(): Promise<SessionInfo[]> {
    return sessions.listSessions(this.scope);
  }
  /** Ends one session of the signed-in account by its listed id. */
  revokeSession(id: string): Promise<boolean> {
    this.assertNotImpersonating();
    return sessions.revokeSession(this.scope, id);
  }
}
