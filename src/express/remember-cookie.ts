/** Remember-me over a request: restoring a sign-in from the cookie, and forgetting this device. */
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { deleteRememberToken, restoreRememberToken } from "../core/remember-tokens.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { clearRememberCookie, rememberCookie, writeSignedInSession } from "./session-writer.js";

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
  await Promise.all([
    writeSignedInSession(scope, result.account, { remembered: true, rememberCookie: result.next }),
    logActivity(scope.ctx, { accountId: result.account.id, action: AuthActivityAction.RememberTokenUsed, request }),
  ]);
}
