import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import { AuthRole } from "../../src/primitives/roles.js";
import { addRoleForUserBy, deleteUserBy, register } from "../../src/standalone.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { expectCode, t } from "./helpers.js";

const env = useTestEnv();
const HOUR = 3_600_000;

/** Inserts `n` audit rows of an action, `ageMs` old, in one statement. */
async function insertActivity(
  n: number,
  action: string,
  ageMs: number,
  extra: { success?: boolean; accountId?: number } = {},
) {
  const at = new Date(env.clock.now().getTime() - ageMs).toISOString();
  await env.db.db.execute(
    sql`insert into auth_activity_log (account_id, action, success, created_at)
        select ${extra.accountId ?? null}::integer, ${action}, ${extra.success ?? true}, ${at}::timestamptz
        from generate_series(1, ${n}::integer)`,
  );
}

describe("getRecentActivity()", () => {
  it("returns the newest rows first, with the account's email", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    env.clock.advance(1000);
    await addRoleForUserBy(config, { accountId: alice.id }, AuthRole.Editor);
    const rows = await createAuthContext(config).getRecentActivity();
    expect(rows.map((r) => [r.action, r.email])).toEqual([
      ["role_changed", "alice@example.test"],
      ["register", "alice@example.test"],
    ]);
    expect(rows[0]!.metadata).toMatchObject({ added: AuthRole.Editor });
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("keeps rows of deleted accounts, with a null email", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    await deleteUserBy(config, { accountId: alice.id });
    const rows = await createAuthContext(config).getRecentActivity();
    expect(rows.map((r) => [r.action, r.accountId, r.email])).toEqual([
      ["account_deleted", null, null],
      ["register", null, null],
    ]);
  });

  it("filters by account id", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    await register(config, "bob@example.test", PASSWORD);
    const rows = await createAuthContext(config).getRecentActivity(100, alice.id);
    expect(rows.map((r) => r.email)).toEqual(["alice@example.test"]);
  });

  it("honours the limit and caps it at 1000", async () => {
    await insertActivity(1005, "login", 0);
    const ctx = createAuthContext(env.config());
    expect(await ctx.getRecentActivity(3)).toHaveLength(3);
    expect(await ctx.getRecentActivity(5000)).toHaveLength(1000);
    expect(await ctx.getRecentActivity()).toHaveLength(100);
  });

  it("IN-01: a non-integer limit or malformed account id is INVALID_INPUT", async () => {
    const ctx = createAuthContext(env.config());
    for (const limit of ["10", Number.NaN, 1.5, {}])
      await expectCode(ctx.getRecentActivity(limit as never), "INVALID_INPUT");
    for (const id of ["1", -1, 2 ** 40]) await expectCode(ctx.getRecentActivity(10, id as never), "INVALID_INPUT");
  });

  it("a query failure is thrown, never reported as an empty log or zero counts", async () => {
    const config = env.config({ tablePrefix: "missing_" });
    await expect(createAuthContext(config).getRecentActivity()).rejects.toThrow();
    await expect(createAuthContext(config).getActivityStats()).rejects.toThrow();
  });
});

describe("getActivityStats()", () => {
  it("counts entries, distinct accounts, and logins and failures of the last 24 hours", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    const bob = await register(config, "bob@example.test", PASSWORD);
    await insertActivity(3, "login", HOUR, { accountId: alice.id });
    await insertActivity(2, "login", 25 * HOUR, { accountId: bob.id });
    await insertActivity(4, "failed_login", 2 * HOUR, { success: false });
    await insertActivity(1, "failed_login", 30 * HOUR, { success: false });
    expect(await createAuthContext(config).getActivityStats()).toEqual({
      totalEntries: 12, // 2 register rows + 10 above
      uniqueUsers: 2,
      recentLogins: 3,
      failedAttempts: 4,
    });
  });

  it("counts real logins made through the middleware", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    const app = createTestApp(config);
    await app.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await app.agent().post("/login").send({ email: "alice@example.test", password: "wrong horse battery" }).expect(401);
    const stats = await createAuthContext(config).getActivityStats();
    expect(stats).toMatchObject({ recentLogins: 1, failedAttempts: 1, uniqueUsers: 1 });
  });

  it("reports zeros for an empty log", async () => {
    expect(await createAuthContext(env.config()).getActivityStats()).toEqual({
      totalEntries: 0,
      uniqueUsers: 0,
      recentLogins: 0,
      failedAttempts: 0,
    });
    expect(await env.db.db.$count(t.activityLog)).toBe(0);
  });
});
