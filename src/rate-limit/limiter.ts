/**
 * The rate limiter: the built-in one over the `rate_limits` table, or the app's external limiter
 * (the @prsm/auth duck type) when one is configured. Keys never hold an address or an email in clear.
 */
import { inArray, sql } from "drizzle-orm";
import type { AuthTables } from "../../schema/create-auth-schema.js";
import { sha256Hex } from "../crypto/tokens.js";
import { RateLimitedError } from "../errors.js";
import type { AnyPgDatabase } from "../primitives/database.js";
import { timestampParam } from "../primitives/sql-time.js";
import { clientBucket } from "./client-ip.js";
import { type ExternalLimiter, LIMITER_METHODS } from "./external.js";
import type { RateLimitedAction, ResolvedRateLimits } from "./options.js";

/**
 * What the limiter reads of an auth context: the database (or transaction), the `rate_limits` table,
 * the clock, and the resolved limits. An `AuthContext` is one; the limiter sits below the services
 * that call it, so it names only what it uses.
 */
export interface RateLimitScope {
  db: AnyPgDatabase;
  t: Pick<AuthTables, "rateLimits">;
  now(): Date;
  config: { rateLimits: ResolvedRateLimits; limiter: ExternalLimiter | undefined };
}

/** Who an event is counted for: the canonical email (or another account key) and the client address. */
export interface RateLimitSubject {
  account?: string | null;
  ip?: string | null;
}

/** One counter: its key, the count that blocks, and its window. */
export interface RateLimitBucket {
  key: string;
  max: number;
  windowMs: number;
}

/** The account-side key of an action (hashed). */
export function accountBucketKey(action: RateLimitedAction, account: string): string {
  return `rl:${action}:a:${sha256Hex(account)}`;
}

/** The IP-side key of an action, or null when the address is missing or malformed. */
export function ipBucketKey(action: RateLimitedAction, ip: string | null | undefined): string | null {
  const bucket = clientBucket(ip);
  return bucket === null ? null : `rl:${action}:ip:${sha256Hex(bucket)}`;
}

/** The built-in buckets an event of `action` counts in (none with an external limiter or the action off). */
export function bucketsFor(
  ctx: RateLimitScope,
  action: RateLimitedAction,
  subject: RateLimitSubject,
): RateLimitBucket[] {
  const rule = ctx.config.rateLimits[action];
  if (!rule || ctx.config.limiter) return [];
  const out: RateLimitBucket[] = [];
  if (rule.perAccount !== null && subject.account)
    out.push({ key: accountBucketKey(action, subject.account), max: rule.perAccount, windowMs: rule.windowMs });
  const ipKey = rule.perIp !== null ? ipBucketKey(action, subject.ip) : null;
  if (ipKey) out.push({ key: ipKey, max: rule.perIp!, windowMs: rule.windowMs });
  return out;
}

/** Seconds until `resetAt`, at least 1. */
function secondsUntil(ctx: RateLimitScope, resetAt: Date): number {
  return Math.max(1, Math.ceil((resetAt.getTime() - ctx.now().getTime()) / 1000));
}

/**
 * Counts one event in each bucket with one upsert. `fixed`: a bucket's window starts at its first
 * event; otherwise each event pushes the window out (failure counters: blocked until quiet for a window).
 * Returns the new counts by key.
 */
export async function countEvents(
  ctx: RateLimitScope,
  buckets: readonly Pick<RateLimitBucket, "key" | "windowMs">[],
  fixed: boolean,
): Promise<Map<string, { count: number; resetAt: Date }>> {
  if (buckets.length === 0) return new Map();
  const r = ctx.t.rateLimits;
  const now = timestampParam(ctx.now());
  const expired = sql`${r.resetAt} <= ${now}`;
  const rows = await ctx.db
    .insert(r)
    .values(buckets.map((b) => ({ key: b.key, count: 1, resetAt: new Date(ctx.now().getTime() + b.windowMs) })))
    .onConflictDoUpdate({
      target: r.key,
      set: {
        count: sql`case when ${expired} then 1 else ${r.count} + 1 end`,
        resetAt: fixed
          ? sql`case when ${expired} then excluded.reset_at else ${r.resetAt} end`
          : sql`excluded.reset_at`,
      },
    })
    .returning({ key: r.key, count: r.count, resetAt: r.resetAt });
  return new Map(rows.map((row) => [row.key, { count: row.count, resetAt: row.resetAt }]));
}

/** Live counts of some keys, in one statement. */
export async function readCounts(
  ctx: RateLimitScope,
  keys: readonly string[],
): Promise<Map<string, { count: number; resetAt: Date }>> {
  if (keys.length === 0) return new Map();
  const r = ctx.t.rateLimits;
  const rows = await ctx.db
    .select({ key: r.key, count: r.count, resetAt: r.resetAt })
    .from(r)
    .where(inArray(r.key, [...keys]));
  const now = ctx.now().getTime();
  return new Map(rows.filter((row) => row.resetAt.getTime() > now).map((row) => [row.key, row]));
}

/** Throws {@link RateLimitedError} when any bucket's count reached `max` (or exceeds it, with `strict`). */
export function assertUnderLimits(
  ctx: RateLimitScope,
  buckets: readonly RateLimitBucket[],
  counts: Map<string, { count: number; resetAt: Date }>,
  exceedOnly = false,
): void {
  let wait = 0;
  for (const b of buckets) {
    const c = counts.get(b.key);
    if (c && (exceedOnly ? c.count > b.max : c.count >= b.max)) wait = Math.max(wait, secondsUntil(ctx, c.resetAt));
  }
  if (wait > 0) throw new RateLimitedError(wait);
}

/** Calls the external limiter once per key; a refusal becomes {@link RateLimitedError} (its `retryAfter` is ms). */
async function consultExternal(limiter: ExternalLimiter, keys: string[]): Promise<void> {
  const l = limiter as Record<string, ((key: string) => unknown) | undefined>;
  const method = LIMITER_METHODS.find((m) => typeof l[m] === "function")!;
  for (const key of keys) {
    const result = (await l[method]!.call(limiter, key)) as { allowed?: unknown; retryAfter?: unknown } | undefined;
    if (result && result.allowed === false) {
      const ms = typeof result.retryAfter === "number" && Number.isFinite(result.retryAfter) ? result.retryAfter : 1000;
      throw new RateLimitedError(ms / 1000);
    }
  }
}

/** The external limiter's keys for an event: `<action>:account:<sha256>` and `<action>:ip:<sha256 of the /64>`. */
function externalKeys(action: RateLimitedAction, subject: RateLimitSubject): string[] {
  const keys: string[] = [];
  if (subject.account) keys.push(`${action}:account:${sha256Hex(subject.account)}`);
  const bucket = clientBucket(subject.ip);
  if (bucket) keys.push(`${action}:ip:${sha256Hex(bucket)}`);
  return keys;
}

/**
 * Consults the external limiter for one attempt of `action` (every attempt counts there, as in
 * @prsm/auth). Does nothing without one.
 * @throws {RateLimitedError}
 */
export async function consultExternalLimiter(
  ctx: RateLimitScope,
  action: RateLimitedAction,
  subject: RateLimitSubject,
): Promise<void> {
  if (ctx.config.limiter) await consultExternal(ctx.config.limiter, externalKeys(action, subject));
}

/**
 * Counts one request of a request-limited action (password reset, confirmation resend, registration)
 * and refuses it beyond the limit: one upsert with the built-in limiter, or the external limiter's verdict.
 * @throws {RateLimitedError}
 */
export async function consumeRateLimit(
  ctx: RateLimitScope,
  action: RateLimitedAction,
  subject: RateLimitSubject,
): Promise<void> {
  await consultExternalLimiter(ctx, action, subject);
  const buckets = bucketsFor(ctx, action, subject);
  if (buckets.length === 0) return;
  assertUnderLimits(ctx, buckets, await countEvents(ctx, buckets, true), true);
}
