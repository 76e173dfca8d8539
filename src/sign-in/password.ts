/**
 * The password verifier: email and password, checked behind the login lockout and the limiter. An
 * unknown email and a wrong password fail identically (same error, same work: a dummy hash is verified).
 */
import { assertPasswordShape } from "../crypto/password-policy.js";
import { InvalidInputError, InvalidPasswordError, RateLimitedError } from "../errors.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { canonicalizeEmail } from "../core/email.js";
import { clearLoginFailures, lockedForSeconds, loginKey } from "../core/login-lockout.js";
import { startLoginAttempt } from "../core/login-attempts.js";
import { assertUnderLimits, bucketsFor, consultExternalLimiter } from "../rate-limit/limiter.js";
import { readPasswordCandidate } from "./password-candidate.js";
import type { SignInVerifier, VerifiedCredential } from "./verifier.js";

/** The input of a password sign-in. */
export interface PasswordCredential {
  email: unknown;
  password: unknown;
}

function credentialOf(input: unknown): PasswordCredential {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new InvalidInputError("credentials");
  const { email, password } = input as Record<string, unknown>;
  return { email, password };
}

/**
 * Checks the credential. The limiter and the lockout are consulted before the hash (a locked key
 * costs no hash); every attempt in flight counts against the lockout until its outcome is recorded.
 * @throws {InvalidEmailError} | {InvalidPasswordError} (INVALID_CREDENTIALS) | {RateLimitedError} | {InvalidInputError}
 */
async function verifyPassword(ctx: AuthContext, input: unknown, request: RequestInfo): Promise<VerifiedCredential> {
  const credential = credentialOf(input);
  const email = canonicalizeEmail(credential.email);
  const password = credential.password;
  assertPasswordShape(password);
  const fail = (reason: string, accountId: number | null) =>
    logActivity(ctx, {
      accountId,
      action: AuthActivityAction.FailedLogin,
      success: false,
      metadata: { email, reason },
      request,
    });
  const subject = { account: email, ip: request.ip ?? null };
  try {
    await consultExternalLimiter(ctx, "login", subject);
  } catch (err) {
    if (err instanceof RateLimitedError) await fail("rate_limited", null);
    throw err;
  }
  const key = loginKey(email);
  const buckets = bucketsFor(ctx, "login", subject);
  const { account, lockout, hasTwoFactor, limits } = await readPasswordCandidate(ctx, email, key, buckets);
  try {
    assertUnderLimits(ctx, buckets, limits);
  } catch (err) {
    await fail("rate_limited", account?.id ?? null);
    throw err;
  }
  const lockedFor = lockedForSeconds(ctx, lockout);
  if (lockedFor > 0) {
    await fail("locked", account?.id ?? null);
    throw new RateLimitedError(lockedFor);
  }
  const attempt = startLoginAttempt(
    ctx,
    key,
    lockout.failures,
    buckets.map((b) => ({ ...b, read: limits.get(b.key)?.count ?? 0 })),
  );
  try {
    const valid = account?.password
      ? await ctx.hasher.verify(account.password, password)
      : (await ctx.hasher.verifyDummy(password), false);
    if (!account || !valid) {
      const failures = await attempt.fail();
      await fail(account ? "invalid_password" : "account_not_found", account?.id ?? null);
      if (ctx.config.lockout && failures === ctx.config.lockout.maxFailures) {
        await logActivity(ctx, {
          accountId: account?.id ?? null,
          action: AuthActivityAction.LoginLocked,
          success: false,
          metadata: { email },
          request,
        });
      }
      throw new InvalidPasswordError();
    }
    attempt.succeed();
  } finally {
    attempt.end();
  }
  if (lockout.failures > 0) await clearLoginFailures(ctx, key);
  const stored = account.password!;
  return {
    account,
    secondFactor: true,
    hasTwoFactor,
    audit: { email },
    ...(ctx.hasher.needsRehash(stored) ? { rehash: () => ctx.hasher.hash(password) } : {}),
  };
}

/** Email and password (`req.auth.login`, `POST /signin/credentials`). */
export const passwordVerifier: SignInVerifier = {
  method: "password",
  requiresConfirmedEmail: true,
  acceptsRequestInput: true,
  verify: verifyPassword,
};
