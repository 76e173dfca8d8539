import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig, ExternalLimiter, LimiterResult } from "../../src/config.js";
import type { TwoFactorDelivery } from "../../src/options/two-factor.js";
import { register } from "../../src/index.js";
import type { TestApp } from "../helpers/app.js";
import { sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  SECRET,
  type TwoFactorApp,
  call as call2fa,
  codeAt,
  startLogin,
  totpAccount,
  wrongCode,
} from "../two-factor/helpers.js";
import {
  ALICE,
  WRONG,
  bucketKeys,
  call,
  expectRateLimited,
  from,
  limiterRows,
  login,
  rateLimitApp,
  requestReset,
  resend,
} from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";

type Verdict = (key: string) => LimiterResult | Promise<LimiterResult>;

/** An external limiter with one method that records every key it is asked about. */
function spyLimiter(verdict: Verdict = () => ({ allowed: true }), method = "take") {
  const keys: string[] = [];
  const limiter = {
    [method]: async (key: string) => {
      keys.push(key);
      return verdict(key);
    },
  } as unknown as ExternalLimiter;
  return { limiter, keys };
}

/** The keys the library promises for an action: account side, then IP side. */
function keysOf(action: string, account: string | null, bucket: string | null): string[] {
  return [
    ...(account === null ? [] : [`${action}:account:${sha256(account)}`]),
    ...(bucket === null ? [] : [`${action}:ip:${sha256(bucket)}`]),
  ];
}

async function auditReasons(action: string): Promise<unknown[]> {
  const a = authSchema.activityLog;
  const rows = await env.db.db.select().from(a).where(eq(a.action, action));
  return rows.map((r) => (r.metadata as { reason?: unknown } | null)?.reason);
}

/** A two-factor app with the given limiter; the account has TOTP enrolled. */
async function twoFactorSetup(limiter: ExternalLimiter) {
  const deliveries: TwoFactorDelivery[] = [];
  const config = env.config({
    secret: SECRET,
    limiter,
    twoFactor: { enabled: true, deliver: (m) => void deliveries.push(m) },
  });
  const app: TwoFactorApp = { t: rateLimitApp(config), config, deliveries, lastCode: () => "" };
  const { secret } = await totpAccount(app, env, ALICE);
  const [row] = await env.db.db
    .select({ id: authSchema.accounts.id })
    .from(authSchema.accounts)
    .where(eq(authSchema.accounts.email, ALICE));
  return { app, secret, accountId: row!.id };
}

describe("external limiter: the keys it is called with", () => {
  it("login: `login:account:<sha256 of the canonical email>` and `login:ip:<sha256 of the address>`, on every attempt", async () => {
    const spy = spyLimiter();
    const config = env.config({ limiter: spy.limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), "Alice@Example.TEST", PASSWORD).expect(200);
    await login(from(t, IP), ALICE, WRONG).expect(401);
    await login(from(t, IP), "nobody@example.test", WRONG).expect(401);
    expect(spy.keys).toEqual([
      ...keysOf("login", ALICE, IP),
      ...keysOf("login", ALICE, IP),
      ...keysOf("login", "nobody@example.test", IP),
    ]);
    for (const key of spy.keys) {
      expect(key).not.toContain("alice");
      expect(key).not.toContain(IP);
    }
  });

  it("groups IPv6 clients by /64 and IPv4-mapped addresses with IPv4 in the IP key (BF-02)", async () => {
    const spy = spyLimiter();
    const config = env.config({ limiter: spy.limiter });
    const t = rateLimitApp(config);
    await login(from(t, "2001:db8:1:2::1"), ALICE, WRONG).expect(401);
    await login(from(t, "2001:DB8:1:2:ffff::9"), ALICE, WRONG).expect(401);
    await login(from(t, `::ffff:${IP}`), ALICE, WRONG).expect(401);
    expect(spy.keys).toEqual([
      ...keysOf("login", ALICE, "2001:db8:1:2::/64"),
      ...keysOf("login", ALICE, "2001:db8:1:2::/64"),
      ...keysOf("login", ALICE, IP),
    ]);
  });

  it("password reset: `passwordReset:account:…` and `passwordReset:ip:…`, for unknown addresses too", async () => {
    const spy = spyLimiter();
    const config = env.config({ limiter: spy.limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await requestReset(from(t, IP), ALICE).expect(200);
    await requestReset(from(t, IP), "nobody@example.test").expect(200);
    expect(spy.keys).toEqual([
      ...keysOf("passwordReset", ALICE, IP),
      ...keysOf("passwordReset", "nobody@example.test", IP),
    ]);
  });

  it("confirmation resend: `confirmationResend:account:…` and `confirmationResend:ip:…`", async () => {
    const spy = spyLimiter();
    const t = rateLimitApp(env.config({ limiter: spy.limiter }));
    await resend(from(t, IP), "Nobody@Example.test").expect(200);
    expect(spy.keys).toEqual(keysOf("confirmationResend", "nobody@example.test", IP));
  });

  it("second factor: `twoFactor:account:<sha256 of account:<id>>` and `twoFactor:ip:…`, for every answer", async () => {
    const spy = spyLimiter();
    const { app, secret, accountId } = await twoFactorSetup(spy.limiter);
    const { agent } = await startLogin(app, { agent: from(app.t, IP) });
    spy.keys.length = 0;
    await call2fa(agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now())).expect(401);
    await call2fa(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const expected = keysOf("twoFactor", `account:${accountId}`, IP);
    expect(spy.keys).toEqual([...expected, ...expected]);
  });

  it("leaves the IP key out when the client address is unusable", async () => {
    const spy = spyLimiter();
    const t = rateLimitApp(env.config({ limiter: spy.limiter }));
    await resend(from(t, "unknown"), ALICE).expect(200);
    expect(spy.keys).toEqual(keysOf("confirmationResend", ALICE, null));
  });

  it.each(["take", "hit", "drip", "consume", "check"])("calls a limiter whose method is `%s`", async (method) => {
    const spy = spyLimiter(() => ({ allowed: false, retryAfter: 5000 }), method);
    const t = rateLimitApp(env.config({ limiter: spy.limiter }));
    expect(expectRateLimited(await resend(from(t, IP), ALICE))).toBe(5);
    expect(spy.keys).toHaveLength(1);
  });

  it("prefers `take` when the object has several methods, and calls it with the object as `this`", async () => {
    class Buckets {
      readonly seen: string[] = [];
      take(key: string): LimiterResult {
        this.seen.push(key);
        return { allowed: true };
      }
      check(): LimiterResult {
        throw new Error("check must not be called");
      }
    }
    const buckets = new Buckets();
    const t = rateLimitApp(env.config({ limiter: buckets }));
    await resend(from(t, IP), ALICE).expect(200);
    expect(buckets.seen).toEqual(keysOf("confirmationResend", ALICE, IP));
  });
});

/** The four limited actions, each run once from IP against a fresh app. */
const actions: [string, (t: TestApp) => ReturnType<typeof login>][] = [
  ["login", (t) => login(from(t, IP), ALICE, PASSWORD)],
  ["passwordReset", (t) => requestReset(from(t, IP), ALICE)],
  ["confirmationResend", (t) => resend(from(t, IP), ALICE)],
];

describe("external limiter: a refusal", () => {
  it.each(actions)("%s: answers 429 with Retry-After = ceil(retryAfter / 1000)", async (action, run) => {
    const spy = spyLimiter((key) =>
      key.startsWith(`${action}:`) ? { allowed: false, retryAfter: 1500 } : { allowed: true },
    );
    const config = env.config({ limiter: spy.limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    const res = await run(t);
    expect(expectRateLimited(res)).toBe(2);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(t.outbox).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it("twoFactor: answers 429 with the limiter's Retry-After, even for the right code", async () => {
    const spy = spyLimiter((key) =>
      key.startsWith("twoFactor:ip:") ? { allowed: false, retryAfter: 42_000 } : { allowed: true },
    );
    const { app, secret } = await twoFactorSetup(spy.limiter);
    const { agent } = await startLogin(app, { agent: from(app.t, IP) });
    expect(expectRateLimited(await call2fa(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())))).toBe(42);
    await call2fa(agent, "completeTwoFactorLogin").expect(401);
  });

  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_001, 60],
    [3_600_000, 3600],
    [0, 1],
    [-5000, 1],
    [undefined, 1],
    [Number.NaN, 1],
    [Number.POSITIVE_INFINITY, 1],
    ["30000", 1],
  ])("turns retryAfter %j ms into Retry-After %i s", async (retryAfter, seconds) => {
    const spy = spyLimiter(() => ({ allowed: false, retryAfter: retryAfter as number }));
    const t = rateLimitApp(env.config({ limiter: spy.limiter }));
    expect(expectRateLimited(await resend(from(t, IP), ALICE))).toBe(seconds);
  });

  it("refuses a login before the password is checked and audits it as rate_limited", async () => {
    const spy = spyLimiter(() => ({ allowed: false, retryAfter: 10_000 }));
    const config = env.config({ limiter: spy.limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    const agent = from(t, IP);
    expectRateLimited(await login(agent, ALICE, PASSWORD));
    await agent.get("/me").expect(401);
    expect(await auditReasons("failed_login")).toEqual(["rate_limited"]);
    expect(await auditReasons("login")).toEqual([]);
  });

  it("stops at the first refused key (the IP side is not consumed when the account side refuses)", async () => {
    const spy = spyLimiter((key) => (key.includes(":account:") ? { allowed: false } : { allowed: true }));
    const t = rateLimitApp(env.config({ limiter: spy.limiter }));
    expectRateLimited(await requestReset(from(t, IP), ALICE));
    expect(spy.keys).toEqual(keysOf("passwordReset", ALICE, null));
  });

  it("fails closed when the limiter throws: no sign-in, no token, no 2xx", async () => {
    const spy = spyLimiter(() => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
    });
    const config = env.config({ limiter: spy.limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    const agent = from(t, IP);
    const res = await login(agent, ALICE, PASSWORD);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(res.body)).not.toContain("6379");
    await agent.get("/me").expect(401);
    expect((await requestReset(from(t, IP), ALICE)).status).toBeGreaterThanOrEqual(500);
    expect(t.outbox).toEqual([]);
  });
});

describe("external limiter: replaces the built-in one", () => {
  it("keeps the rate_limits table empty for successful logins, resets, resends and second factors", async () => {
    const spy = spyLimiter();
    const { app, secret } = await twoFactorSetup(spy.limiter);
    const t = app.t;
    const { agent } = await startLogin(app, { agent: from(t, IP) });
    await call2fa(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call2fa(agent, "completeTwoFactorLogin").expect(200);
    for (let i = 0; i < 6; i++) await requestReset(from(t, IP), ALICE).expect(200);
    for (let i = 0; i < 6; i++) await resend(from(t, IP), `user${i}@example.test`).expect(200);
    expect(await limiterRows(env)).toEqual([]);
  });

  it("does not apply the built-in per-IP limits; only the account lockout (its own key) is still stored", async () => {
    const spy = spyLimiter();
    const config: AuthConfig = env.config({
      limiter: spy.limiter,
      rateLimits: { login: { perIp: 2 }, passwordReset: { perAccount: 1, perIp: 1 } },
    });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 4; i++) await login(from(t, IP), `user${i}@example.test`, WRONG).expect(401);
    await login(from(t, IP), ALICE, PASSWORD).expect(200);
    for (let i = 0; i < 3; i++) await requestReset(from(t, IP), ALICE).expect(200);
    expect(await bucketKeys(env)).toEqual([]);
    const keys = (await limiterRows(env)).map((r) => r.key);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(key).toMatch(/^login:[0-9a-f]{64}$/);
  });

  it("with `loginLockout: false` as well, nothing at all is written to rate_limits", async () => {
    const spy = spyLimiter();
    const config = env.config({ limiter: spy.limiter, loginLockout: false });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, IP), ALICE, WRONG).expect(401);
    await login(from(t, IP), "nobody@example.test", WRONG).expect(401);
    await call(from(t, IP), "resendConfirmation", ALICE, "$callback").expect(200);
    expect(await limiterRows(env)).toEqual([]);
  });
});
