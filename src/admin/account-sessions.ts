import { eq } from "drizzle-orm";
import { type AccountIdentifier, requireAccount } from "../core/accounts.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { type SessionInfo, listAccountSessions, revokeAccountSession } from "../core/session-records.js";
import { InvalidInputError } from "../errors.js";

const SESSION_HANDLE = /^[0-9a-f]{64}$/;

/**
 * The live sessions of an account, most recently active first. Each `id` is an opaque handle (a hash of
 * the session id), never a usable cookie value; `current` is always false here.
 * @throws {UserNotFoundError} USER_NOT_FOUND | {InvalidInputError} INVALID_INPUT
 */
export async function listSessionsOf(ctx: AuthContext, identifier: AccountIdentifier): Promise<SessionInfo[]> {
  const account = await requireAccount(ctx, identifier);
  return listAccountSessions(ctx, account.id, null);
}

/**
 * Ends one signed-in session by the handle `listSessions` returned; writes `session_revoked` for its
 * account. Returns false when no signed-in session has that handle.
 * @throws {InvalidInputError} INVALID_INPUT when the handle is not a string
 */
export async function revokeSessionByHandle(ctx: AuthContext, id: unknown, request?: RequestInfo): Promise<boolean> {
  if (typeof id !== "string") throw new InvalidInputError("id", "id must be a session handle from listSessions");
  if (!SESSION_HANDLE.test(id)) return false;
  const s = ctx.t.sessions;
  const [row] = await ctx.db.select({ accountId: s.accountId }).from(s).where(eq(s.id, id)).limit(1);
  if (!row || row.accountId === null) return false;
  return revokeAccountSession(ctx, row.accountId, id, request);
}
