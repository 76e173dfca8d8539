import { describe, expect, it } from "vitest";
import { register } from "../../src/index.js";
import type { TestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  BOB,
  HOUR,
  MINUTE,
  bucketKeys,
  call,
  expectRateLimited,
  from,
  observable,
  rateLimitApp,
  resend,
} from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";

/** Registers an unverified account over HTTP (a callback means "send a confirmation"). */
async function registerUnverified(t: TestApp, email: string): Promise<void> {
  await call(from(t, "192.0.2.250"), "register", email, PASSWORD, null, "$callback").expect(200);
}

function resends(t: TestApp): number {
  return t.outbox.filter((m) => m.method === "resendConfirmation").length;
}

describe("confirmation resends: per account (BF-03)", () => {
  it("refuses the 6th resend for one address within an hour with 429 RATE_LIMITED (BF-03)", async () => {
    const t = rateLimitApp(env.config());
    await registerUnverified(t, ALICE);
    for (let i = 0; i < 5; i++) await resend(from(t, IP), ALICE).expect(200);
    expect(resends(t)).toBe(5);
    expect(expectRateLimited(await resend(from(t, IP), ALICE))).toBe(3600);
    expect(resends(t)).toBe(5);
    expect(t.errors).toEqual([]);
  });

  it("counts the address across client IPs (BF-03)", async () => {
    const t = rateLimitApp(env.config());
    await registerUnverified(t, ALICE);
    for (let i = 1; i <= 5; i++) await resend(from(t, `192.0.2.${i}`), ALICE).expect(200);
    expectRateLimited(await resend(from(t, "2001:db8::1"), ALICE));
  });

  it("answers unknown, verified and unverified addresses identically, within and beyond the limit (EN-04, BF-03)", async () => {
    const config = env.config();
    await register(config, BOB, PASSWORD);
    const t = rateLimitApp(config);
    await registerUnverified(t, ALICE);
    const cases = [
      [ALICE, "192.0.2.1"],
      [BOB, "192.0.2.2"],
      ["nobody@example.test", "192.0.2.3"],
    ] as const;
    for (let i = 0; i < 5; i++) {
      const answers = [];
      for (const [email, ip] of cases) answers.push(observable(await resend(from(t, ip), email)));
      expect(answers[0]).toMatchObject({ status: 200, body: { result: null } });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    }
    const refused = [];
    for (const [email, ip] of cases) refused.push(observable(await resend(from(t, ip), email)));
    expect(refused[0]!.status).toBe(429);
    expect(refused[1]).toEqual(refused[0]);
    expect(refused[2]).toEqual(refused[0]);
  });

  it("starts a fresh budget an hour after the first resend, not after the last (BF-03)", async () => {
    const t = rateLimitApp(env.config());
    await registerUnverified(t, ALICE);
    await resend(from(t, IP), ALICE).expect(200);
    env.clock.advance(30 * MINUTE);
    for (let i = 0; i < 4; i++) await resend(from(t, IP), ALICE).expect(200);
    expect(expectRateLimited(await resend(from(t, IP), ALICE))).toBe(1800);
    env.clock.advance(30 * MINUTE);
    await resend(from(t, IP), ALICE).expect(200);
    env.clock.advance(HOUR);
    for (let i = 0; i < 4; i++) await resend(from(t, IP), ALICE).expect(200);
  });
});

describe("confirmation resends: per client IP (BF-03)", () => {
  it("refuses the 21st resend from one IP across different addresses; other IPs go on (BF-03)", async () => {
    const t = rateLimitApp(env.config());
    for (let i = 0; i < 20; i++) await resend(from(t, IP), `user${i}@example.test`).expect(200);
    expect(expectRateLimited(await resend(from(t, IP), "user20@example.test"))).toBe(3600);
    await resend(from(t, "198.51.100.1"), "user20@example.test").expect(200);
  });

  it("shares the budget within an IPv6 /64 and not across /64s (BF-02, BF-03)", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { confirmationResend: { perIp: 2 } } }));
    await resend(from(t, "2001:db8:9:9::1"), "a@example.test").expect(200);
    await resend(from(t, "2001:db8:9:9:1::1"), "b@example.test").expect(200);
    expectRateLimited(await resend(from(t, "2001:db8:9:9:2::1"), "c@example.test"));
    await resend(from(t, "2001:db8:9:a::1"), "c@example.test").expect(200);
  });

  it("is independent of the password reset budget", async () => {
    const config = env.config({ rateLimits: { confirmationResend: { perIp: 2 }, passwordReset: { perIp: 2 } } });
    const t = rateLimitApp(config);
    await resend(from(t, IP), "a@example.test").expect(200);
    await resend(from(t, IP), "b@example.test").expect(200);
    expectRateLimited(await resend(from(t, IP), "c@example.test"));
    await call(from(t, IP), "resetPassword", "c@example.test", null, null, "$callback").expect(200);
    expect(await bucketKeys(env, "passwordReset")).toHaveLength(2);
  });

  it("`confirmationResend: false` turns the limit off", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { confirmationResend: false } }));
    await registerUnverified(t, ALICE);
    for (let i = 0; i < 8; i++) await resend(from(t, IP), ALICE).expect(200);
    expect(resends(t)).toBe(8);
    // The sign-up itself counted in its own `rl:register:` bucket; no resend bucket exists.
    expect(await bucketKeys(env, "confirmationResend")).toEqual([]);
  });
});
