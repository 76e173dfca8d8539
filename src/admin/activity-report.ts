import { and, count, countDistinct, desc, eq, gt, sql } from "drizzle-orm";
import { assertAccountId } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import type { AuthContext } from "../core/context.js";
import { InvalidInputError } from "../errors.js";

/** One audit row, with the email of its account (null once the account is deleted). */
export interface ActivityRecord {
  id: number;
  accountId: number | null;
  /** The admin or impersonator who acted, when known. */
  actorAccountId: number | null;
  action: string;
  ipAddress: string | null;
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  device: string | null;
  success: boolean;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
  email: string | null;
}

/** Summary counts of the audit log. "Recent" means the 24 hours before the configured clock's now. */
export interface ActivityStats {
  totalEntries: number;
  /** Distinct accounts with at least one row. */
  uniqueUsers: number;
  /** `login` rows in the last 24 hours. */
  recentLogins: number;
  /** Unsuccessful rows (any action) in the last 24 hours. */
  failedAttempts: number;
}

/** Most rows `getRecentActivity` returns. */
export const MAX_ACTIVITY_ROWS = 1000;
const DAY_MS = 86_400_000;

function parseMetadata(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return { value };
    }
  }
  return value as Record<string, unknown>;
}

/**
 * The newest audit rows (by `created_at`, then id), optionally of one account, with the account's email.
 * `limit` is clamped to 1..1000. Database errors propagate: an empty list always means "no rows".
 * @throws {InvalidInputError} INVALID_INPUT for a non-integer limit or a malformed account id
 */
export async function recentActivity(
  ctx: AuthContext,
  limit: unknown = 100,
  accountId?: unknown,
): Promise<ActivityRecord[]> {
  if (typeof limit !== "number" || !Number.isSafeInteger(limit))
    throw new InvalidInputError("limit", "limit must be an integer");
  if (accountId !== undefined && accountId !== null) assertAccountId(accountId);
  const l = ctx.t.activityLog;
  const a = ctx.t.accounts;
  const rows = await ctx.db
    .select({
      id: l.id,
      accountId: l.accountId,
      actorAccountId: l.actorAccountId,
      action: l.action,
      ipAddress: l.ipAddress,
      userAgent: l.userAgent,
      browser: l.browser,
      os: l.os,
      device: l.device,
      success: l.success,
      metadata: l.metadata,
      createdAt: l.createdAt,
      email: a.email,
    })
    .from(l)
    .leftJoin(a, eq(a.id, l.accountId))
    .where(accountId === undefined || accountId === null ? undefined : eq(l.accountId, accountId as number))
    .orderBy(desc(l.createdAt), desc(l.id))
    .limit(Math.min(MAX_ACTIVITY_ROWS, Math.max(1, limit)));
  return rows.map((row) => ({ ...row, metadata: parseMetadata(row.metadata) }));
}

/** Counts of the audit log in one statement. Database errors propagate (never zeros in their place). */
export async function activityStats(ctx: AuthContext): Promise<ActivityStats> {
  const l = ctx.t.activityLog;
  const since = new Date(ctx.now().getTime() - DAY_MS);
  const recent = gt(l.createdAt, since);
  const [row] = await ctx.db
    .select({
      totalEntries: count(),
      uniqueUsers: countDistinct(l.accountId),
      recentLogins: sql<number>`count(*) filter (where ${and(recent, eq(l.action, AuthActivityAction.Login))})`,
      failedAttempts: sql<number>`count(*) filter (where ${and(recent, eq(l.success, false))})`,
    })
    .from(l);
  return {
    totalEntries: Number(row?.totalEntries ?? 0),
    uniqueUsers: Number(row?.uniqueUsers ?? 0),
    recentLogins: Number(row?.recentLogins ?? 0),
    failedAttempts: Number(row?.failedAttempts ?? 0),
  };
}
