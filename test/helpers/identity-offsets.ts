import { sql } from "drizzle-orm";
import { type PgTable, getTableConfig } from "drizzle-orm/pg-core";
import { authSchema } from "../../schema/index.js";
import type { AnyPgDatabase } from "../../src/primitives/database.js";

/** Where the identity of `accounts` starts in every test database. */
export const ACCOUNT_ID_START = 1_000;
/** The gap between the identity starts of the other tables (the n-th starts at n × this). */
export const IDENTITY_STEP = 50_000;

/** Each auth table with an identity column, its column, and where that identity starts in tests. */
function identityStarts(): { table: string; column: string; start: number }[] {
  const accounts = getTableConfig(authSchema.accounts).name;
  const found = Object.values(authSchema as Record<string, PgTable>)
    .map((t) => getTableConfig(t))
    .flatMap((c) => c.columns.filter((col) => col.generatedIdentity).map((col) => ({ table: c.name, column: col.name })))
    .sort((a, b) => a.table.localeCompare(b.table));
  let step = 0;
  return found.map((f) => ({ ...f, start: f.table === accounts ? ACCOUNT_ID_START : ++step * IDENTITY_STEP }));
}

/** The first id a test database gives out in `table` (an auth table with an identity column). */
export function identityStart(table: PgTable): number {
  const name = getTableConfig(table).name;
  const found = identityStarts().find((s) => s.table === name);
  if (!found) throw new Error(`${name} has no identity column`);
  return found.start;
}

/**
 * Moves the start of every identity column of the auth tables to its own offset (accounts at 1,000,
 * the others at 50,000, 100,000, … in table-name order), so that ids of different tables never
 * coincide in a test. A query that compares an id with the id of the wrong table then finds nothing
 * instead of passing by luck. `truncate … restart identity` returns each sequence to its start, so
 * the offsets hold across resets.
 */
export async function offsetIdentities(db: AnyPgDatabase): Promise<void> {
  for (const { table, column, start } of identityStarts()) {
    await db.execute(
      sql`alter table ${sql.identifier(table)} alter column ${sql.identifier(column)} set start with ${sql.raw(String(start))} restart`,
    );
  }
}
