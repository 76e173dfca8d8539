import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { createAuthTables } from "../../src/core/migrations.js";
import { TEMPLATE_DATABASE, TEMPLATE_DUMP, withDatabase } from "./paths.js";

declare module "vitest" {
  interface ProvidedContext {
    dbDriver: "pglite" | "postgres";
    databaseUrl?: string;
  }
}

/** Builds the migrated template once per run: a PGlite data dump, or a template database on the server. */
export default async function setup(project: TestProject): Promise<void> {
  const driver = project.config.provide?.dbDriver;
  if (driver === "postgres") {
    const url = project.config.provide.databaseUrl!;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
    await admin.end();
    const sql = postgres(withDatabase(url, TEMPLATE_DATABASE), { max: 1, onnotice: () => {} });
    await createAuthTables({ db: drizzlePostgres({ client: sql }) });
    await sql.end();
    return;
  }
  const client = new PGlite();
  await createAuthTables({ db: drizzlePglite({ client }) });
  const dump = await client.dumpDataDir("none");
  await client.close();
  mkdirSync(join(TEMPLATE_DUMP, ".."), { recursive: true });
  writeFileSync(TEMPLATE_DUMP, Buffer.from(await dump.arrayBuffer()));
}
