/** Checking the password of a signed-in account (re-authentication, password change). */
import { assertPasswordShape } from "../crypto/password-policy.js";
import { RateLimitedError } from "../errors.js";
import { requireAccount } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import type { AuthContext, RequestInfo } from "./context.js";
import { clearLoginFailures, lockedForSeconds, loginKey, readLockout, recordLoginFailure } from "./login-lockout.js";

/**
 * Checks the password of a signed-in account (re-authentication, password change). Wrong answers count
 * towards the same lockout as logins, so a hijacked session cannot guess the password without limit.
 * False for OAuth-only accounts.
 * @throws {RateLimitedError} while the account's login is locked
 */
export async function verifyOwnPassword(
  ctx: AuthContext,
  accountId: number,
  password: unknown,
  request?: RequestInfo,
): Promise<boolean> {
  assertPasswordShape(password);
  const account = await requireAccount(ctx, { accountId });
  const key = loginKey(account.email);
  const lockout = await readLockout(ctx, key);
  const locked = lockedForSeconds(ctx, lockout);
  if (locked > 0) throw new RateLimitedError(locked);
  const ok = account.password !== null && (await ctx.hasher.verify(account.password, password));
  if (ok) {
    if (lockout.failures > 0) await clearLoginFailures(ctx, key);
    return true;
  }
  await recordLoginFailure(ctx, key);
  await logActivity(ctx, {
    accountId,
    action: AuthActivityAction.FailedLogin,
    success: false,
    metadata: { email: account.email, reason: "wrong_current_password" },
    request,
  });
  return false;
}
