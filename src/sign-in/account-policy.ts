/**
 * Whether a proven account may sign in: the one rule every method shares. Status-specific answers come
 * only after the credential held, so they never tell a guesser anything.
 */
import type { AccountRecord } from "../core/accounts.js";
import { AuthStatus } from "../primitives/status.js";
import { type AuthError, EmailNotVerifiedError, UserInactiveError } from "../errors.js";

/** Why an account may not sign in (an audit reason and the error to answer), or null when it may. */
export interface AccountRefusal {
  reason: "email_not_verified" | "account_inactive";
  error: AuthError;
  audit: Record<string, unknown>;
}

/**
 * The refusal for `account`, or null. An unconfirmed email refuses only methods that need it; any
 * status but Normal refuses every method.
 */
export function signInRefusal(account: AccountRecord, requiresConfirmedEmail: boolean): AccountRefusal | null {
  if (requiresConfirmedEmail && !account.verified)
    return { reason: "email_not_verified", error: new EmailNotVerifiedError(), audit: {} };
  if (account.status !== AuthStatus.Normal)
    return { reason: "account_inactive", error: new UserInactiveError(), audit: { status: account.status } };
  return null;
}
