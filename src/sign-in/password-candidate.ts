/**
 * The read a password sign-in starts with: the account, its lockout state, whether it has a second
 * factor, and the client's rate-limit buckets, in one statement (two for an unknown email).
 */
import { eq, inArray, sql } from "drizzle-orm";
import { type AccountRecord, accountColumns } from "../core/accounts.js";
import type { AuthContext } from "../core/context.js";
import { type LockoutState, lockoutColumns } from "../core/login-lockout.js";
import { qualified } from "../core/sql-columns.js";
import { type RateLimitBucket, readCounts } from "../rate-limit/limiter.js";

/** Rate-limit counts by bucket key. */
export type BucketCounts = Map<string, { count: number; resetAt: Date }>;

/** What the read found; `account` is null for an unknown email. */
export interface PasswordCandidate {
  account: AccountRecord | null;
  lockout: LockoutState;
  hasTwoFactor: boolean;
  limits: BucketCounts;
}

/** A scalar subquery telling whether the account has a verified two-factor method (rides on the lookup). */
function twoFactorColumn(ctx: AuthContext) {
  const m = ctx.t.twoFactorMethods;
  if (!ctx.config.twoFactor.enabled) return sql<boolean>`false`.mapWith(Boolean);
  return sql<boolean>`exists (select 1 from ${m} where ${qualified(m.accountId)} = ${qualified(ctx.t.accounts.id)} and ${qualified(m.verified)})`.mapWith(
    (v) => v === true || v === "t",
  );
}

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

function parseBuckets(value: unknown): BucketCounts {
  const rows = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  const out: BucketCounts = new Map();
  if (Array.isArray(rows))
    for (const [key, count, resetAt] of rows as [string, number, string][])
      out.set(key, { count: Number(count), resetAt: new Date(resetAt) });
  return out;
}

/** Reads the candidate account of `email` with its lockout (`key`) and the client's `buckets`. */
export async function readPasswordCandidate(
  ctx: AuthContext,
  email: string,
  key: string,
  buckets: readonly RateLimitBucket[],
): Promise<PasswordCandidate> {
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
