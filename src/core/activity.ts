import { is } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { AuthActivityActionType } from "./activity-actions.js";
import { isForeignKeyViolation } from "./db-errors.js";
import type { AuthContext, RequestInfo } from "./context.js";
import { parseUserAgent } from "./user-agent.js";

/** One audit entry. Metadata must never hold a secret (password, token, code, hash). */
export interface ActivityEntry {
  accountId: number | null;
  action: AuthActivityActionType;
  success?: boolean;
  metadata?: Record<string, unknown>;
  request?: RequestInfo | undefined;
}

const MAX_USER_AGENT = 512;

/** True when the config logs this action. */
export function logsAction(ctx: AuthContext, action: string): boolean {
  const { enabled, actions } = ctx.config.activityLog;
  return enabled && (actions === null || actions.has(action));
}

/** The row an entry becomes, or null when the config does not log it. */
export function activityRow(ctx: AuthContext, entry: ActivityEntry) {
  if (!logsAction(ctx, entry.action)) return null;
  const userAgent = entry.request?.userAgent ? entry.request.userAgent.slice(0, MAX_USER_AGENT) : null;
  const ua = parseUserAgent(userAgent);
  return {
    accountId: entry.accountId,
    actorAccountId: entry.request?.actorAccountId ?? null,
    action: entry.action,
    ipAddress: entry.request?.ip ? entry.request.ip.slice(0, 64) : null,
    userAgent,
    browser: ua.browser,
    os: ua.os,
    device: ua.device,
    success: entry.success ?? true,
    metadata: entry.metadata && Object.keys(entry.metadata).length > 0 ? entry.metadata : null,
    createdAt: ctx.now(),
  };
}

/**
 * Writes audit entries in one INSERT (inside the caller's transaction when `ctx.db` is one).
 * A failed audit write fails the operation: the audit trail is not best-effort. Outside a transaction,
 * an entry about an account deleted meanwhile is kept with the ids moved into its metadata.
 */
export async function logActivity(ctx: AuthContext, ...entries: ActivityEntry[]): Promise<void> {
  const rows = entries.map((e) => activityRow(ctx, e)).filter((r) => r !== null);
  if (rows.length === 0) return;
  try {
    await ctx.db.insert(ctx.t.activityLog).values(rows);
  } catch (err) {
    if (!isForeignKeyViolation(err) || is(ctx.db, PgTransaction)) throw err;
    const detached = rows.map(({ accountId, actorAccountId, metadata, ...row }) => ({
      ...row,
      accountId: null,
      actorAccountId: null,
      metadata: { ...metadata, deletedAccountId: accountId, deletedActorAccountId: actorAccountId },
    }));
    await ctx.db.insert(ctx.t.activityLog).values(detached);
  }
}
