/** Shared steps of the admin context tests. */
import type { PGlite } from "@electric-sql/pglite";
import { asc } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { AuthError } from "../../src/errors.js";
import type { TestEnv } from "../helpers/setup.js";

export const t = authSchema;

/** Every audit row, oldest first. */
export async function auditRows(env: TestEnv) {
  return env.db.db.select().from(t.activityLog).orderBy(asc(t.activityLog.id));
}

/** The audit rows of one action. */
export async function auditRowsOf(env: TestEnv, action: string) {
  return (await auditRows(env)).filter((row) => row.action === action);
}

/** Expects a promise to reject with an AuthError of the given code (never a raw driver error). */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(AuthError);
  expect((err as AuthError).code).toBe(code);
}

/** Fails when the JSON of `value` contains any of the secrets (hashes, tokens, codes, TOTP keys). */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const json = JSON.stringify(value);
  for (const secret of secrets) {
    expect(secret.length, "a secret to look for must not be empty").toBeGreaterThan(7);
    expect(json.includes(secret), `returned JSON contains a secret: ${secret.slice(0, 12)}…`).toBe(false);
  }
}

/** The stored password hash, remember-me hashes, TOTP secrets and backup-code hashes of the database. */
export async function storedSecrets(env: TestEnv): Promise<string[]> {
  const db = env.db.db;
  const secrets: string[] = [];
  for (const row of await db.select({ p: t.accounts.password }).from(t.accounts)) if (row.p) secrets.push(row.p);
  for (const row of await db.select().from(t.remembers)) secrets.push(row.validatorHash);
  for (const row of await db.select().from(t.twoFactorMethods))
    if (row.mechanism === 1 && row.secret) secrets.push(row.secret);
  for (const row of await db.select().from(t.twoFactorBackupCodes)) secrets.push(row.codeHash);
  for (const row of await db.select().from(t.resets)) secrets.push(row.validatorHash);
  for (const row of await db.select().from(t.confirmations)) secrets.push(row.validatorHash);
  return secrets;
}

/** Inserts `n` accounts `user<i>@example.test` (ids 1..n in a fresh table) in one statement. */
export async function insertAccounts(env: TestEnv, n: number, prefix = "user"): Promise<void> {
  const { sql } = await import("drizzle-orm");
  const now = env.clock.now().toISOString();
  await env.db.db.execute(
    sql`insert into auth_accounts (user_id, email, password, registered)
        select ${prefix} || '-' || g, ${prefix} || g || '@example.test', null, ${now}::timestamptz
        from generate_series(1, ${n}::integer) as g`,
  );
}

/** One SQL statement sent by the library. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A config whose database logs every statement it sends (same connection and data as the test database). */
export function countingConfig(
  env: TestEnv,
  overrides: Partial<AuthConfig> = {},
): { config: AuthConfig; statements: Statement[] } {
  const statements: Statement[] = [];
  const logger = { logQuery: (query: string, params: unknown[]) => void statements.push({ sql: query, params }) };
  const db =
    env.db.driver === "pglite"
      ? drizzlePglite({ client: env.db.client as PGlite, logger })
      : drizzlePostgres({ client: env.db.client as postgres.Sql, logger });
  return { config: env.config({ db, ...overrides }), statements };
}
