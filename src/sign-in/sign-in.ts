/**
 * Sign-in, the one use case every method goes through, with no HTTP in it. A verifier proves an account
 * (`methods.ts`); then the same steps run for every method: the account policy (status, confirmed
 * email), the second-factor decision, and the record of the sign-in. The result says what the session
 * becomes; the HTTP surfaces only write it (`src/express/session-writer.ts`).
 */
import { type AccountRecord, requireAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { type AuthError, InvalidTwoFactorCodeError, isAuthError } from "../errors.js";
import { type Challenge, type PendingTwoFactor, createChallenge, verifiedMethodsForLogin } from "../two-factor/challenge.js";
import { signInRefusal } from "./account-policy.js";
import { verifierFor } from "./methods.js";
import { type AccountProfile, recordSignIn, saveRehash } from "./record-sign-in.js";
import type { RememberCookieValue } from "../core/remember-tokens.js";
import type { VerifiedCredential } from "./verifier.js";

/** One sign-in attempt: a registered method's name, its raw input, and how the session should end up. */
export interface SignInAttempt {
  /** A registered method (`password`, `oauth`, …); anything else is refused with INVALID_INPUT. */
  method: unknown;
  /** The method's credential, validated by its verifier. */
  input: unknown;
  /** Issue a remember-me token once signed in. @default false */
  remember?: boolean;
  /** Extra metadata for the `login` audit row (never a secret). */
  metadata?: Record<string, unknown>;
  request: RequestInfo;
  /**
   * The input was produced by the library's own checks (an OAuth callback), not taken from a request.
   * Methods that do not accept request input refuse untrusted attempts. @default false
   */
  trusted?: boolean;
}

/** What a sign-in ends in. Refusals carry the `AuthError` to answer, with its stable code. */
export type SignInResult =
  | {
      kind: "signed_in";
      account: AccountRecord;
      profile: AccountProfile;
      /** The remember-me cookie to set, when one was asked for. */
      remember: RememberCookieValue | null;
      isNewUser: boolean;
    }
  | { kind: "second_factor"; challenge: Challenge; isNewUser: boolean }
  | { kind: "refused"; error: AuthError };

/** How an account proven by its caller signs in (see {@link signInAccount}). */
export interface AccountSignIn {
  remember: boolean;
  metadata: Record<string, unknown>;
  request: RequestInfo;
  /** Ask the account's second factor. */
  secondFactor: boolean;
  /** Refuse an account whose email is not confirmed. */
  requiresConfirmedEmail: boolean;
}

/**
 * True for an error that refuses the attempt: every `AuthError` (bad input, a credential that does not
 * hold, a limit). Anything else (a lost database connection, a bug) rejects instead.
 */
const isRefusal = (err: unknown): err is AuthError => isAuthError(err);

/**
 * Signs in with a registered method: verifies the credential, then concludes as every method does. A
 * database that cannot be reached rejects instead of refusing (over HTTP a 503, not a 4xx).
 */
export async function signIn(ctx: AuthContext, attempt: SignInAttempt): Promise<SignInResult> {
  let verified: VerifiedCredential;
  let requiresConfirmedEmail: boolean;
  try {
    const verifier = verifierFor(attempt.method, attempt.trusted === true);
    requiresConfirmedEmail = verifier.requiresConfirmedEmail;
    verified = await verifier.verify(ctx, attempt.input, attempt.request);
  } catch (err) {
    if (isRefusal(err)) return { kind: "refused", error: err };
    throw err;
  }
  return conclude(ctx, verified, {
    remember: attempt.remember === true,
    metadata: attempt.metadata ?? {},
    request: attempt.request,
    requiresConfirmedEmail,
  });
}

/**
 * Signs in an account its caller proved by other means: a consumed email confirmation, an
 * administrator's `loginAsUserBy`. The same policy, second factor and record apply.
 */
export function signInAccount(ctx: AuthContext, account: AccountRecord, how: AccountSignIn): Promise<SignInResult> {
  return conclude(ctx, { account, secondFactor: how.secondFactor, audit: {} }, how);
}

/**
 * Finishes a sign-in whose second step was answered: refused unless a verify succeeded in this pending
 * state; the account is read again (it may have been banned meanwhile) and the sign-in recorded with the
 * remember-me choice of the first step.
 */
export async function completeSecondFactor(
  ctx: AuthContext,
  pending: PendingTwoFactor,
  request: RequestInfo,
): Promise<SignInResult> {
  if (pending.verifiedMechanism === null)
    return { kind: "refused", error: new InvalidTwoFactorCodeError("No second factor was verified") };
  let account: AccountRecord;
  try {
    account = await requireAccount(ctx, { accountId: pending.accountId });
  } catch (err) {
    if (isRefusal(err)) return { kind: "refused", error: err };
    throw err;
  }
  return conclude(
    ctx,
    { account, secondFactor: false, audit: {} },
    {
      remember: pending.remember,
      metadata: { ...pending.signInMetadata, twoFactorCompleted: true },
      request,
      requiresConfirmedEmail: false,
    },
  );
}

/** The steps after a credential held: policy, second factor, record. */
async function conclude(
  ctx: AuthContext,
  verified: VerifiedCredential,
  how: Omit<AccountSignIn, "secondFactor">,
): Promise<SignInResult> {
  const { account } = verified;
  const isNewUser = verified.isNewUser ?? false;
  const refusal = signInRefusal(account, how.requiresConfirmedEmail);
  if (refusal) {
    await logActivity(ctx, {
      accountId: account.id,
      action: AuthActivityAction.FailedLogin,
      success: false,
      metadata: { ...verified.audit, reason: refusal.reason, ...refusal.audit },
      request: how.request,
    });
    return { kind: "refused", error: refusal.error };
  }
  const rehash = verified.rehash ? await verified.rehash() : null;
  const metadata = {
    ...verified.audit,
    ...(verified.isNewUser === undefined ? {} : { isNewUser }),
    ...how.metadata,
  };
  const methods =
    !verified.secondFactor || verified.hasTwoFactor === false ? [] : await verifiedMethodsForLogin(ctx, account.id);
  if (methods.length > 0) {
    if (rehash) await saveRehash(ctx, account.id, rehash);
    const challenge = await createChallenge(ctx, account, methods, how.remember, how.request);
    if (Object.keys(metadata).length > 0) challenge.pending.signInMetadata = metadata;
    return { kind: "second_factor", challenge, isNewUser };
  }
  const recorded = await recordSignIn(ctx, account, { rehash, remember: how.remember, metadata, request: how.request });
  return { kind: "signed_in", account, ...recorded, isNewUser };
}
