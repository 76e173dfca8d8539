import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { inject } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import { runDatabasePrefix, templateDatabase, templateDumpPath, withDatabase } from "./paths.js";

/** The database of this test worker, shared by its test files and emptied before each test. */
export interface TestDb {
  driver: "pglite" | "postgres";
  db: AnyPgDatabase;
  /** The raw client: the PGlite instance, or the postgres.js `sql`. */
  client: PGlite | postgres.Sql;
  /** A second, independent connection pool to the same database (postgres only; PGlite has one connection). */
  connect(): AnyPgDatabase;
  reset(): Promise<void>;
}

const tableNames = Object.values(authSchema)
  .map((t) => `"${getTableConfig(t).name}"`)
  .join(", ");

async function openPglite(): Promise<TestDb> {
  const client = new PGlite({ loadDataDir: new Blob([readFileSync(templateDumpPath(inject("testRunId")))]) });
  const db = drizzlePglite({ client });
  return { driver: "pglite", db, client, connect: () => db, reset: () => truncate(db) };
}

async function openPostgres(url: string): Promise<TestDb> {
  const runId = inject("testRunId");
  const name = `${runDatabasePrefix(runId)}_w${process.env.VITEST_POOL_ID ?? "0"}_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name} template ${templateDatabase(runId)}`);
  await admin.end();
  const target = withDatabase(url, name);
  const client = postgres(target, { max: 8, onnotice: () => {} });
  const db = drizzlePostgres({ client });
  const pools: postgres.Sql[] = [];
  process.once("beforeExit", () => void Promise.all([client.end(), ...pools.map((p) => p.end())]));
  return {
    driver: "postgres",
    db,
    client,
    connect: () => {
      const pool = postgres(target, { max: 4, onnotice: () => {} });
      pools.push(pool);
      return drizzlePostgres({ client: pool });
    },
    reset: () => truncate(db),
  };
}

async function truncate(db: AnyPgDatabase): Promise<void> {
  await db.execute(sql.raw(`truncate ${tableNames} restart identity cascade`));
}

/** Returns this worker's database for the current project, opening it on first use. */
export function getTestDb(): Promise<TestDb> {
  const driver = inject("dbDriver");
  const key = Symbol.for(`express-drizzle-auth.test-db.${driver}`);
  const store = globalThis as unknown as Record<symbol, Promise<TestDb> | undefined>;
  store[key] ??= driver === "postgres" ? openPostgres(inject("databaseUrl")!) : openPglite();
  return store[key]!;
}
