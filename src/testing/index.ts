/**
 * Test kit for apps: an in-memory PGlite database with the auth tables applied, for an app's own test
 * suite (no server needed). The first database of a process is migrated and kept as a template; later
 * ones load from that template, which is much faster than running initdb and migrations again.
 */
import { PGlite } from "@electric-sql/pglite";
import { drizzle, type PgliteDatabase } from "drizzle-orm/pglite";
import { sql } from "drizzle-orm";
import { createAuthTables } from "../core/migrations.js";
import { getTableConfig } from "drizzle-orm/pg-core";
import type { AuthTables } from "../../schema/create-auth-schema.js";
import { createAuthSchema } from "../../schema/create-auth-schema.js";

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** Table prefix. @default "auth_" */
  tablePrefix?: string;
}

/** An in-memory database with the auth tables, and helpers to reset and close it. */
export interface TestDatabase {
  /** The Drizzle database: pass it as `config.db`. */
  db: PgliteDatabase;
  /** The PGlite instance underneath. */
  client: PGlite;
  /** The auth tables of this database. */
  tables: AuthTables;
  /** Empties every auth table (identities restart). */
  reset(): Promise<void>;
  /** Closes the database. */
  close(): Promise<void>;
}

const templates = new Map<string, Promise<Blob | File>>();

async function buildTemplate(prefix: string): Promise<Blob | File> {
  const client = new PGlite();
  const db = drizzle({ client });
  await createAuthTables({ db, tablePrefix: prefix });
  const dump = await client.dumpDataDir("none");
  await client.close();
  return dump;
}

/** Creates an in-memory PGlite database with the auth tables applied. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const prefix = options.tablePrefix ?? "auth_";
  let template = templates.get(prefix);
  if (!template) {
    template = buildTemplate(prefix);
    template.catch(() => templates.delete(prefix));
    templates.set(prefix, template);
  }
  const client = new PGlite({ loadDataDir: await template });
  const db = drizzle({ client });
  const tables = createAuthSchema({ prefix });
  const names = Object.values(tables)
    .map((t) => `"${getTableConfig(t).name}"`)
    .join(", ");
  return {
    db,
    client,
    tables,
    reset: async () => {
      await db.execute(sql.raw(`truncate ${names} restart identity cascade`));
    },
    close: () => client.close(),
  };
}
