import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { cleanupExpiredTokens, getAuthTableStats, register, resetPassword } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const t = authSchema;

const NOTHING = {
  confirmations: 0,
  remembers: 0,
  resets: 0,
  twoFactorTokens: 0,
  sessions: 0,
  rateLimits: 0,
  usedNonces: 0,
  activityLog: 0,
};

/** Inserts one row into each token table expiring at `expires`, tagged with `tag`, for `accountId`. */
async function insertTokens(accountId: number, expires: Date, tag: string) {
  const now = env.clock.now();
  const db = env.db.db;
  const token = () => ({ selector: `${tag}-${randomUUID()}`.slice(0, 40), validatorHash: "0".repeat(64) });
  await db
    .insert(t.confirmations)
    .values({ accountId, ...token(), email: `${tag}@example.test`, expires, createdAt: now });
  await db.insert(t.resets).values({ accountId, ...token(), expires, createdAt: now });
  await db.insert(t.remembers).values({ accountId, ...token(), expires, createdAt: now });
  await db.insert(t.twoFactorTokens).values({
    accountId,
    mechanism: 2,
    selector: `${tag}-${randomUUID()}`,
    tokenHash: "0".repeat(64),
    expiresAt: expires,
    createdAt: now,
  });
  await db.insert(t.sessions).values({
    id: `${tag}-${randomUUID()}`,
    sess: "{}",
    expires,
    accountId,
    createdAt: now,
    updatedAt: now,
  });
  await db.insert(t.rateLimits).values({ key: `login:${tag}`, count: 1, resetAt: expires });
  await db.insert(t.usedNonces).values({ key: `${tag}-${randomUUID()}`, expiresAt: expires });
}

/** The `tag-` prefixes of what is left in each token table. */
async function remainingTags() {
  const db = env.db.db;
  const tag = (s: string) => s.split("-")[0]!;
  return {
    confirmations: (await db.select().from(t.confirmations)).map((r) => tag(r.selector)),
    resets: (await db.select().from(t.resets)).map((r) => tag(r.selector)),
    remembers: (await db.select().from(t.remembers)).map((r) => tag(r.selector)),
    twoFactorTokens: (await db.select().from(t.twoFactorTokens)).map((r) => tag(r.selector)),
    sessions: (await db.select().from(t.sessions)).map((r) => tag(r.id)),
    rateLimits: (await db.select().from(t.rateLimits)).map((r) => r.key.slice("login:".length)),
    usedNonces: (await db.select().from(t.usedNonces)).map((r) => tag(r.key)),
  };
}

async function aliceWithTokens(config: AuthConfig) {
  const account = await register(config, "alice@example.test", PASSWORD);
  const now = env.clock.now().getTime();
  await insertTokens(account.id, new Date(now - MINUTE), "expired");
  await insertTokens(account.id, new Date(now + HOUR), "live");
  return account;
}

describe("cleanupExpiredTokens()", () => {
  it("`cleanupExpiredTokens()` deletes one expired row of each kind and reports the counts", async () => {
    const config = env.config();
    await aliceWithTokens(config);
    expect(await cleanupExpiredTokens(config)).toEqual({
      confirmations: 1,
      remembers: 1,
      resets: 1,
      twoFactorTokens: 1,
      sessions: 1,
      rateLimits: 1,
      usedNonces: 1,
      activityLog: 0,
    });
  });

  it("`cleanupExpiredTokens()` keeps every unexpired row", async () => {
    const config = env.config();
    await aliceWithTokens(config);
    await cleanupExpiredTokens(config);
    expect(await remainingTags()).toEqual({
      confirmations: ["live"],
      resets: ["live"],
      remembers: ["live"],
      twoFactorTokens: ["live"],
      sessions: ["live"],
      rateLimits: ["live"],
      usedNonces: ["live"],
    });
  });

  it("`cleanupExpiredTokens()` leaves accounts and the audit log alone", async () => {
    const config = env.config();
    const account = await aliceWithTokens(config);
    const auditBefore = await env.db.db.select().from(t.activityLog);
    env.clock.advance(365 * 24 * HOUR);
    await cleanupExpiredTokens(config);
    expect((await env.db.db.select().from(t.accounts)).map((r) => r.id)).toEqual([account.id]);
    expect(await env.db.db.select().from(t.activityLog)).toEqual(auditBefore);
  });

  it("`cleanupExpiredTokens()` reports zeros when nothing has expired", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await insertTokens(account.id, new Date(env.clock.now().getTime() + HOUR), "live");
    expect(await cleanupExpiredTokens(config)).toEqual(NOTHING);
  });

  it("`cleanupExpiredTokens()` judges expiry by the configured clock", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await insertTokens(account.id, new Date(env.clock.now().getTime() + HOUR), "later");
    expect(await cleanupExpiredTokens(config)).toEqual(NOTHING);
    env.clock.advance(HOUR + MINUTE);
    expect(await cleanupExpiredTokens(config)).toEqual({
      confirmations: 1,
      remembers: 1,
      resets: 1,
      twoFactorTokens: 1,
      sessions: 1,
      rateLimits: 1,
      usedNonces: 1,
      activityLog: 0,
    });
  });

  it("`cleanupExpiredTokens()` deletes more expired rows than one batch holds", async () => {
    const config = env.config();
    const past = new Date(env.clock.now().getTime() - MINUTE).toISOString();
    await env.db.db.execute(
      sql`insert into auth_rate_limits (key, count, reset_at)
          select 'bulk:' || g, 1, ${past}::timestamptz from generate_series(1, 5001) as g`,
    );
    const result = await cleanupExpiredTokens(config);
    expect(result.rateLimits).toBe(5001);
    expect(await env.db.db.select().from(t.rateLimits)).toEqual([]);
  });

  it("`cleanupExpiredTokens()` deletes expired single-use markers in batches, keeping live ones", async () => {
    const config = env.config();
    const now = env.clock.now().getTime();
    const past = new Date(now - MINUTE).toISOString();
    await env.db.db.execute(
      sql`insert into auth_used_nonces (key, expires_at)
          select 'expired:' || g, ${past}::timestamptz from generate_series(1, 5001) as g`,
    );
    await env.db.db.insert(t.usedNonces).values({ key: "live:1", expiresAt: new Date(now + MINUTE) });
    const result = await cleanupExpiredTokens(config);
    expect(result.usedNonces).toBe(5001);
    expect((await env.db.db.select().from(t.usedNonces)).map((r) => r.key)).toEqual(["live:1"]);
  });

  it("`cleanupExpiredTokens()` removes what real flows left behind once it expires, and only that", async () => {
    // The built-in limiter's request buckets are off here: this test follows the lockout's row.
    const config = env.config({ loginLockout: { maxFailures: 5, duration: "15m" }, rateLimits: false });
    const app = createTestApp(config);
    await app.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await app
      .agent()
      .post("/call/register")
      .send({ args: ["bob@example.test", PASSWORD, null, "$callback"] })
      .expect(200);
    await resetPassword(config, "alice@example.test", null, null, () => {});
    const agent = app.agent();
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember: true });
    expect(login.status).toBe(200);
    await app
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: "wrong horse battery staple" })
      .expect(401);
    // 1 hour later: the reset (30m), the idle session (30m) and the lockout window (15m) are over;
    // the confirmation (24h) and the remember-me token (30d) are not.
    env.clock.advance(HOUR);
    expect(await cleanupExpiredTokens(config)).toEqual({ ...NOTHING, resets: 1, sessions: 1, rateLimits: 1 });
    expect(await env.db.db.select().from(t.confirmations)).toHaveLength(1);
    const remember = (login.headers["set-cookie"] as unknown as string[])
      .find((c) => c.startsWith("remember_token="))!
      .split(";")[0]!;
    const restored = await app.agent().get("/me").set("Cookie", remember).expect(200);
    expect(restored.body.remembered).toBe(true);
  });
});

describe("getAuthTableStats()", () => {
  it("`getAuthTableStats()` reports zeros for empty tables", async () => {
    expect(await getAuthTableStats(env.config())).toEqual({
      accounts: 0,
      providers: 0,
      confirmations: 0,
      remembers: 0,
      resets: 0,
      sessions: 0,
      twoFactorMethods: 0,
      twoFactorTokens: 0,
      expiredConfirmations: 0,
      expiredRemembers: 0,
      expiredResets: 0,
      expiredTwoFactorTokens: 0,
      expiredSessions: 0,
    });
  });

  it("`getAuthTableStats()` counts every row and the expired ones", async () => {
    const config = env.config();
    const account = await aliceWithTokens(config);
    await register(config, "bob@example.test", PASSWORD);
    const now = env.clock.now();
    await env.db.db.insert(t.providers).values({
      accountId: account.id,
      provider: "github",
      providerId: "12345",
      createdAt: now,
      updatedAt: now,
    });
    await env.db.db.insert(t.twoFactorMethods).values({ accountId: account.id, mechanism: 2, createdAt: now });
    expect(await getAuthTableStats(config)).toEqual({
      accounts: 2,
      providers: 1,
      confirmations: 2,
      remembers: 2,
      resets: 2,
      sessions: 2,
      twoFactorMethods: 1,
      twoFactorTokens: 2,
      expiredConfirmations: 1,
      expiredRemembers: 1,
      expiredResets: 1,
      expiredTwoFactorTokens: 1,
      expiredSessions: 1,
    });
  });

  it("`getAuthTableStats()` reports no expired rows after `cleanupExpiredTokens()`", async () => {
    const config = env.config();
    await aliceWithTokens(config);
    await cleanupExpiredTokens(config);
    const stats = await getAuthTableStats(config);
    expect(stats).toMatchObject({
      confirmations: 1,
      remembers: 1,
      resets: 1,
      sessions: 1,
      twoFactorTokens: 1,
      expiredConfirmations: 0,
      expiredRemembers: 0,
      expiredResets: 0,
      expiredTwoFactorTokens: 0,
      expiredSessions: 0,
    });
  });

  it("`getAuthTableStats()` returns numbers, not strings", async () => {
    const config = env.config();
    await aliceWithTokens(config);
    const stats = await getAuthTableStats(config);
    for (const value of Object.values(stats)) expect(typeof value).toBe("number");
  });
});
