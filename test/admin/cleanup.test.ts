import { asc, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ACTIVITY_PRUNE_BATCH } from "../../src/core/activity-retention.js";
import { cleanupExpiredTokens, pruneActivityLog } from "../../src/core/maintenance.js";
import { useTestEnv } from "../helpers/setup.js";
import { type Statement, countingConfig as counting, expectCode, t } from "./helpers.js";
import { identityStart } from "../helpers/identity-offsets.js";

const env = useTestEnv();
const DAY = 86_400_000;
const countingConfig = (overrides: Parameters<typeof env.config>[0] = {}) => counting(env, overrides);

/** The DELETE statements on one table. */
function deletesOn(statements: Statement[], table: string): Statement[] {
  return statements.filter((s) => s.sql.startsWith(`delete from "${table}"`));
}

/** `n` audit rows, one a second, the newest `newestAgeMs` old; ids ascend with age descending. */
async function insertActivity(n: number, newestAgeMs = 0): Promise<void> {
  const newest = env.clock.now().getTime() - newestAgeMs;
  const oldest = new Date(newest - (n - 1) * 1000).toISOString();
  await env.db.db.execute(
    sql`insert into auth_activity_log (action, created_at)
        select 'login', ${oldest}::timestamptz + (g - 1) * interval '1 second'
        from generate_series(1, ${n}::integer) as g`,
  );
}

/** Row count and the lowest and highest id, as ordinals: 1 is the first row the table ever gave out. */
async function activityIds(): Promise<{ count: number; min: number; max: number }> {
  const first = identityStart(t.activityLog);
  const [row] = await env.db.db
    .select({
      count: sql<number>`count(*)::integer`,
      min: sql<number>`min(id)::integer`,
      max: sql<number>`max(id)::integer`,
    })
    .from(t.activityLog);
  return { count: Number(row!.count), min: Number(row!.min) - first + 1, max: Number(row!.max) - first + 1 };
}

describe("cleanupExpiredTokens(): batches", () => {
  it("deletes 60,000 expired sessions in DELETEs of at most 5,000 rows each, and keeps live ones", async () => {
    const now = env.clock.now().getTime();
    const past = new Date(now - 60_000).toISOString();
    const future = new Date(now + 3_600_000).toISOString();
    await env.db.db.execute(
      sql`insert into auth_sessions (id, sess, expires, created_at, updated_at)
          select 'bulk-' || g, '{}', case when g <= 60000 then ${past}::timestamptz else ${future}::timestamptz end,
                 ${past}::timestamptz, ${past}::timestamptz
          from generate_series(1, 60003) as g`,
    );
    const { config, statements } = countingConfig();
    const result = await cleanupExpiredTokens(config);
    expect(result.sessions).toBe(60_000);
    expect(await env.db.db.$count(t.sessions)).toBe(3);
    const deletes = deletesOn(statements, "auth_sessions");
    expect(deletes).toHaveLength(13); // 12 full batches and one that finds nothing
    for (const d of deletes) {
      expect(d.sql).toMatch(/ in \(select .* limit \$\d+\)/);
      expect(d.params).toContain(5000);
    }
    expect(statements.some((s) => /not in/i.test(s.sql))).toBe(false);
  }, 120_000);

  it("reports the pruned audit rows in `activityLog`", async () => {
    await insertActivity(12);
    const result = await cleanupExpiredTokens(env.config({ activityLog: { maxEntries: 10 } }));
    expect(result.activityLog).toBe(2);
  });
});

describe("pruneActivityLog(): maxEntries", () => {
  it("keeps the newest maxEntries rows of 50,000, deleting in bounded batches after one cut-off query", async () => {
    await insertActivity(50_000);
    const { config, statements } = countingConfig({ activityLog: { maxEntries: 1000, retention: false } });
    expect(await pruneActivityLog(config)).toBe(49_000);
    expect(await activityIds()).toEqual({ count: 1000, min: 49_001, max: 50_000 });
    const selects = statements.filter((s) => s.sql.startsWith("select"));
    expect(selects).toHaveLength(1);
    expect(selects[0]!.sql).toMatch(/order by "auth_activity_log"\."id" desc limit \$\d+ offset \$\d+/);
    const deletes = deletesOn(statements, "auth_activity_log");
    expect(deletes).toHaveLength(Math.ceil(49_000 / ACTIVITY_PRUNE_BATCH));
    for (const d of deletes) expect(d.params).toContain(ACTIVITY_PRUNE_BATCH);
    expect(statements.some((s) => /not in/i.test(s.sql))).toBe(false);
  }, 120_000);

  it("by default caps no row count: 10,005 recent rows all stay", async () => {
    await insertActivity(10_005);
    expect(await pruneActivityLog(env.config())).toBe(0);
    expect(await activityIds()).toEqual({ count: 10_005, min: 1, max: 10_005 });
  }, 60_000);

  it("by default deletes rows older than 365 days, and only those", async () => {
    await insertActivity(3, 366 * 24 * 3600_000);
    await insertActivity(2, 364 * 24 * 3600_000);
    expect(await pruneActivityLog(env.config())).toBe(3);
    expect((await activityIds()).count).toBe(2);
  });

  it("deletes nothing at exactly maxEntries rows, and the oldest one at maxEntries + 1", async () => {
    await insertActivity(5);
    const config = env.config({ activityLog: { maxEntries: 5 } });
    expect(await pruneActivityLog(config)).toBe(0);
    await insertActivity(1);
    expect(await pruneActivityLog(config)).toBe(1);
    expect(await activityIds()).toEqual({ count: 5, min: 2, max: 6 });
  });

  it("`maxEntries: false` keeps every row", async () => {
    await insertActivity(10_010);
    const config = env.config({ activityLog: { maxEntries: false } });
    expect(await pruneActivityLog(config)).toBe(0);
    expect((await activityIds()).count).toBe(10_010);
  }, 60_000);
});

describe("pruneActivityLog(): retention", () => {
  it("deletes rows older than `retention` and keeps younger ones", async () => {
    for (const ageDays of [100, 91, 89, 1]) await insertActivity(1, ageDays * DAY);
    const config = env.config({ activityLog: { retention: "90d" } });
    expect(await pruneActivityLog(config)).toBe(2);
    const rows = await env.db.db.select().from(t.activityLog).orderBy(asc(t.activityLog.id));
    expect(rows.map((r) => Math.round((env.clock.now().getTime() - r.createdAt.getTime()) / DAY))).toEqual([89, 1]);
  });

  it("applies retention and maxEntries together", async () => {
    await insertActivity(3, 200 * DAY);
    await insertActivity(10);
    const config = env.config({ activityLog: { retention: "30d", maxEntries: 4 } });
    expect(await pruneActivityLog(config)).toBe(9);
    expect(await activityIds()).toEqual({ count: 4, min: 10, max: 13 });
  });

  it("judges age by the configured clock", async () => {
    await insertActivity(2);
    const config = env.config({ activityLog: { retention: "1d" } });
    expect(await pruneActivityLog(config)).toBe(0);
    env.clock.advance(DAY + 60_000);
    expect(await pruneActivityLog(config)).toBe(2);
  });

  const badPolicies: [string, unknown][] = [
    ["maxEntries: 0", { maxEntries: 0 }],
    ["maxEntries: -1", { maxEntries: -1 }],
    ["maxEntries: 1.5", { maxEntries: 1.5 }],
    ['maxEntries: "10"', { maxEntries: "10" }],
    ['retention: "forever"', { retention: "forever" }],
    ["retention: 0", { retention: 0 }],
    ["retention: -5", { retention: -5 }],
    ["retention: {}", { retention: {} }],
  ];
  for (const [label, activityLog] of badPolicies) {
    it(`a malformed policy (${label}) is INVALID_CONFIG and deletes nothing`, async () => {
      await insertActivity(3);
      await expectCode(pruneActivityLog(env.config({ activityLog: activityLog as never })), "INVALID_CONFIG");
      expect((await activityIds()).count).toBe(3);
    });
  }
});
