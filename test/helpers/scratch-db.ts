import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { inject } from "vitest";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import { runDatabasePrefix, withDatabase } from "./paths.js";

/** An empty database of the current project's driver, for tests that need a clean slate. */
export interface ScratchDb {
  db: AnyPgDatabase;
  close(): Promise<void>;
}

let counter = 0;

/** Creates an empty database: a new in-memory PGlite, or a new database on the PostgreSQL server. */
export async function createScratchDb(): Promise<ScratchDb> {
  if (inject("dbDriver") !== "postgres") {
    const client = new PGlite();
    return { db: drizzlePglite({ client }), close: () => client.close() };
  }
  const url = inject("databaseUrl")!;
  const name = `${runDatabasePrefix(inject("testRunId"))}_scratch_${process.pid}_${++counter}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const client = postgres(withDatabase(url, name), { max: 4, onnotice: () => {} });
  return {
    db: drizzlePostgres({ client }),
    close: async () => {
      await client.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
