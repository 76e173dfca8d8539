import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { createAuthTables, dropAuthTables, register } from "../../src/index.js";
import { createClock } from "../helpers/clock.js";
import { createScratchDb } from "../helpers/scratch-db.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const run = promisify(execFile);

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<
    string,
    unknown
  >[];
}

describe("migrations", () => {
  it("createAuthTables() applies nothing on a database that is up to date", async () => {
    expect(await createAuthTables(env.config())).toBe(0);
  });

  it("createAuthTables() creates every table on an empty database, once", async () => {
    const scratch = await createScratchDb();
    try {
      const config = { db: scratch.db };
      expect(await createAuthTables(config)).toBeGreaterThan(0);
      expect(await createAuthTables(config)).toBe(0);
      const tables = rowsOf(
        await scratch.db.execute(sql`select tablename from pg_tables where tablename like 'auth_%' order by 1`),
      );
      expect(tables.map((r) => r.tablename)).toContain("auth_accounts");
      expect(tables).toHaveLength(Object.keys(authSchema).length + 1);
    } finally {
      await scratch.close();
    }
  });

  it("createAuthTables() honours a custom prefix and Postgres schema, and the library works on them", async () => {
    const scratch = await createScratchDb();
    try {
      const clock = createClock();
      const config = { db: scratch.db, tablePrefix: "myauth_", pgSchema: "identity", now: clock.now };
      await createAuthTables(config);
      const tables = rowsOf(
        await scratch.db.execute(sql`select tablename from pg_tables where schemaname = 'identity' order by 1`),
      );
      expect(tables.map((r) => r.tablename)).toContain("myauth_accounts");
      const account = await register(config, "alice@example.test", PASSWORD);
      expect(account.id).toBe(1);
      await dropAuthTables(config);
      const after = rowsOf(
        await scratch.db.execute(sql`select tablename from pg_tables where schemaname = 'identity'`),
      );
      expect(after).toHaveLength(0);
    } finally {
      await scratch.close();
    }
  });

  it("the shipped migrations match schema/ (regenerating them would change nothing)", async () => {
    const meta = join(process.cwd(), "drizzle", "meta");
    const snapshots = readdirSync(meta)
      .filter((f) => f.endsWith("_snapshot.json"))
      .sort();
    const previous = JSON.parse(readFileSync(join(meta, snapshots.at(-1)!), "utf8"));
    const current = generateDrizzleJson({ ...authSchema });
    expect(await generateMigration(previous, current)).toEqual([]);
  });

  it("an app schema re-exporting the auth tables plus a table referencing accounts generates and applies with drizzle-kit", async () => {
    const out = mkdtempSync(join(tmpdir(), "eda-app-migrations-"));
    const scratch = await createScratchDb();
    try {
      await run("npx", ["drizzle-kit", "generate", "--config", "test/fixtures/drizzle.app.config.ts"], {
        env: { ...process.env, APP_MIGRATIONS_OUT: out },
      });
      const sqlFile = readdirSync(out).find((f) => f.endsWith(".sql"))!;
      const ddl = readFileSync(join(out, sqlFile), "utf8");
      expect(ddl).toContain('CREATE TABLE "profiles"');
      expect(ddl).toContain('REFERENCES "public"."auth_accounts"("id")');
      await migrate(scratch.db as never, { migrationsFolder: out });
      const config = { db: scratch.db };
      const account = await register(config, "bob@example.test", PASSWORD);
      await scratch.db.execute(
        sql`insert into profiles (user_id, account_id) values (${account.userId}, ${account.id})`,
      );
      const rows = rowsOf(await scratch.db.execute(sql`select count(*)::int as n from profiles`));
      expect(rows[0]!.n).toBe(1);
    } finally {
      await scratch.close();
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
