/**
 * `rateLimits.register`: self-service sign-ups (`req.auth.register`, `POST /auth/register`) per client IP,
 * IPv6 grouped by /64, taken addresses counted exactly like free ones (BF-02, EN-03).
 */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { ExternalLimiter } from "../../src/config.js";
import { AuthConfigError, register, resolveAuthConfig } from "../../src/index.js";
import { sha256 } from "../helpers/cookies.js";
import { recordingDb } from "../helpers/recording-db.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { csrfOf, restApp } from "../rest/helpers.js";
import { HOUR, MINUTE, bucketKeys, call, expectRateLimited, from, observable, rateLimitApp } from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";

/** `req.auth.register(email, PASSWORD)` from an agent. */
function signUp(agent: ReturnType<typeof from>, email: string, password = PASSWORD) {
  return call(agent, "register", email, password);
}

async function accountCount(): Promise<number> {
  return (await env.db.db.select().from(authSchema.accounts)).length;
}

describe("req.auth.register(): per client IP (BF-02)", () => {
  it("refuses the 11th sign-up from one IP within an hour with 429 RATE_LIMITED and Retry-After (BF-02)", async () => {
    const t = rateLimitApp(env.config());
    for (let i = 0; i < 10; i++) await signUp(from(t, IP), `user${i}@example.test`).expect(200);
    expect(expectRateLimited(await signUp(from(t, IP), "user10@example.test"))).toBe(3600);
    expect(await accountCount()).toBe(10);
    await signUp(from(t, "198.51.100.1"), "user10@example.test").expect(200);
    expect(t.errors).toEqual([]);
  });

  it("counts a taken address exactly like a free one, and over the limit both get the same 429 (EN-03, BF-02)", async () => {
    const config = env.config({ rateLimits: { register: { perIp: 3 } } });
    await register(config, "taken@example.test", PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 3; i++) await signUp(from(t, "192.0.2.1"), "taken@example.test").expect(409);
    for (let i = 0; i < 3; i++) await signUp(from(t, "192.0.2.2"), `free${i}@example.test`).expect(200);
    const taken = observable(await signUp(from(t, "192.0.2.1"), "taken@example.test"));
    const free = observable(await signUp(from(t, "192.0.2.2"), "free9@example.test"));
    expect(taken.status).toBe(429);
    expect(free).toEqual(taken);
    // The free address is refused from the first IP too: the count belongs to the IP, not the address.
    expectRateLimited(await signUp(from(t, "192.0.2.1"), "free9@example.test"));
    expect(await accountCount()).toBe(4);
  });

  it("shares the budget within an IPv6 /64 and not across /64s (BF-02)", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { register: { perIp: 3 } } }));
    await signUp(from(t, "2001:db8:1:2::1"), "a@example.test").expect(200);
    await signUp(from(t, "2001:db8:1:2:ffff::2"), "b@example.test").expect(200);
    await signUp(from(t, "2001:DB8:1:2:abcd::3"), "c@example.test").expect(200);
    expectRateLimited(await signUp(from(t, "2001:db8:1:2::4"), "d@example.test"));
    await signUp(from(t, "2001:db8:1:3::4"), "d@example.test").expect(200);
    expect(await bucketKeys(env, "register")).toEqual(
      [`rl:register:ip:${sha256("2001:db8:1:2::/64")}`, `rl:register:ip:${sha256("2001:db8:1:3::/64")}`].sort(),
    );
  });

  it("keeps a fixed window from the first sign-up; the budget comes back whole after the hour (BF-02)", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { register: { perIp: 2 } } }));
    await signUp(from(t, IP), "a@example.test").expect(200);
    env.clock.advance(50 * MINUTE);
    await signUp(from(t, IP), "b@example.test").expect(200);
    expect(expectRateLimited(await signUp(from(t, IP), "c@example.test"))).toBe(600);
    env.clock.advance(10 * MINUTE);
    await signUp(from(t, IP), "c@example.test").expect(200);
  });

  it("does not count malformed attempts (no hash was spent): a weak password is a 400, the budget stays", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { register: { perIp: 2 } } }));
    for (let i = 0; i < 5; i++) await signUp(from(t, IP), "a@example.test", "short").expect(400);
    await signUp(from(t, IP), "a@example.test").expect(200);
    await signUp(from(t, IP), "b@example.test").expect(200);
    expectRateLimited(await signUp(from(t, IP), "c@example.test"));
  });

  it("a refused sign-up writes no account, no confirmation and no audit row", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { register: { perIp: 1 } } }));
    await call(from(t, IP), "register", "a@example.test", PASSWORD, null, "$callback").expect(200);
    const before = (await env.db.db.select().from(authSchema.activityLog)).length;
    expectRateLimited(await call(from(t, IP), "register", "b@example.test", PASSWORD, null, "$callback"));
    expect(await accountCount()).toBe(1);
    expect(await env.db.db.select().from(authSchema.confirmations)).toHaveLength(1);
    expect((await env.db.db.select().from(authSchema.activityLog)).length).toBe(before);
    expect(t.outbox).toHaveLength(1);
  });
});

describe("rateLimits.register options", () => {
  it("`register: false` turns the limit off, and stores no bucket", async () => {
    const t = rateLimitApp(env.config({ rateLimits: { register: false } }));
    for (let i = 0; i < 12; i++) await signUp(from(t, IP), `user${i}@example.test`).expect(200);
    expect(await bucketKeys(env)).toEqual([]);
  });

  it("`rateLimits.register.perAccount` is refused at startup: sign-ups are counted per IP", () => {
    const config = env.config({ rateLimits: { register: { perAccount: 3 } } });
    expect(() => resolveAuthConfig(config)).toThrow(AuthConfigError);
    expect(() => resolveAuthConfig(config)).toThrow(/rateLimits\.register\.perAccount must be false/);
  });

  it("admin `createUser` and the server-side `register(config, …)` are not counted", async () => {
    const config = env.config({ rateLimits: { register: { perIp: 1 } } });
    const t = rateLimitApp(config);
    for (let i = 0; i < 3; i++) {
      await call(from(t, IP), "createUser", { email: `admin${i}@example.test`, password: PASSWORD }).expect(200);
      await register(config, `server${i}@example.test`, PASSWORD);
    }
    expect(await bucketKeys(env, "register")).toEqual([]);
    await signUp(from(t, IP), "self@example.test").expect(200);
    expectRateLimited(await signUp(from(t, IP), "self2@example.test"));
  });

  it("an external limiter is asked with `register:ip:<sha256 of the /64>`, and its refusal is a 429 (BF-02)", async () => {
    const keys: string[] = [];
    // Allows the first two sign-ups, then refuses with 90.5 s to wait.
    const limiter: ExternalLimiter = {
      take(key) {
        keys.push(key);
        return keys.length > 2 ? { allowed: false, retryAfter: 90_500 } : { allowed: true };
      },
    };
    const t = rateLimitApp(env.config({ limiter }));
    await signUp(from(t, "2001:db8:4:4::1"), "a@example.test").expect(200);
    await signUp(from(t, "2001:db8:4:4::2"), "a@example.test").expect(409);
    expect(expectRateLimited(await signUp(from(t, IP), "b@example.test"))).toBe(91);
    expect(keys).toEqual([
      `register:ip:${sha256("2001:db8:4:4::/64")}`,
      `register:ip:${sha256("2001:db8:4:4::/64")}`,
      `register:ip:${sha256(IP)}`,
    ]);
    expect(await bucketKeys(env)).toEqual([]);
  });
});

describe("rateLimits.register: cost", () => {
  it("adds one upsert before the hash and leaves the transaction's statements as they were", async () => {
    const statementsOf = async (rateLimits: false | undefined, email: string) => {
      const recording = recordingDb(env);
      const t = rateLimitApp(env.config({ db: recording.db, rateLimits }));
      await signUp(from(t, IP), `warm-${email}`).expect(200);
      recording.statements.length = 0;
      await signUp(from(t, IP), email).expect(200);
      return recording.statements;
    };
    const without = await statementsOf(false, "a@example.test");
    const limited = await statementsOf(undefined, "b@example.test");
    expect(limited).toHaveLength(without.length + 1);
    expect(limited[0]).toMatch(/^insert into "auth_rate_limits" .* on conflict/);
    expect(limited.slice(1)).toEqual(without);
  });
});

describe("POST /auth/register (REST)", () => {
  it("answers 429 with Retry-After beyond the limit, for a taken and a free address alike (BF-02, EN-03)", async () => {
    const rest = restApp(env, { trustProxy: true, config: { rateLimits: { register: { perIp: 2 } } } });
    await register(rest.config, "taken@example.test", PASSWORD);
    const post = async (ip: string, email: string) => {
      const agent = rest.agent().set("X-Forwarded-For", ip);
      const csrfToken = await csrfOf(agent);
      return agent
        .post("/auth/register")
        .set("Accept", "application/json")
        .send({ email, password: PASSWORD, csrfToken });
    };
    for (let i = 0; i < 2; i++) expect((await post("192.0.2.1", "taken@example.test")).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await post("192.0.2.2", `free${i}@example.test`)).status).toBe(200);
    const taken = await post("192.0.2.1", "taken@example.test");
    const free = await post("192.0.2.2", "free9@example.test");
    expect(taken.status).toBe(429);
    expect(taken.headers["retry-after"]).toBe(String(HOUR / 1000));
    expect(taken.body).toMatchObject({ error: "RATE_LIMITED", code: "RATE_LIMITED", retryAfter: 3600 });
    expect({ status: free.status, body: free.body, retryAfter: free.headers["retry-after"] }).toEqual({
      status: taken.status,
      body: taken.body,
      retryAfter: taken.headers["retry-after"],
    });
    expect(rest.mail.verifications.map((l) => l.email)).toEqual(["free0@example.test", "free1@example.test"]);
  });
});
