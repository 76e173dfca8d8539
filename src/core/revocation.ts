import { and, eq, ne, sql } from "drizzle-orm";
import { notifyInvalidation } from "../invalidation/notify.js";
import type { AuthContext } from "./context.js";

/** Which of the account's live sessions survive a revocation. */
export interface RevokeOptions {
  /** Hashed id of the one session to keep (the caller's own, after "log out everywhere else"). */
  keepSessionId?: string | null;
}

/**
 * Ends every way an account is signed in, at once: raises `force_logout` (sessions cached elsewhere end
 * at their next resync), deletes the account's remember-me tokens and deletes its session rows (so no
 * instance can load them again), and sends a `revoked` invalidation (delivered on commit) so every
 * instance re-reads the account's sessions on their next request. Returns the new `force_logout` value,
 * or null when the account is gone. Call inside a transaction when combined with other writes.
 */
export async function revokeAccountAccess(
  ctx: AuthContext,
  accountId: number,
  options: RevokeOptions = {},
): Promise<number | null> {
  const { accounts, remembers, sessions } = ctx.t;
  const [row] = await ctx.db
    .update(accounts)
    .set({ forceLogout: sql`${accounts.forceLogout} + 1` })
    .where(eq(accounts.id, accountId))
    .returning({ forceLogout: accounts.forceLogout });
  if (!row) return null;
  await ctx.db.delete(remembers).where(eq(remembers.accountId, accountId));
  const keep = options.keepSessionId;
  await ctx.db
    .delete(sessions)
    .where(keep ? and(eq(sessions.accountId, accountId), ne(sessions.id, keep)) : eq(sessions.accountId, accountId));
  await notifyInvalidation(ctx, accountId, "revoked");
  return row.forceLogout;
}
