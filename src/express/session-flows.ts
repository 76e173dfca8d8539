import { type AccountIdentifier, requireAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { withTransaction } from "../core/context.js";
import { setAccountPassword } from "../core/password-change.js";
import { verifyOwnPassword } from "../core/own-password.js";
import { revokeAccountAccess } from "../core/revocation.js";
import { type SessionInfo, listAccountSessions, revokeAccountSession, sessionKey } from "../core/session-records.js";
import { InvalidPasswordError, UserNotLoggedInError } from "../errors.js";
import type { AuthSession } from "../sessions/state.js";

import { requestInfo } from "./request-info.js";
import { type AuthScope, signedIn } from "./scope.js";
import { clearRememberCookie, endSession, replaceSession } from "./session-writer.js";
import { applySignIn, logout } from "./sign-in.js";
import { signInAccount } from "../sign-in/sign-in.js";

function requireSignedIn(scope: AuthScope): AuthSession {
  const auth = signedIn(scope);
  if (!auth) throw new UserNotLoggedInError();
  return auth;
}

/** Moves the current auth state to a new session id (after a privilege or credential change). */
function rotateSession(scope: AuthScope, auth: AuthSession): Promise<void> {
  return replaceSession(scope, { ...auth });
}

/** `req.auth.verifyPassword`: true when the password is the current account's (false for OAuth-only accounts). */
export async function verifyPassword(scope: AuthScope, password: unknown): Promise<boolean> {
  const auth = requireSignedIn(scope);
  return verifyOwnPassword(scope.ctx, auth.accountId, password, requestInfo(scope.req));
}

/**
 * `req.auth.changePassword`: needs the current password; sets the new one, revokes every other session
 * and every remember-me token, and moves this session to a new id.
 */
export async function changePassword(scope: AuthScope, current: unknown, next: unknown): Promise<void> {
  const auth = requireSignedIn(scope);
  if (!(await verifyOwnPassword(scope.ctx, auth.accountId, current, requestInfo(scope.req))))
    throw new InvalidPasswordError();
  const account = await requireAccount(scope.ctx, { accountId: auth.accountId });
  const forceLogout = await setAccountPassword(scope.ctx, account, next, {
    keepSessionId: sessionKey(scope.req.sessionID),
    by: "self",
    request: requestInfo(scope.req),
  });
  clearRememberCookie(scope);
  await rotateSession(scope, {
    ...auth,
    forceLogout: forceLogout ?? auth.forceLogout,
    hasPassword: true,
    authenticatedAt: scope.ctx.now().getTime(),
  });
}

/** `req.auth.logoutEverywhereElse`: ends every other session and every remember-me token; this session gets a new id. */
export async function logoutEverywhereElse(scope: AuthScope): Promise<void> {
  const auth = signedIn(scope);
  if (!auth) return;
  const request = requestInfo(scope.req);
  const forceLogout = await scope.ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(scope.ctx, tx);
    const value = await revokeAccountAccess(txCtx, auth.accountId, { keepSessionId: sessionKey(scope.req.sessionID) });
    await logActivity(txCtx, {
      accountId: auth.accountId,
      action: AuthActivityAction.ForceLogout,
      metadata: { scope: "other_sessions" },
      request,
    });
    return value;
  });
  clearRememberCookie(scope);
  if (forceLogout === null) return endSession(scope);
  await rotateSession(scope, { ...auth, forceLogout });
}

/** `req.auth.logoutEverywhere`: ends every session of the account, this one included. */
export async function logoutEverywhere(scope: AuthScope): Promise<void> {
  if (!signedIn(scope)) return;
  await logoutEverywhereElse(scope);
  await logout(scope);
}

/** `req.auth.listSessions`: the live sessions of the current account (no cookie values). */
export async function listSessions(scope: AuthScope): Promise<SessionInfo[]> {
  const auth = requireSignedIn(scope);
  return listAccountSessions(scope.ctx, auth.accountId, sessionKey(scope.req.sessionID));
}

/** `req.auth.revokeSession`: ends one session of the current account; ending the current one signs out. */
export async function revokeSession(scope: AuthScope, id: unknown): Promise<boolean> {
  const auth = requireSignedIn(scope);
  const revoked = await revokeAccountSession(scope.ctx, auth.accountId, id, requestInfo(scope.req));
  if (revoked && id === sessionKey(scope.req.sessionID)) await endSession(scope);
  return revoked;
}

/** `req.auth.loginAsUserBy`: replaces the session with one for another account (must be Normal); audited with the actor. */
export async function loginAsUserBy(scope: AuthScope, identifier: AccountIdentifier): Promise<void> {
  const account = await requireAccount(scope.ctx, identifier);
  const actor = signedIn(scope)?.accountId ?? null;
  const result = await signInAccount(scope.ctx, account, {
    remember: false,
    metadata: { loginAs: true, actorAccountId: actor },
    request: requestInfo(scope.req),
    secondFactor: false,
    requiresConfirmedEmail: false,
  });
  await applySignIn(scope, result);
}
