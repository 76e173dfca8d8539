import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { getTableConfig } from "drizzle-orm/pg-core";
import type { AuthTables } from "../../schema/create-auth-schema.js";
import type { AuthConfig } from "../config.js";
import type { AnyPgDatabase } from "../primitives/database.js";
import { getAuthContext } from "./context.js";

/** Where the tables live: their prefix and Postgres schema, read from the configured tables. */
export interface TableLocation {
  prefix: string;
  schema: string;
}

/** Reads the prefix and schema from the `accounts` table of a table set. */
export function tableLocation(tables: AuthTables): TableLocation {
  const { name, schema } = getTableConfig(tables.accounts);
  return { prefix: name.slice(0, -"accounts".length), schema: schema ?? "public" };
}

/** The folder of the migrations shipped with the package (`drizzle/`), found from this module's location. */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "drizzle", "meta", "_journal.json"))) return join(dir, "drizzle");
    dir = dirname(dir);
  }
  throw new Error("express-drizzle-auth: the drizzle/ migrations folder is missing from the package");
}

/**
 * Rewrites a shipped migration statement (generated for the `auth_` prefix in `public`) for another
 * prefix and schema. Prefix and schema were validated as plain identifiers at config time.
 */
export function rewriteStatement(statement: string, { prefix, schema }: TableLocation): string {
  let out = statement.replaceAll('"auth_', `"${prefix}`);
  if (schema !== "public") {
    out = out
      .replaceAll('"public".', `"${schema}".`)
      .replace(/\b(CREATE TABLE|ALTER TABLE|DROP TABLE|DROP INDEX|ON) "/g, `$1 "${schema}"."`);
  }
  return out;
}

function migrationsTable({ prefix, schema }: TableLocation) {
  return sql.raw(`"${schema}"."${prefix}migrations"`);
}

async function applyMigrations(db: AnyPgDatabase, location: TableLocation): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  const table = migrationsTable(location);
  let applied = 0;
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`express-drizzle-auth:${location.schema}.${location.prefix}`}))`,
    );
    if (location.schema !== "public") await tx.execute(sql.raw(`create schema if not exists "${location.schema}"`));
    await tx.execute(
      sql`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint not null)`,
    );
    const done = await tx.execute(sql`select hash from ${table}`);
    const rows = (Array.isArray(done) ? done : (done as { rows: unknown[] }).rows) as { hash: string }[];
    const known = new Set(rows.map((r) => r.hash));
    for (const migration of migrations) {
      if (known.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(rewriteStatement(statement, location)));
      }
      await tx.execute(
        sql`insert into ${table} (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
      );
      applied++;
    }
  });
  return applied;
}

/**
 * Creates or upgrades the auth tables by applying the migrations shipped in `drizzle/`, idempotently and
 * under an advisory lock, tracked in their own `<prefix>migrations` table. For apps that do not run
 * drizzle-kit themselves. Returns the number of migrations applied.
 */
export async function createAuthTables(config: AuthConfig): Promise<number> {
  const ctx = await getAuthContext(config);
  return applyMigrations(ctx.db, tableLocation(ctx.t));
}

/** Drops every auth table and the migrations table. Irreversible; meant for tests and teardown. */
export async function dropAuthTables(config: AuthConfig): Promise<void> {
  const ctx = await getAuthContext(config);
  const location = tableLocation(ctx.t);
  const names = Object.values(ctx.t).map((t) => `"${location.schema}"."${getTableConfig(t).name}"`);
  names.push(`"${location.schema}"."${location.prefix}migrations"`);
  await ctx.db.execute(sql.raw(`drop table if exists ${names.join(", ")} cascade`));
}
