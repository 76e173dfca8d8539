/**
 * The contract every sign-in method implements. A verifier checks one kind of credential and answers
 * with the account it proves; everything after that (status, confirmation, second factor, recording
 * the sign-in) is the use case's, the same for every method. See docs/architecture.md.
 */
import type { AccountRecord } from "../core/accounts.js";
import type { AuthContext, RequestInfo } from "../core/context.js";

/** What a verifier proved: the account, and what the use case needs to finish the sign-in. */
export interface VerifiedCredential {
  account: AccountRecord;
  /**
   * Whether the account's second factor applies to this method (a password: always; an OAuth identity:
   * `twoFactor.requireForOAuth`).
   */
  secondFactor: boolean;
  /** Known to have no verified second-factor method (saves the lookup); undefined when not known. */
  hasTwoFactor?: boolean;
  /**
   * Computes a stronger password hash, present when the stored one was made with weaker parameters.
   * The use case calls it only once every check passed, and writes the result once.
   */
  rehash?: () => Promise<string>;
  /** Added to the audit rows of this sign-in, refusals included (never a secret). */
  audit: Record<string, unknown>;
  /** True when this sign-in created the account (first OAuth sign-in). */
  isNewUser?: boolean;
}

/**
 * One sign-in method. `verify` takes the caller's raw input (`unknown`: it validates it), applies the
 * limits that protect its credential (a password's lockout and limiter run before the hash), audits its
 * own failures, and throws an `AuthError` with a stable code when the credential does not hold.
 */
export interface SignInVerifier {
  /** The method's name, as callers pass it to `signIn` and as the audit rows record it. */
  readonly method: string;
  /** The account's email must be confirmed (a password proves nothing about the address). */
  readonly requiresConfirmedEmail: boolean;
  /**
   * The input may come straight from a request (a password typed in). False for a method whose input
   * the library itself produced after its own checks (an OAuth profile fetched after the state was
   * claimed): only trusted callers reach it, never `req.auth.signIn`.
   */
  readonly acceptsRequestInput: boolean;
  verify(ctx: AuthContext, input: unknown, request: RequestInfo): Promise<VerifiedCredential>;
}
