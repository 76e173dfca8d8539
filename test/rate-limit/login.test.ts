import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { register } from "../../src/index.js";
import { recordingDb } from "../helpers/recording-db.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  BOB,
  MINUTE,
  WRONG,
  bucketKeys,
  expectRateLimited,
  from,
  limiterRows,
  login,
  observable,
  rateLimitApp,
} from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";
const OTHER_IP = "198.51.100.20";
const WINDOW = 15 * MINUTE;

/** A config with a small per-IP login limit and a per-account lockout far away from it. */
function smallIpLimit(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return env.config({ rateLimits: { login: { perIp: 3 } }, loginLockout: { maxFailures: 100 }, ...overrides });
}

/** The `failed_login` audit rows with a given reason. */
async function failedLogins(reason: string) {
  const a = authSchema.activityLog;
  const rows = await env.db.db.select().from(a).where(eq(a.action, "failed_login"));
  return rows.filter((r) => (r.metadata as { reason?: string } | null)?.reason === reason);
}

describe("login: failed sign-ins per client IP (BF-02)", () => {
  it("refuses the 4th attempt from an IP after 3 failures on 3 different accounts, even with another account's right password (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    await register(config, BOB, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), BOB, WRONG).expect(401);
    await login(from(t, IP), "carol@example.test", WRONG).expect(401);
    await login(from(t, IP), "dave@example.test", PASSWORD).expect(401);
    const res = await login(from(t, IP), ALICE, PASSWORD);
    expect(expectRateLimited(res)).toBe(900);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(await failedLogins("rate_limited")).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });

  it("leaves other client IPs unaffected (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of ["a@example.test", "b@example.test", "c@example.test"])
      await login(from(t, IP), email, WRONG).expect(401);
    expectRateLimited(await login(from(t, IP), ALICE, PASSWORD));
    const agent = from(t, OTHER_IP);
    await login(agent, ALICE, PASSWORD).expect(200);
    await agent.get("/me").expect(200);
  });

  it("lets the IP in again once a whole window passes without failures (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of ["a@example.test", "b@example.test", "c@example.test"])
      await login(from(t, IP), email, WRONG).expect(401);
    env.clock.advance(WINDOW - 1000);
    expect(expectRateLimited(await login(from(t, IP), ALICE, PASSWORD))).toBe(1);
    env.clock.advance(1000);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
  });

  it("slides the window: each failure pushes it out, so spread-out guessing stays blocked (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), "a@example.test", WRONG).expect(401);
    env.clock.advance(10 * MINUTE);
    await login(from(t, IP), "b@example.test", WRONG).expect(401);
    env.clock.advance(10 * MINUTE);
    await login(from(t, IP), "c@example.test", WRONG).expect(401);
    // 20 minutes after the first failure: a fixed window would have forgotten it.
    env.clock.advance(MINUTE);
    expect(expectRateLimited(await login(from(t, IP), ALICE, PASSWORD))).toBe(14 * 60);
    env.clock.advance(14 * MINUTE);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
  });

  it("does not extend the window with attempts refused while the IP is blocked (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of ["a@example.test", "b@example.test", "c@example.test"])
      await login(from(t, IP), email, WRONG).expect(401);
    env.clock.advance(5 * MINUTE);
    expect(expectRateLimited(await login(from(t, IP), "d@example.test", WRONG))).toBe(600);
    env.clock.advance(5 * MINUTE);
    expect(expectRateLimited(await login(from(t, IP), "e@example.test", WRONG))).toBe(300);
    env.clock.advance(5 * MINUTE);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
  });

  it("does not clear the IP's count on a successful login (one valid account cannot reset the budget) (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), "a@example.test", WRONG).expect(401);
    await login(from(t, IP), "b@example.test", WRONG).expect(401);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
    await login(from(t, IP), "c@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(t, IP), ALICE, PASSWORD));
  });

  it("refuses known and unknown emails identically once the IP is blocked (EN-01, BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of ["a@example.test", "b@example.test", "c@example.test"])
      await login(from(t, IP), email, WRONG).expect(401);
    const known = observable(await login(from(t, IP), ALICE, PASSWORD));
    const wrong = observable(await login(from(t, IP), ALICE, WRONG));
    const unknown = observable(await login(from(t, IP), "nobody@example.test", PASSWORD));
    expect(known.status).toBe(429);
    expect(wrong).toEqual(known);
    expect(unknown).toEqual(known);
  });

  it("counts failures under the default rule: per IP, 15-minute window, hashed key", async () => {
    const config = env.config();
    const t = rateLimitApp(config);
    await login(from(t, IP), "a@example.test", WRONG).expect(401);
    const rows = (await limiterRows(env)).filter((r) => r.key.startsWith("rl:login:ip:"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^rl:login:ip:[0-9a-f]{64}$/);
    expect(rows[0]!.count).toBe(1);
    expect(rows[0]!.resetAt.getTime()).toBe(env.clock.now().getTime() + WINDOW);
  });

  it("`rateLimits: { login: false }` turns the per-IP limit off (the account lockout still applies)", async () => {
    const config = env.config({ rateLimits: { login: false }, loginLockout: { maxFailures: 100 } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 5; i++) await login(from(t, IP), `u${i}@example.test`, WRONG).expect(401);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
    expect(await bucketKeys(env)).toEqual([]);
  });

  it("honours an optional `login.perAccount` rule across client IPs (BF-01)", async () => {
    const config = env.config({ rateLimits: { login: { perAccount: 2, perIp: false } }, loginLockout: false });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, "192.0.2.1"), ALICE, WRONG).expect(401);
    await login(from(t, "192.0.2.2"), ALICE, WRONG).expect(401);
    expectRateLimited(await login(from(t, "192.0.2.3"), ALICE, PASSWORD));
    await login(from(t, "192.0.2.3"), BOB, WRONG).expect(401);
  });

  it("a burst of parallel wrong passwords from one IP gets at most perIp password checks (BF-02)", async () => {
    // The account lockout counts attempts still in flight (login-attempts.ts); the per-IP bucket must
    // too, or a client that sends its guesses in parallel is never throttled.
    const config = smallIpLimit();
    const t = rateLimitApp(config);
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(from(t, IP), `user${i}@example.test`, WRONG)),
    );
    expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const checked = burst.filter((r) => r.status === 401).length;
    expect(checked, "password checks let through by the per-IP limit of 3").toBeLessThanOrEqual(3);
  });
});

describe("login: which client address counts (BF-02)", () => {
  it("ignores X-Forwarded-For without `trust proxy`: every request shares the socket address (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config, false);
    await login(from(t, "192.0.2.1"), "a@example.test", WRONG).expect(401);
    await login(from(t, "192.0.2.2"), "b@example.test", WRONG).expect(401);
    await login(t.agent(), "c@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(t, "192.0.2.4"), ALICE, PASSWORD));
    expectRateLimited(await login(from(t, "2001:db8::1"), ALICE, PASSWORD));
    expect(await bucketKeys(env, "login")).toHaveLength(1);
  });

  it("with `trust proxy` set to one hop, only the address the proxy appended counts (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config, 1);
    // The client forges the left entries; the proxy appends what it saw.
    await login(from(t, `192.0.2.1, ${IP}`), "a@example.test", WRONG).expect(401);
    await login(from(t, `192.0.2.2, ${IP}`), "b@example.test", WRONG).expect(401);
    await login(from(t, `garbage, ${IP}`), "c@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(t, `192.0.2.4, ${IP}`), ALICE, PASSWORD));
    await login(from(t, `${IP}, ${OTHER_IP}`), ALICE, PASSWORD).expect(200);
  });

  it("makes addresses in one IPv6 /64 share one budget (BF-02, GHSA-p6v2-xcpg-h6xw)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, "2001:db8:1:2::1"), "a@example.test", WRONG).expect(401);
    await login(from(t, "2001:db8:1:2:abcd::7"), "b@example.test", WRONG).expect(401);
    await login(from(t, "2001:0DB8:0001:0002:ffff:ffff:ffff:fffe"), "c@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(t, "2001:db8:1:2:1234:5678:9abc:def0"), ALICE, PASSWORD));
    expect(await bucketKeys(env, "login")).toHaveLength(1);
  });

  it("gives different IPv6 /64 networks separate budgets (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of ["a@example.test", "b@example.test", "c@example.test"])
      await login(from(t, "2001:db8:1:2::1"), email, WRONG).expect(401);
    expectRateLimited(await login(from(t, "2001:db8:1:2::2"), ALICE, PASSWORD));
    await login(from(t, "2001:db8:1:3::1"), ALICE, PASSWORD).expect(200);
  });

  it("counts an IPv4-mapped IPv6 address and the plain IPv4 address as one client (BF-02)", async () => {
    const config = smallIpLimit();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), "a@example.test", WRONG).expect(401);
    await login(from(t, `::ffff:${IP}`), "b@example.test", WRONG).expect(401);
    await login(from(t, "::ffff:cb00:7107"), "c@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(t, IP), ALICE, PASSWORD));
  });
});

/** Statements sent by one login over HTTP (after a warm-up login on the same config). */
async function statementsOfLogin(rateLimits: AuthConfig["rateLimits"], email: string, password: string) {
  const counting = recordingDb(env);
  const config = env.config({ db: counting.db, rateLimits });
  const t = rateLimitApp(config);
  await login(from(t, OTHER_IP), ALICE, PASSWORD).expect(200);
  counting.statements.length = 0;
  await login(from(t, IP), email, password);
  return counting.statements.length;
}

describe("login: the limiter costs no extra statement", () => {
  it("a successful login sends as many statements with the per-IP limit as without it", async () => {
    await register(env.config(), ALICE, PASSWORD);
    const without = await statementsOfLogin(false, ALICE, PASSWORD);
    const withDefault = await statementsOfLogin(undefined, ALICE, PASSWORD);
    const withSmall = await statementsOfLogin({ login: { perIp: 3 } }, ALICE, PASSWORD);
    expect(without).toBeGreaterThan(0);
    expect(withDefault).toBe(without);
    expect(withSmall).toBe(without);
  });

  it("a failed login counts the IP in the lockout's upsert: no extra statement either", async () => {
    await register(env.config(), ALICE, PASSWORD);
    const without = await statementsOfLogin(false, ALICE, WRONG);
    expect(await statementsOfLogin(undefined, ALICE, WRONG)).toBe(without);
    const unknownWithout = await statementsOfLogin(false, "nobody@example.test", WRONG);
    expect(await statementsOfLogin(undefined, "nobody@example.test", WRONG)).toBe(unknownWithout);
  });
});
