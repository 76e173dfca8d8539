import { eq, sql } from "drizzle-orm";
import { sha256Hex } from "../crypto/tokens.js";
import type { AuthContext } from "./context.js";
import { forgetLoginAttempts } from "./login-attempt-memory.js";
import { qualified } from "./sql-columns.js";
import { timestampParam } from "../primitives/sql-time.js";
import { countEvents, type RateLimitBucket } from "../rate-limit/limiter.js";

/** Consecutive-failure state of one login identifier. */
export interface LockoutState {
  failures: number;
  resetAt: Date | null;
}

/**
 * The limiter key of a canonical email. Hashed, so the table holds no addresses; the same for known
 * and unknown emails, so a lockout never reveals whether an account exists.
 */
export function loginKey(email: string): string {
  return `login:${sha256Hex(email)}`;
}

/** Seconds until a key with `maxFailures` allowed unlocks, or 0 when it is not locked. */
export function secondsLocked(ctx: AuthContext, state: LockoutState, maxFailures: number): number {
  if (!state.resetAt || state.failures < maxFailures) return 0;
  const ms = state.resetAt.getTime() - ctx.now().getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Seconds until the login of this identifier unlocks, or 0 when it is not locked. */
export function lockedForSeconds(ctx: AuthContext, state: LockoutState): number {
  const lockout = ctx.config.lockout;
  return lockout ? secondsLocked(ctx, state, lockout.maxFailures) : 0;
}

/** Scalar subqueries for the failure state, so it rides along with the account lookup (no extra statement). */
export function lockoutColumns(ctx: AuthContext, key: string) {
  const r = ctx.t.rateLimits;
  const live = sql`${qualified(r.key)} = ${key} and ${qualified(r.resetAt)} > ${timestampParam(ctx.now())}`;
  return {
    failures: sql<number>`coalesce((select ${qualified(r.count)} from ${r} where ${live}), 0)`.mapWith(Number),
    lockResetAt: sql<Date | null>`(select ${qualified(r.resetAt)} from ${r} where ${live})`.mapWith((v) =>
      v === null ? null : new Date(v),
    ),
  };
}

/** Reads the state of one key. */
export async function readLockout(ctx: AuthContext, key: string): Promise<LockoutState> {
  const r = ctx.t.rateLimits;
  const [row] = await ctx.db.select({ count: r.count, resetAt: r.resetAt }).from(r).where(eq(r.key, key)).limit(1);
  if (!row || row.resetAt.getTime() <= ctx.now().getTime()) return { failures: 0, resetAt: null };
  return { failures: row.count, resetAt: row.resetAt };
}

/**
 * Counts one failure in one upsert: the window slides, so the lock lasts `duration` after the last
 * failure. `extra` buckets (the client IP's) are counted in the same statement. Returns the new counts.
 */
export async function recordLoginFailure(
  ctx: AuthContext,
  key: string,
  extra: readonly Pick<RateLimitBucket, "key" | "windowMs">[] = [],
): Promise<Map<string, { count: number; resetAt: Date }>> {
  const lockout = ctx.config.lockout;
  const buckets = lockout ? [{ key, windowMs: lockout.durationMs }, ...extra] : [...extra];
  return countEvents(ctx, buckets, false);
}

/** Clears the failures of a key (after a successful login or a completed password reset). */
export async function clearLoginFailures(ctx: AuthContext, key: string): Promise<void> {
  await ctx.db.delete(ctx.t.rateLimits).where(eq(ctx.t.rateLimits.key, key));
  forgetLoginAttempts(ctx, key);
}
