/**
 * Reads and writes of `sessions` rows for the store. With LISTEN on, every write and delete sends its
 * notification in the same statement (a data-modifying CTE), so other instances' caches drop the row
 * exactly when the change commits, and a failed write notifies nobody.
 */
import { type AnyColumn, type SQL, count, eq, gt, lt, sql } from "drizzle-orm";
import type { TypedQueryBuilder } from "drizzle-orm/query-builders/query-builder";
import type { AuthContext } from "../core/context.js";
import { formatSessionPayload } from "../invalidation/payload.js";

/** The columns the store writes, besides the key and `created_at`. */
export interface SessionRowValues {
  sess: string;
  expires: Date;
  accountId: number | null;
  updatedAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
}

/** One row as the store reads it. */
export interface SessionRow {
  sess: string;
  expires: Date;
  accountId: number | null;
}

/** Reads a row by key (expired or not: the caller decides). One statement. */
export async function readSessionRow(ctx: AuthContext, key: string): Promise<SessionRow | null> {
  const s = ctx.t.sessions;
  const [row] = await ctx.db
    .select({ sess: s.sess, expires: s.expires, accountId: s.accountId })
    .from(s)
    .where(eq(s.id, key))
    .limit(1);
  return row ?? null;
}

/** A write query builder with `returning({ id })`: awaitable, and usable as a CTE. */
type KeyedWrite = PromiseLike<unknown[]> & TypedQueryBuilder<{ id: SQL.Aliased<string> | AnyColumn }>;

/** Runs a write that returns the row's key; with LISTEN on, notifies in the same statement. Returns whether a row was written. */
async function withNotify(ctx: AuthContext, key: string, write: KeyedWrite): Promise<boolean> {
  const hub = ctx.invalidation;
  if (!hub) return (await write).length > 0;
  const w = ctx.db.$with("written").as(write);
  const payload = formatSessionPayload(key, hub.origin);
  const rows = await ctx.db.with(w).select({ n: sql<number>`1` }).from(w).where(sql`pg_notify(${hub.channel}, ${payload}) is not null`);
  return rows.length > 0;
}

/**
 * Inserts or updates the row of `key`. `updateOnly` never creates it: a session read from the store and
 * deleted since (logout, revocation, ban) stays deleted. Returns false when nothing was written.
 */
export async function writeSessionRow(
  ctx: AuthContext,
  key: string,
  values: SessionRowValues,
  updateOnly: boolean,
): Promise<boolean> {
  const s = ctx.t.sessions;
  const write = updateOnly
    ? ctx.db.update(s).set(values).where(eq(s.id, key)).returning({ id: s.id })
    : ctx.db
        .insert(s)
        .values({ id: key, createdAt: values.updatedAt, ...values })
        .onConflictDoUpdate({ target: s.id, set: values })
        .returning({ id: s.id });
  return withNotify(ctx, key, write);
}

/** Deletes the row of `key`. */
export async function deleteSessionRow(ctx: AuthContext, key: string): Promise<void> {
  const s = ctx.t.sessions;
  await withNotify(ctx, key, ctx.db.delete(s).where(eq(s.id, key)).returning({ id: s.id }));
}

/** Moves the expiry of the row of `key` (touch): no notification, since a longer expiry is never stale. */
export async function extendSessionRow(ctx: AuthContext, key: string, expires: Date, now: Date): Promise<void> {
  const s = ctx.t.sessions;
  await ctx.db.update(s).set({ expires, updatedAt: now }).where(eq(s.id, key));
}

/** The stored JSON of the unexpired rows, at most `limit` of them (the store's `all`). One statement. */
export async function listLiveSessionJson(ctx: AuthContext, limit: number): Promise<string[]> {
  const s = ctx.t.sessions;
  const rows = await ctx.db.select({ sess: s.sess }).from(s).where(gt(s.expires, ctx.now())).limit(limit);
  return rows.map((r) => r.sess);
}

/** How many rows are unexpired (the store's `length`). One statement. */
export async function countLiveSessions(ctx: AuthContext): Promise<number> {
  const s = ctx.t.sessions;
  const [row] = await ctx.db.select({ n: count() }).from(s).where(gt(s.expires, ctx.now()));
  return Number(row?.n ?? 0);
}

/** Deletes every row (the store's `clear`), without notifications. */
export async function deleteAllSessionRows(ctx: AuthContext): Promise<void> {
  await ctx.db.delete(ctx.t.sessions);
}

/** Deletes the expired rows (the store's background pruning). Returns how many. */
export async function deleteExpiredSessionRows(ctx: AuthContext): Promise<number> {
  const s = ctx.t.sessions;
  const rows = await ctx.db.delete(s).where(lt(s.expires, ctx.now())).returning({ id: s.id });
  return rows.length;
}
