import { is } from "drizzle-orm";
import { PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { AuthConfigError } from "../errors.js";

/** Any Drizzle PostgreSQL database or transaction: postgres.js, node-postgres or PGlite. */
// biome-ignore lint/suspicious/noExplicitAny: the schema generics of the app's db are irrelevant here
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>;

/** What `config.db` accepts: a Drizzle database, or a raw `pg.Pool`, postgres.js `sql` or `PGlite`. */
export type DatabaseInput = AnyPgDatabase | object;

/** True for a Drizzle PostgreSQL database or transaction. */
export function isDrizzleDatabase(value: unknown): value is AnyPgDatabase {
  return typeof value === "object" && value !== null && is(value, PgDatabase);
}

function has(value: unknown, ...keys: string[]): boolean {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    keys.every((k) => typeof (value as Record<string, unknown>)[k] === "function")
  );
}

/**
 * Wraps a raw client in the matching Drizzle driver. Drivers are imported only when needed, so an app
 * never loads a driver it does not use.
 */
export async function toDrizzleDatabase(db: unknown): Promise<AnyPgDatabase> {
  if (isDrizzleDatabase(db)) return db;
  if (typeof db === "function" && has(db, "unsafe", "begin", "listen")) {
    const { drizzle } = await import("drizzle-orm/postgres-js");
    return drizzle({ client: db as never });
  }
  if (has(db, "exec", "query", "listen") && "waitReady" in (db as object)) {
    const { drizzle } = await import("drizzle-orm/pglite");
    return drizzle({ client: db as never });
  }
  if (has(db, "connect", "query")) {
    const { drizzle } = await import("drizzle-orm/node-postgres");
    return drizzle({ client: db as never });
  }
  throw new AuthConfigError("db must be a Drizzle PostgreSQL database, a pg.Pool, a postgres.js sql or a PGlite");
}

/** True when the value looks like any accepted database input (checked synchronously at creation). */
export function isDatabaseInput(db: unknown): boolean {
  return isDrizzleDatabase(db) || has(db, "query") || (typeof db === "function" && has(db, "unsafe"));
}
