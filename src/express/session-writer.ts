/**
 * The one writer of `req.session.auth` and of the auth cookies. Sign-in, the second step, remember-me,
 * impersonation, resync and account changes all change the session through these functions: every
 * privilege change moves the session to a new id here (fixation defence), and replacing an
 * impersonating session writes its end row here, so no path can forget either.
 */
import type { CookieOptions } from "express";
import type { AuthAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import type { RememberCookieValue } from "../core/remember-tokens.js";
import { readCookies } from "../sessions/cookies.js";
import { type AuthSession, impersonationOf, loggedInSession, pendingSession } from "../sessions/state.js";
import type { PendingTwoFactor } from "../two-factor/challenge.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { regenerateSession } from "./session-promises.js";

/** How a signed-in session starts. */
export interface SignedInSession {
  /** Restored from a remember-me cookie rather than typed in. */
  remembered: boolean;
  /** Name and avatar for the session (null until the next resync when not given). */
  profile?: { name: string | null; image: string | null };
  /** A remember-me token issued with this sign-in: its cookie is set. */
  rememberCookie?: RememberCookieValue | null;
}

/** Writes the end row of the session's impersonation, if it has one (the session is about to be replaced). */
export async function auditImpersonationEnd(scope: AuthScope, cause: string): Promise<void> {
  const auth = scope.req.session?.auth;
  const actor = impersonationOf(auth);
  if (!auth || !actor) return;
  await logActivity(scope.ctx, {
    accountId: auth.accountId,
    action: AuthActivityAction.ImpersonationStopped,
    metadata: { targetAccountId: auth.accountId, cause, startedAt: new Date(actor.startedAt).toISOString() },
    request: requestInfo(scope.req, actor.accountId),
  });
}

/** Moves the request to a new session id holding `auth` (or no auth state at all). */
export async function replaceSession(scope: AuthScope, auth: AuthSession | undefined): Promise<void> {
  await regenerateSession(scope.req);
  scope.req.session.auth = auth;
}

/**
 * Replaces the session with a signed-in one for `account`, after writing the end row of an
 * impersonation it replaces; sets the remember-me cookie when a token came with the sign-in.
 */
export async function writeSignedInSession(
  scope: AuthScope,
  account: AuthAccount,
  options: SignedInSession,
): Promise<void> {
  const info = requestInfo(scope.req);
  await auditImpersonationEnd(scope, "signin");
  await replaceSession(
    scope,
    loggedInSession(account, scope.ctx.now().getTime(), {
      remembered: options.remembered,
      ipAddress: info.ip ?? null,
      userAgent: info.userAgent ?? null,
      profile: options.profile,
    }),
  );
  if (options.rememberCookie) setRememberCookie(scope, options.rememberCookie);
}

/** Replaces the session with the pending (not signed-in) state of a second step. */
export async function writePendingSession(scope: AuthScope, pending: PendingTwoFactor): Promise<void> {
  await auditImpersonationEnd(scope, "signin");
  await replaceSession(scope, pendingSession(pending, scope.ctx.now().getTime()));
}

/** Ends the session's server state: a new, empty session replaces it (the old row is deleted). */
export async function endSession(scope: AuthScope): Promise<void> {
  if (!scope.req.session?.auth) return;
  await regenerateSession(scope.req);
}

/** Drops the auth state in place (an abandoned second step); the session id stays. */
export function dropAuthState(scope: AuthScope): void {
  if (scope.req.session) scope.req.session.auth = undefined;
}

/** Updates fields of the session's auth state in place (resync, a confirmed email, a re-authentication). */
export function updateAuthState(auth: AuthSession, fields: Partial<AuthSession>): void {
  Object.assign(auth, fields);
}

/** Updates the pending second step in place (attempted, verified and wrong answers). */
export function updatePending(pending: PendingTwoFactor, fields: Partial<PendingTwoFactor>): void {
  Object.assign(pending, fields);
}

function cookieOptions(scope: AuthScope): CookieOptions {
  const { cookie } = scope.ctx.config;
  return {
    httpOnly: true,
    secure: cookie.secure ?? scope.req.secure,
    path: cookie.path ?? "/",
    ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}),
    ...(cookie.domain ? { domain: cookie.domain } : {}),
  };
}

/** Sets the remember-me cookie (HttpOnly, SameSite=Lax by default, expiring with the token). */
export function setRememberCookie(scope: AuthScope, value: RememberCookieValue): void {
  scope.res.cookie(scope.ctx.config.rememberCookieName, value.token, {
    ...cookieOptions(scope),
    expires: value.expires,
  });
}

/** Clears the remember-me cookie. */
export function clearRememberCookie(scope: AuthScope): void {
  scope.res.clearCookie(scope.ctx.config.rememberCookieName, cookieOptions(scope));
}

/** The remember-me cookie of the request, if any: from cookie-parser's `req.cookies`, else the header. */
export function rememberCookie(scope: AuthScope): string | undefined {
  const name = scope.ctx.config.rememberCookieName;
  const parsed = (scope.req as { cookies?: Record<string, unknown> }).cookies?.[name];
  if (typeof parsed === "string") return parsed;
  return readCookies(scope.req.headers.cookie, [name]).get(name);
}
