import { describe, expect, it } from "vitest";
import { register } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  HOUR,
  MINUTE,
  WRONG,
  bucketKeys,
  expectRateLimited,
  from,
  login,
  observable,
  rateLimitApp,
  requestReset,
} from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";

describe("password reset requests: per account (BF-03)", () => {
  it("refuses the 6th request for one account within an hour with 429 RATE_LIMITED (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 5; i++) await requestReset(from(t, IP), ALICE).expect(200);
    const res = await requestReset(from(t, IP), ALICE);
    expect(expectRateLimited(res)).toBe(3600);
    expect(t.outbox.filter((m) => m.method === "resetPassword")).toHaveLength(5);
    expect(t.errors).toEqual([]);
  });

  it("counts the account across client IPs (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 1; i <= 5; i++) await requestReset(from(t, `192.0.2.${i}`), ALICE).expect(200);
    expectRateLimited(await requestReset(from(t, "192.0.2.6"), ALICE));
    expectRateLimited(await requestReset(from(t, "2001:db8::1"), ALICE));
  });

  it("counts unknown addresses exactly like known ones: the 6th answer is the same (EN-04, BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 5; i++) await requestReset(from(t, "192.0.2.1"), ALICE).expect(200);
    for (let i = 0; i < 5; i++) await requestReset(from(t, "192.0.2.2"), "nobody@example.test").expect(200);
    const known = observable(await requestReset(from(t, "192.0.2.1"), ALICE));
    const unknown = observable(await requestReset(from(t, "192.0.2.2"), "nobody@example.test"));
    expect(known.status).toBe(429);
    expect(unknown).toEqual(known);
  });

  it("counts the canonical address: case variants share the budget", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (const email of [ALICE, "Alice@example.test", "ALICE@EXAMPLE.TEST", " alice@example.test", ALICE])
      await requestReset(from(t, IP), email).expect(200);
    expectRateLimited(await requestReset(from(t, IP), "aLiCe@Example.Test"));
  });

  it("keeps a fixed window from the first request: requests later in the hour do not extend it (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await requestReset(from(t, IP), ALICE).expect(200);
    env.clock.advance(50 * MINUTE);
    for (let i = 0; i < 4; i++) await requestReset(from(t, IP), ALICE).expect(200);
    expect(expectRateLimited(await requestReset(from(t, IP), ALICE))).toBe(600);
    env.clock.advance(9 * MINUTE);
    expect(expectRateLimited(await requestReset(from(t, IP), ALICE))).toBe(60);
    env.clock.advance(MINUTE);
    await requestReset(from(t, IP), ALICE).expect(200);
  });

  it("starts a fresh budget once the hour is over (BF-03)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 5; i++) await requestReset(from(t, IP), ALICE).expect(200);
    expectRateLimited(await requestReset(from(t, IP), ALICE));
    env.clock.advance(HOUR);
    for (let i = 0; i < 5; i++) await requestReset(from(t, IP), ALICE).expect(200);
    expectRateLimited(await requestReset(from(t, IP), ALICE));
  });

  it("honours a custom `perAccount` and `window`", async () => {
    const config = env.config({ rateLimits: { passwordReset: { perAccount: 2, window: "10m" } } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await requestReset(from(t, IP), ALICE).expect(200);
    await requestReset(from(t, IP), ALICE).expect(200);
    expect(expectRateLimited(await requestReset(from(t, IP), ALICE))).toBe(600);
    env.clock.advance(10 * MINUTE);
    await requestReset(from(t, IP), ALICE).expect(200);
  });
});

describe("password reset requests: per client IP (BF-03)", () => {
  it("refuses the 21st request from one IP across different addresses (BF-03)", async () => {
    const config = env.config();
    const t = rateLimitApp(config);
    for (let i = 0; i < 20; i++) await requestReset(from(t, IP), `user${i}@example.test`).expect(200);
    expect(expectRateLimited(await requestReset(from(t, IP), "user20@example.test"))).toBe(3600);
    await requestReset(from(t, "198.51.100.1"), "user20@example.test").expect(200);
  });

  it("shares the per-IP budget within an IPv6 /64 (BF-02, BF-03)", async () => {
    const config = env.config({ rateLimits: { passwordReset: { perIp: 3 } } });
    const t = rateLimitApp(config);
    await requestReset(from(t, "2001:db8:5:6::1"), "a@example.test").expect(200);
    await requestReset(from(t, "2001:db8:5:6::2"), "b@example.test").expect(200);
    await requestReset(from(t, "2001:db8:5:6:ffff::3"), "c@example.test").expect(200);
    expectRateLimited(await requestReset(from(t, "2001:db8:5:6::4"), "d@example.test"));
    await requestReset(from(t, "2001:db8:5:7::4"), "d@example.test").expect(200);
  });

  it("`perIp: false` leaves only the per-account limit", async () => {
    const config = env.config({ rateLimits: { passwordReset: { perIp: false } } });
    const t = rateLimitApp(config);
    for (let i = 0; i < 25; i++) await requestReset(from(t, IP), `user${i}@example.test`).expect(200);
    expect(await bucketKeys(env, "passwordReset")).toHaveLength(25);
  });

  it("`passwordReset: false` turns the limit off", async () => {
    const config = env.config({ rateLimits: { passwordReset: false } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 8; i++) await requestReset(from(t, IP), ALICE).expect(200);
    expect(await bucketKeys(env)).toEqual([]);
  });
});

describe("password reset and the login limits (BF-03)", () => {
  it("keeps working from an IP whose logins are blocked, and the reset lets the owner in (BF-03)", async () => {
    const config = env.config({ rateLimits: { login: { perIp: 3 } }, loginLockout: { maxFailures: 3 } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 3; i++) await login(from(t, IP), ALICE, WRONG).expect(401);
    expectRateLimited(await login(from(t, "198.51.100.9"), ALICE, PASSWORD));
    await requestReset(from(t, IP), ALICE).expect(200);
    const token = t.lastToken("resetPassword");
    await from(t, IP)
      .post("/call/confirmResetPassword")
      .send({ args: [token, "a brand new passphrase here", false] })
      .expect(200);
    await login(from(t, "198.51.100.9"), ALICE, "a brand new passphrase here").expect(200);
  });
});
