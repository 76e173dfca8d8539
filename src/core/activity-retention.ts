import { type SQL, desc, inArray, lt, lte } from "drizzle-orm";
import { resolveActivityRetention } from "../options/activity-retention.js";
import type { AuthContext } from "./context.js";

/** Rows deleted per statement when pruning: each DELETE holds its locks for a bounded time. */
export const ACTIVITY_PRUNE_BATCH = 5000;

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
