import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../primitives/database.js";
import type { InvalidationHub } from "./hub.js";
import { type InvalidationKind, formatPayload } from "./payload.js";

/** The part of an auth context the invalidation helpers use. */
export interface InvalidationScope {
  db: AnyPgDatabase;
  invalidation?: InvalidationHub | undefined;
}

/**
 * Tells every instance that an account's sessions must be re-read: `SELECT pg_notify($1, $2)` with the
 * channel and `<kind>:<account id>` as parameters. Does nothing unless `invalidation.listen` is on.
 *
 * Call it with the transaction's context, inside the transaction of the write: PostgreSQL delivers a
 * NOTIFY only when that transaction commits, so a rolled-back change notifies nobody, and no instance
 * can re-read the account before the change is visible. Outside a transaction, call it right after the
 * write.
 * @internal
 */
export async function notifyInvalidation(
  ctx: InvalidationScope,
  accountId: number,
  kind: InvalidationKind,
): Promise<void> {
  const hub = ctx.invalidation;
  if (!hub) return;
  await ctx.db.execute(sql`select pg_notify(${hub.channel}, ${formatPayload(kind, accountId)})`);
}

/**
 * True when this instance received an invalidation of the account at or after `since` (the session's
 * `lastResync`, epoch ms): the resync must then re-read it whatever `resyncInterval` says.
 * @internal
 */
export function wasInvalidatedSince(ctx: InvalidationScope, accountId: number, since: number): boolean {
  return ctx.invalidation?.invalidatedSince(accountId, since) ?? false;
}
