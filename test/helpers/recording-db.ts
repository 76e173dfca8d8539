/** A Drizzle instance on the worker's own connection that records the text of every statement it sends. */
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import type { TestEnv } from "./setup.js";

/** The database to pass as `config.db`, and the statements it sent (clear the array to start over). */
export interface RecordingDb {
  db: AnyPgDatabase;
  statements: string[];
}

/** Wraps the test environment's client (PGlite or postgres.js) with a logging Drizzle instance. */
export function recordingDb(env: TestEnv): RecordingDb {
  const statements: string[] = [];
  const logger = { logQuery: (query: string) => void statements.push(query) };
  const db =
    env.db.driver === "pglite"
      ? drizzlePglite({ client: env.db.client as PGlite, logger })
      : drizzlePostgres({ client: env.db.client as postgres.Sql, logger });
  return { db: db as AnyPgDatabase, statements };
}
