/**
 * Reads and writes of `sessions` rows for the store. With LISTEN on, every write and delete sends its
 * notification in the same statement (a data-modifying CTE), so other instances' caches drop the row
 * exactly when the change commits, and a failed write notifies nobody.
 */
import { type AnyColumn, type SQL, eq, sql } from "drizzle-orm";
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
