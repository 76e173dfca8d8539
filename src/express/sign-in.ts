import type { AuthAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { type ActivityEntry, logActivity } from "../core/activity.js";
import { type AccountProfile, recordLogin, verifyLogin } from "../core/login.js";
import { createRememberToken } from "../core/remember-tokens.js";
import { loggedInSession } from "../sessions/state.js";
import { forgetThisDevice, setRememberCookie } from "./remember-cookie.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { regenerateSession } from "./session-promises.js";
import { withSpan } from "../tracing/tracer.js";
import { auditImpersonationEnd, stopImpersonation } from "./impersonation.js";
import { signInOrChallenge } from "./two-factor-login.js";

/**
 * Replaces the session with a signed-in one for `account`: a new session id (fixation defence), the
 * account state and its profile (name, avatar; null until the next resync when not given);
 * express-session stores it before the response goes out.
 */
export async function establishSession(
  scope: AuthScope,
  account: AuthAccount,
  options: { remembered: boolean; profile?: AccountProfile | Promise<AccountProfile> },
): Promise<void> {
  const { req, ctx } = scope;
  const info = requestInfo(req);
  const [profile] = await Promise.all([
    options.profile,
    auditImpersonationEnd(scope, "signin").then(() => regenerateSession(req)),
  ]);
  req.session.auth = loggedInSession(account, ctx.now().getTime(), {
    remembered: options.remembered,
    ipAddress: info.ip ?? null,
    userAgent: info.userAgent ?? null,
    profile,
  });
}

/** Ends the session's server state: a new, empty session replaces it (the old row is deleted). */
export async function endSession(scope: AuthScope): Promise<void> {
  if (!scope.req.session?.auth) return;
  await regenerateSession(scope.req);
}

/**
 * Completes a sign-in after every check passed: records it, writes the audit rows, optionally issues a
 * remember-me token for this device, and regenerates the session.
 */
export async function completeSignIn(
  scope: AuthScope,
  account: AuthAccount,
  options: { remember: boolean; rehash?: string | null; metadata?: Record<string, unknown> },
): Promise<void> {
  const { ctx } = scope;
  const request = requestInfo(scope.req);
  const remember = options.remember ? await createRememberToken(ctx, account.id) : null;
  const entries: ActivityEntry[] = [
    {
      accountId: account.id,
      action: AuthActivityAction.Login,
      metadata: { email: account.email, remember: options.remember, ...options.metadata },
      request,
    },
  ];
  if (remember)
    entries.push({
      accountId: account.id,
      action: AuthActivityAction.RememberTokenCreated,
      metadata: { email: account.email },
      request,
    });
  await Promise.all([
    logActivity(ctx, ...entries),
    establishSession(scope, account, { remembered: false, profile: recordLogin(ctx, account.id, options.rehash ?? null) }),
  ]);
  if (remember) setRememberCookie(scope, remember);
}

/** A remember-me flag from JSON or a form: `true`, `"true"`, `"on"` or `"1"`. */
export function isRememberFlag(value: unknown): boolean {
  return value === true || value === "true" || value === "on" || value === "1";
}

/** `req.auth.login`: checks the credentials, then signs in. */
export async function loginWithPassword(
  scope: AuthScope,
  email: unknown,
  password: unknown,
  remember: unknown,
): Promise<void> {
  const wanted = isRememberFlag(remember);
  await withSpan(scope.ctx, "auth.login", { "auth.remember": wanted }, async () => {
    const { account, rehash, hasTwoFactor } = await verifyLogin(scope.ctx, email, password, requestInfo(scope.req));
    await signInOrChallenge(scope, account, { remember: wanted, rehash, hasTwoFactor });
  });
}

/** `req.auth.logout`: forgets this device's remember-me token, audits, and ends the session. */
export async function logout(scope: AuthScope): Promise<void> {
  const auth = scope.req.session?.auth;
  if (auth?.loggedIn && auth.actor) return stopImpersonation(scope, "logout");
  await forgetThisDevice(scope);
  if (auth?.loggedIn) {
    await logActivity(scope.ctx, {
      accountId: auth.accountId,
      action: AuthActivityAction.Logout,
      metadata: { email: auth.email },
      request: requestInfo(scope.req),
    });
  }
  await endSession(scope);
}
