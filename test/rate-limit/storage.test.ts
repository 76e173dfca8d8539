import { describe, expect, it } from "vitest";
import { cleanupExpiredTokens, register } from "../../src/index.js";
import { sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  HOUR,
  WRONG,
  bucketKeys,
  expectRateLimited,
  from,
  limiterRows,
  login,
  rateLimitApp,
  requestReset,
  resend,
} from "./helpers.js";

const env = useTestEnv();

describe("rate_limits storage", () => {
  it("never holds an email or a client address in clear: every key is a SHA-256 (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, "203.0.113.7"), ALICE, WRONG).expect(401);
    await login(from(t, "2001:db8:1:2::99"), "nobody@example.test", WRONG).expect(401);
    await requestReset(from(t, "203.0.113.7"), ALICE).expect(200);
    await requestReset(from(t, "2001:db8:1:2::99"), "nobody@example.test").expect(200);
    await resend(from(t, "203.0.113.7"), ALICE).expect(200);
    const rows = await limiterRows(env);
    const dump = JSON.stringify(rows);
    for (const clear of ["alice", "nobody", "example.test", "203.0.113.7", "2001:db8", "/64", "::"])
      expect(dump).not.toContain(clear);
    for (const { key } of rows) expect(key).toMatch(/^(rl:[a-zA-Z]+:(a|ip):[0-9a-f]{64}|login:[0-9a-f]{64})$/);
    const keys = rows.map((r) => r.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        `rl:login:ip:${sha256("203.0.113.7")}`,
        `rl:login:ip:${sha256("2001:db8:1:2::/64")}`,
        `rl:passwordReset:a:${sha256(ALICE)}`,
        `rl:passwordReset:a:${sha256("nobody@example.test")}`,
        `rl:passwordReset:ip:${sha256("2001:db8:1:2::/64")}`,
        `rl:confirmationResend:ip:${sha256("203.0.113.7")}`,
      ]),
    );
  });

  it("keeps the state bounded: every row expires and cleanupExpiredTokens() removes it (BF-03)", async () => {
    const config = env.config({ rateLimits: { passwordReset: { perIp: false } } });
    const t = rateLimitApp(config);
    for (let i = 0; i < 40; i++) await requestReset(from(t, "203.0.113.7"), `user${i}@example.test`).expect(200);
    expect(await bucketKeys(env, "passwordReset")).toHaveLength(40);
    const rows = await limiterRows(env);
    for (const row of rows) expect(row.resetAt.getTime()).toBeLessThanOrEqual(env.clock.now().getTime() + HOUR);
    env.clock.advance(HOUR + 1);
    const result = await cleanupExpiredTokens(config);
    expect(result.rateLimits).toBe(40);
    expect(await limiterRows(env)).toEqual([]);
  });

  it("holds one row per bucket however many requests it counts", async () => {
    const config = env.config({ rateLimits: { confirmationResend: { perAccount: 1000, perIp: 1000 } } });
    const t = rateLimitApp(config);
    for (let i = 0; i < 25; i++) await resend(from(t, "203.0.113.7"), ALICE).expect(200);
    const rows = await limiterRows(env);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.count)).toEqual([25, 25]);
  });

  it("shares the counts between app instances through PostgreSQL (multi-instance)", async () => {
    const first = env.config({ rateLimits: { login: { perIp: 3 }, passwordReset: { perAccount: 2 } } });
    await register(first, ALICE, PASSWORD);
    // A second instance: its own config, context and (on a server) its own connection pool.
    const second = env.config({
      db: env.db.connect(),
      rateLimits: { login: { perIp: 3 }, passwordReset: { perAccount: 2 } },
    });
    const a = rateLimitApp(first);
    const b = rateLimitApp(second);
    await login(from(a, "203.0.113.7"), "x@example.test", WRONG).expect(401);
    await login(from(b, "203.0.113.7"), "y@example.test", WRONG).expect(401);
    await login(from(a, "203.0.113.7"), "z@example.test", WRONG).expect(401);
    expectRateLimited(await login(from(b, "203.0.113.7"), ALICE, PASSWORD));
    await requestReset(from(a, "198.51.100.1"), ALICE).expect(200);
    await requestReset(from(b, "198.51.100.2"), ALICE).expect(200);
    expectRateLimited(await requestReset(from(a, "198.51.100.3"), ALICE));
    expectRateLimited(await requestReset(from(b, "198.51.100.4"), ALICE));
  });

  it("counts parallel requests exactly: 12 concurrent reset requests for one account, 5 go through (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => requestReset(from(t, `192.0.2.${i + 1}`), ALICE)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    expect(t.outbox).toHaveLength(5);
    expect(t.errors).toEqual([]);
  });

  it("counts parallel resends from one IP exactly across addresses (BF-03)", async () => {
    const config = env.config({ rateLimits: { confirmationResend: { perIp: 4 } } });
    const t = rateLimitApp(config);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => resend(from(t, "203.0.113.7"), `user${i}@example.test`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(results.filter((r) => r.status === 429)).toHaveLength(8);
  });
});
