import { type SQLWrapper, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accountCountQuery, accountPageQuery, parseListAccountsOptions } from "../../src/admin/account-list.js";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import { getAuthContext } from "../../src/core/context.js";
import { useTestEnv } from "../helpers/setup.js";
import { insertAccounts } from "./helpers.js";

const env = useTestEnv();
const ACCOUNTS = 100_000;
/**
 * Either email index serves the prefix range: the pattern index always, and the unique index too where
 * the database collation is C (PGlite's), in which case the planner may pick either.
 */
const EMAIL_INDEX = /Index (Only )?Scan using auth_accounts_email_(pattern_idx|key)|Bitmap Index Scan on auth_accounts_email_(pattern_idx|key)/;

/** The plan PostgreSQL picks for a query, one line per node. */
async function plan(query: SQLWrapper): Promise<string> {
  const result = await env.db.db.execute(sql`explain ${query}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
  return rows.map((row) => Object.values(row)[0]).join("\n");
}

describe("listAccounts(): search uses the email pattern index", () => {
  it(`the page and count queries of a prefix search over ${ACCOUNTS} accounts never scan the whole table`, async () => {
    await insertAccounts(env, ACCOUNTS);
    await env.db.db.execute(sql`analyze auth_accounts`);
    const ctx = await getAuthContext(env.config());
    const query = parseListAccountsOptions({ search: "User4242", limit: 20 });
    // The exact statements listAccounts runs, with the same parameters.
    const pagePlan = await plan(accountPageQuery(ctx, query));
    const countPlan = await plan(accountCountQuery(ctx, query));
    for (const p of [pagePlan, countPlan]) {
      expect(p, p).not.toMatch(/Seq Scan on auth_accounts/);
      expect(p, p).toMatch(EMAIL_INDEX);
    }
    const result = await createAuthContext(env.config()).listAccounts({ search: "User4242", limit: 20 });
    expect(result.total).toBe(11); // user4242 and user42420..user42429
    expect(result.accounts[0]!.email).toBe("user42429@example.test");
  }, 120_000);

  it("a prepared statement's generic plan (after a few calls, drivers reuse one) still uses the index", async () => {
    await insertAccounts(env, ACCOUNTS);
    await env.db.db.execute(sql`analyze auth_accounts`);
    const ctx = await getAuthContext(env.config());
    const { sql: text, params } = accountCountQuery(ctx, parseListAccountsOptions({ search: "user4242" })).toSQL();
    const literal = (v: unknown) => `'${String(v).replace(/'/g, "''")}'`;
    // One connection (a transaction) for PREPARE, the forced generic plan and EXECUTE.
    const p = await env.db.db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`prepare eda_count_plan as ${text}`));
      const result = await tx.execute(sql.raw(`explain execute eda_count_plan(${params.map(literal).join(", ")})`));
      await tx.execute(sql.raw("deallocate eda_count_plan"));
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
      return rows.map((row) => Object.values(row)[0]).join("\n");
    });
    expect(p, p).not.toMatch(/Seq Scan on auth_accounts/);
    expect(p, p).toMatch(EMAIL_INDEX);
  }, 120_000);
});
