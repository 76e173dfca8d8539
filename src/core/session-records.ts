import { and, desc, eq, gt } from "drizzle-orm";
import { sha256Hex } from "../crypto/tokens.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import type { AuthContext, RequestInfo } from "./context.js";
import { parseUserAgent } from "./user-agent.js";
import { notifyInvalidation } from "../invalidation/notify.js";

/** The database key of a session: SHA-256 of the express-session id. The raw id is never stored. */
export function sessionKey(sid: string): string {
  return sha256Hex(sid);
}

/** A live session of an account, as listed to its owner or an admin. Holds no cookie value. */
export interface SessionInfo {
  /** Opaque handle (a hash of the session id) to pass to `revokeSession`. */
  id: string;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  device: string;
  /** True for the session making the request. */
  current: boolean;
}

/** Lists the unexpired sessions of an account, most recently active first. */
export async function listAccountSessions(
  ctx: AuthContext,
  accountId: number,
  currentKey?: string | null,
): Promise<SessionInfo[]> {
  const s = ctx.t.sessions;
  const rows = await ctx.db
    .select({
      id: s.id,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      expires: s.expires,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
    })
    .from(s)
    .where(and(eq(s.accountId, accountId), gt(s.expires, ctx.now())))
    .orderBy(desc(s.updatedAt))
    .limit(500);
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.createdAt,
    lastActiveAt: row.updatedAt,
    expiresAt: row.expires,
    ipAddress: row.ipAddress,
    userAgent: row.userAgent,
    ...parseUserAgent(row.userAgent),
    current: row.id === currentKey,
  }));
}

/**
 * Deletes one session of an account and sends a `session` invalidation right after. Returns false when
 * no such session belongs to it.
 */
export async function revokeAccountSession(
  ctx: AuthContext,
  accountId: number,
  id: unknown,
  request?: RequestInfo,
): Promise<boolean> {
  if (typeof id !== "string" || !/^[0-9a-f]{64}$/.test(id)) return false;
  const s = ctx.t.sessions;
  const deleted = await ctx.db
    .delete(s)
    .where(and(eq(s.id, id), eq(s.accountId, accountId)))
    .returning({ id: s.id });
  if (deleted.length === 0) return false;
  await notifyInvalidation(ctx, accountId, "session");
  await logActivity(ctx, {
    accountId,
    action: AuthActivityAction.SessionRevoked,
    metadata: { session: id.slice(0, 8) },
    request,
  });
  return true;
}
