import { type SQL, desc, inArray, lt, lte } from "drizzle-orm";
import type { AuthConfig } from "../config.js";
import { AuthConfigError } from "../errors.js";
import type { AuthContext } from "./context.js";
import { parseDuration } from "./duration.js";

/**
 * How long audit rows are kept when `activityLog.retention` is not set. There is no row cap by default:
 * a cap lets a flood of (attacker-made) failed logins push older evidence out; an age limit does not.
 */
export const DEFAULT_ACTIVITY_RETENTION = "365d";

/** Rows deleted per statement when pruning: each DELETE holds its locks for a bounded time. */
export const ACTIVITY_PRUNE_BATCH = 5000;

/** The audit log retention policy, resolved from `config.activityLog`. */
export interface ActivityRetentionPolicy {
  /** Keep at most this many rows (the newest by id); null keeps any number. */
  maxEntries: number | null;
  /** Delete rows older than this many milliseconds; null keeps rows of any age. */
  retentionMs: number | null;
}

/**
 * Reads `activityLog.maxEntries` (default none, `false` for none) and `activityLog.retention` (a duration
 * such as `"90d"`, default `"365d"`, `false` for none) from the raw config.
 * @throws {AuthConfigError} INVALID_CONFIG when either value is malformed
 */
export function resolveActivityRetention(config: AuthConfig): ActivityRetentionPolicy {
  const options = (config.activityLog ?? {}) as { maxEntries?: unknown; retention?: unknown };
  const max = options.maxEntries;
  if (max !== undefined && max !== false && (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1)) {
    throw new AuthConfigError("Invalid auth config: activityLog.maxEntries must be a positive integer or false");
  }
  const retention = options.retention === undefined ? DEFAULT_ACTIVITY_RETENTION : options.retention;
  let retentionMs: number | null = null;
  if (retention !== undefined && retention !== false) {
    retentionMs = parseDuration(retention);
    if (retentionMs === null || retentionMs <= 0)
      throw new AuthConfigError('Invalid auth config: activityLog.retention must be a positive duration like "90d"');
  }
  return { maxEntries: max === false || max === undefined ? null : max, retentionMs };
}

async function deleteInBatches(ctx: AuthContext, where: SQL, batchSize: number): Promise<number> {
  const log = ctx.t.activityLog;
  let total = 0;
  for (;;) {
    const batch = ctx.db.select({ id: log.id }).from(log).where(where).limit(batchSize);
    const deleted = await ctx.db.delete(log).where(inArray(log.id, batch)).returning({ id: log.id });
    total += deleted.length;
    if (deleted.length < batchSize) return total;
  }
}

/**
 * Deletes audit rows beyond the retention policy, oldest first, in batches of at most `batchSize` rows:
 * first the rows older than `retention` (by `created_at`, through its index), then everything at or below
 * the id of the (maxEntries + 1)-th newest row, found with one `ORDER BY id DESC OFFSET n LIMIT 1` over the
 * primary key. Never a whole-table `NOT IN`. Returns how many rows were deleted.
 */
export async function deleteExpiredActivity(ctx: AuthContext, batchSize = ACTIVITY_PRUNE_BATCH): Promise<number> {
  const policy = resolveActivityRetention(ctx.config.source);
  const log = ctx.t.activityLog;
  let total = 0;
  if (policy.retentionMs !== null) {
    const before = new Date(ctx.now().getTime() - policy.retentionMs);
    total += await deleteInBatches(ctx, lt(log.createdAt, before), batchSize);
  }
  if (policy.maxEntries !== null) {
    const [cutoff] = await ctx.db
      .select({ id: log.id })
      .from(log)
      .orderBy(desc(log.id))
      .offset(policy.maxEntries)
      .limit(1);
    if (cutoff) total += await deleteInBatches(ctx, lte(log.id, cutoff.id), batchSize);
  }
  return total;
}
