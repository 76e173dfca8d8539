import { eq, inArray, sql } from "drizzle-orm";
import { assertPasswordShape } from "../crypto/password-policy.js";
import { EmailNotVerifiedError, InvalidPasswordError, RateLimitedError, UserInactiveError } from "../errors.js";
import { type AccountRecord, accountColumns, requireAccount } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import type { AuthContext, RequestInfo } from "./context.js";
import { canonicalizeEmail } from "./email.js";
import {
  clearLoginFailures,
  lockoutColumns,
  lockedForSeconds,
  loginKey,
  readLockout,
  recordLoginFailure,
} from "./login-lockout.js";
import { startLoginAttempt } from "./login-attempts.js";
import {
  assertUnderLimits,
  bucketsFor,
  consultExternalLimiter,
  readCounts,
  type RateLimitBucket,
} from "../rate-limit/limiter.js";
import { qualified } from "./sql-columns.js";
import { AuthStatus } from "./status.js";
import { profileColumns } from "./profile-columns.js";

/** A password check that succeeded: the account, and the new hash when the stored one was weaker. */
export interface VerifiedLogin {
  account: AccountRecord;
  rehash: string | null;
  /** Whether the account has a verified two-factor method (always false while two-factor is off). */
  hasTwoFactor: boolean;
}

/** A scalar subquery telling whether the account has a verified two-factor method (rides on the lookup). */
function twoFactorColumn(ctx: AuthContext) {
  const m = ctx.t.twoFactorMethods;
  if (!ctx.config.twoFactor.enabled) return sql<boolean>`false`.mapWith(Boolean);
  return sql<boolean>`exists (select 1 from ${m} where ${qualified(m.accountId)} = ${qualified(ctx.t.accounts.id)} and ${qualified(m.verified)})`.mapWith(
    (v) => v === true || v === "t",
  );
}

type Counts = Map<string, { count: number; resetAt: Date }>;

/** Scalar subqueries reading the client's rate-limit buckets along with the account lookup. */
function bucketColumns(ctx: AuthContext, buckets: readonly RateLimitBucket[]) {
  const r = ctx.t.rateLimits;
  return sql<
    string | null
  >`(select json_agg(json_build_array(${qualified(r.key)}, ${qualified(r.count)}, ${qualified(r.resetAt)})) from ${r} where ${inArray(
    r.key,
    buckets.map((b) => b.key),
  )})`.mapWith((v) => v);
}

function parseBuckets(value: unknown): Counts {
  const rows = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  const out: Counts = new Map();
  if (Array.isArray(rows))
    for (const [key, count, resetAt] of rows as [string, number, string][])
      out.set(key, { count: Number(count), resetAt: new Date(resetAt) });
  return out;
}

/** The account, its lockout state, and the client's rate-limit counts: one statement (two for an unknown email). */
async function findCandidate(ctx: AuthContext, email: string, key: string, buckets: readonly RateLimitBucket[]) {
  const [row] = await ctx.db
    .select({
      ...accountColumns(ctx),
      ...lockoutColumns(ctx, key),
      hasTwoFactor: twoFactorColumn(ctx),
      ...(buckets.length > 0 ? { buckets: bucketColumns(ctx, buckets) } : {}),
    })
    .from(ctx.t.accounts)
    .where(eq(ctx.t.accounts.email, email))
    .limit(1);
  if (!row) {
    const counts = await readCounts(ctx, [key, ...buckets.map((b) => b.key)]);
    const own = counts.get(key);
    return {
      account: null,
      lockout: own ? { failures: own.count, resetAt: own.resetAt } : { failures: 0, resetAt: null },
      hasTwoFactor: false,
      limits: counts,
    };
  }
  const { failures, lockResetAt, hasTwoFactor, buckets: raw, ...account } = row as typeof row & { buckets?: unknown };
  const now = ctx.now().getTime();
  const limits = new Map([...parseBuckets(raw)].filter(([, c]) => c.resetAt.getTime() > now));
  return {
    account: { ...account, hasPassword: account.password !== null },
    lockout: { failures, resetAt: lockResetAt },
    hasTwoFactor,
    limits,
  };
}

/**
 * Checks an email and password. Unknown email and wrong password fail identically (same error, same
 * work: a dummy hash is verified). Status-specific errors come only after the correct password.
 * @throws {InvalidEmailError} | {InvalidPasswordError} (code INVALID_CREDENTIALS) | {RateLimitedError} |
 * {EmailNotVerifiedError} | {UserInactiveError}
 */
export async function verifyLogin(
  ctx: AuthContext,
  emailInput: unknown,
  password: unknown,
  request?: RequestInfo,
): Promise<VerifiedLogin> {
  const email = canonicalizeEmail(emailInput);
  assertPasswordShape(password);
  const fail = (reason: string, accountId: number | null, extra: Record<string, unknown> = {}) =>
    logActivity(ctx, {
      accountId,
      action: AuthActivityAction.FailedLogin,
      success: false,
      metadata: { email, reason, ...extra },
      request,
    });
  const subject = { account: email, ip: request?.ip ?? null };
  try {
    await consultExternalLimiter(ctx, "login", subject);
  } catch (err) {
    if (err instanceof RateLimitedError) await fail("rate_limited", null);
    throw err;
  }
  const key = loginKey(email);
  const buckets = bucketsFor(ctx, "login", subject);
  const { account, lockout, hasTwoFactor, limits } = await findCandidate(ctx, email, key, buckets);
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
  if (!account.verified) {
    await fail("email_not_verified", account.id);
    throw new EmailNotVerifiedError();
  }
  if (account.status !== AuthStatus.Normal) {
    await fail("account_inactive", account.id, { status: account.status });
    throw new UserInactiveError();
  }
  const rehash = ctx.hasher.needsRehash(account.password!) ? await ctx.hasher.hash(password) : null;
  return { account, rehash, hasTwoFactor };
}

/** Stores a stronger password hash computed at a login that is not complete yet (second step pending). */
export async function saveRehash(ctx: AuthContext, accountId: number, hash: string): Promise<void> {
  await ctx.db.update(ctx.t.accounts).set({ password: hash }).where(eq(ctx.t.accounts.id, accountId));
}

/** The display name and avatar a session shows: from the account's most recently updated provider identity. */
export interface AccountProfile {
  name: string | null;
  image: string | null;
}

/**
 * Records a successful sign-in: `last_login`, and the stronger hash when one was computed. One
 * statement, which also returns the account's profile for the new session.
 */
export async function recordLogin(
  ctx: AuthContext,
  accountId: number,
  rehash: string | null = null,
): Promise<AccountProfile> {
  const a = ctx.t.accounts;
  const [row] = await ctx.db
    .update(a)
    .set({ lastLogin: ctx.now(), ...(rehash ? { password: rehash } : {}) })
    .where(eq(a.id, accountId))
    .returning(profileColumns(ctx));
  return { name: row?.name ?? null, image: row?.image ?? null };
}

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
