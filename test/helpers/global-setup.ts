import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { createAuthTables } from "../../src/core/migrations.js";
import { offsetIdentities } from "./identity-offsets.js";
import { runDatabasePrefix, templateDatabase, templateDumpPath, withDatabase } from "./paths.js";

declare module "vitest" {
  interface ProvidedContext {
    dbDriver: "pglite" | "postgres";
    databaseUrl?: string;
    /** Names this run's template and databases, so concurrent runs never collide. */
    testRunId: string;
  }
}

/**
 * Builds the migrated template once per run: a PGlite data dump, or a template database on the server.
 * Returns the teardown, which removes everything this run created.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  project.provide("testRunId", runId);
  if (project.config.provide?.dbDriver === "postgres") {
    const url = project.config.provide.databaseUrl!;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${templateDatabase(runId)}`);
    const sql = postgres(withDatabase(url, templateDatabase(runId)), { max: 1, onnotice: () => {} });
    const db = drizzlePostgres({ client: sql });
    await createAuthTables({ db });
    await offsetIdentities(db);
    await sql.end();
    return async () => {
      const rows = await admin<
        { datname: string }[]
      >`select datname from pg_database where datname like ${`${runDatabasePrefix(runId)}%`}`;
      for (const { datname } of rows) await admin.unsafe(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }
  const client = new PGlite();
  const db = drizzlePglite({ client });
  await createAuthTables({ db });
  await offsetIdentities(db);
  const dump = await client.dumpDataDir("none");
  await client.close();
  const path = templateDumpPath(runId);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  return async () => rmSync(path, { force: true });
}
