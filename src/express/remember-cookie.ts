import type { CookieOptions } from "express";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { type RememberCookieValue, deleteRememberToken, restoreRememberToken } from "../core/remember-tokens.js";
import { readCookie, requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { establishSession } from "./sign-in.js";

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

/** The remember-me cookie of the request, if any. */
export function rememberCookie(scope: AuthScope): string | undefined {
  return readCookie(scope.req, scope.ctx.config.rememberCookieName);
}

/** Deletes this device's remember-me token and clears its cookie. */
export async function forgetThisDevice(scope: AuthScope): Promise<void> {
  const value = rememberCookie(scope);
  if (value === undefined) return;
  await deleteRememberToken(scope.ctx, value);
  clearRememberCookie(scope);
}

/**
 * Signs an anonymous request in from its remember-me cookie: the token is rotated (new cookie), the
 * account must be Normal and verified, and the session id is regenerated. Anything else clears the cookie.
 */
export async function restoreFromRememberCookie(scope: AuthScope): Promise<void> {
  if (scope.req.session?.auth?.loggedIn) return;
  const value = rememberCookie(scope);
  if (value === undefined) return;
  const request = requestInfo(scope.req);
  const result = await restoreRememberToken(scope.ctx, value, request);
  if (!result.ok) {
    clearRememberCookie(scope);
    return;
  }
  if (result.next) setRememberCookie(scope, result.next);
  await Promise.all([
    establishSession(scope, result.account, { remembered: true }),
    logActivity(scope.ctx, { accountId: result.account.id, action: AuthActivityAction.RememberTokenUsed, request }),
  ]);
}
