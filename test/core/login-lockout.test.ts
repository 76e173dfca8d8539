import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { getAuthContext } from "../../src/core/context.js";
import { signIn } from "../../src/sign-in/sign-in.js";
import { AuthActivityAction, InvalidPasswordError, RateLimitedError, register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const WRONG = "wrong horse battery staple";
const MINUTE = 60_000;
const { activityLog, rateLimits } = authSchema;

/** Runs the sign-in use case with a password and returns its refusal (or "ok"). */
async function tryLogin(config: AuthConfig, email: unknown, password: unknown): Promise<unknown> {
  const ctx = await getAuthContext(config);
  const result = await signIn(ctx, { method: "password", input: { email, password }, request: {} });
  return result.kind === "refused" ? result.error : "ok";
}

async function fail(config: AuthConfig, times: number, email = ALICE): Promise<void> {
  for (let i = 0; i < times; i++) expect(await tryLogin(config, email, WRONG)).toBeInstanceOf(InvalidPasswordError);
}

describe("login lockout (BF-01)", () => {
  it("`login()` refuses the 11th attempt after 10 wrong passwords even with the correct password (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 10);
    const err = await tryLogin(config, ALICE, PASSWORD);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfter).toBe(15 * 60);
  });

  it("`login()` answers 429 with a Retry-After header once the account is locked (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    for (let i = 0; i < 10; i++) await t.agent().post("/login").send({ email: ALICE, password: WRONG }).expect(401);
    const res = await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(429);
    expect(res.headers["retry-after"]).toBe("900");
    expect(res.body.error).toBe("RATE_LIMITED");
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(t.errors).toEqual([]);
  });

  it("`login()` counts down Retry-After while the lock lasts (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 10);
    env.clock.advance(14 * MINUTE + 30_000);
    expect(await tryLogin(config, ALICE, PASSWORD)).toMatchObject({ retryAfter: 30 });
  });

  it("`login()` succeeds with the correct password once the clock passes the lock (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 10);
    env.clock.advance(15 * MINUTE + 1);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
  });

  it("`login()` does not extend the lock for attempts made while locked (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 10);
    env.clock.advance(10 * MINUTE);
    expect(await tryLogin(config, ALICE, WRONG)).toBeInstanceOf(RateLimitedError);
    env.clock.advance(5 * MINUTE + 1);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
  });

  it("`login()` resets the failure counter after a success (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 9);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
    expect(await env.db.db.select().from(rateLimits)).toHaveLength(0);
    await fail(config, 9);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
  });

  it("`login()` starts a new count when failures are older than the lock duration (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 9);
    env.clock.advance(15 * MINUTE + 1);
    await fail(config, 9);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
  });

  it("`login()` locks an unknown email after 10 attempts too (BF-01, EN-01)", async () => {
    const config = env.config();
    await fail(config, 10, "nobody@example.test");
    expect(await tryLogin(config, "nobody@example.test", PASSWORD)).toBeInstanceOf(RateLimitedError);
  });

  it("`login()` gives an unknown email the same 429 response as a locked account (BF-01, EN-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    for (const email of [ALICE, "nobody@example.test"])
      for (let i = 0; i < 10; i++) await t.agent().post("/login").send({ email, password: WRONG }).expect(401);
    const known = await t.agent().post("/login").send({ email: ALICE, password: PASSWORD });
    const unknown = await t.agent().post("/login").send({ email: "nobody@example.test", password: PASSWORD });
    expect(known.status).toBe(429);
    expect({ status: unknown.status, body: unknown.body, retry: unknown.headers["retry-after"] }).toEqual({
      status: known.status,
      body: known.body,
      retry: known.headers["retry-after"],
    });
  });

  it("`login()` counts failures per canonical email, so case variants share one counter (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 5, "ALICE@example.test");
    await fail(config, 5, " Alice@Example.Test");
    expect(await tryLogin(config, ALICE, PASSWORD)).toBeInstanceOf(RateLimitedError);
  });

  it("`login()` locks only the attacked account, not others (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await register(config, "bob@example.test", PASSWORD);
    await fail(config, 10);
    expect(await tryLogin(config, "bob@example.test", PASSWORD)).toBe("ok");
  });

  it("`login()` stores the lockout under a hash of the email, never the address (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 3);
    const rows = await env.db.db.select().from(rateLimits);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toBe(`login:${sha256(ALICE)}`);
    expect(rows[0]!.count).toBe(3);
    expect(JSON.stringify(rows)).not.toContain("alice");
  });

  it("`login()` writes a `login_locked` audit row on the failure that locks the account (BF-01)", async () => {
    const config = env.config();
    const account = await register(config, ALICE, PASSWORD);
    await fail(config, 9);
    const action = eq(activityLog.action, AuthActivityAction.LoginLocked);
    expect(await env.db.db.select().from(activityLog).where(action)).toHaveLength(0);
    await fail(config, 1);
    const rows = await env.db.db.select().from(activityLog).where(action);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId: account.id, success: false, metadata: { email: ALICE } });
  });

  it("`login()` writes a `failed_login` row with reason locked for attempts during the lock (BF-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await fail(config, 10);
    await tryLogin(config, ALICE, PASSWORD);
    const rows = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.FailedLogin));
    expect(rows.filter((r) => (r.metadata as { reason?: string }).reason === "locked")).toHaveLength(1);
  });

  it("`login()` honours a custom loginLockout of 3 failures for 1 minute (BF-01)", async () => {
    const config = env.config({ loginLockout: { maxFailures: 3, duration: "1m" } });
    await register(config, ALICE, PASSWORD);
    await fail(config, 3);
    expect(await tryLogin(config, ALICE, PASSWORD)).toMatchObject({ retryAfter: 60 });
    env.clock.advance(MINUTE + 1);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
  });

  it("`login()` never locks when loginLockout is false", async () => {
    const config = env.config({ loginLockout: false });
    await register(config, ALICE, PASSWORD);
    await fail(config, 11);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
    expect(await env.db.db.select().from(rateLimits)).toHaveLength(0);
  });

  it("`login()` throws RateLimitedError with retryAfter in seconds when an external limiter refuses", async () => {
    const keys: string[] = [];
    const limiter = {
      take(key: string) {
        keys.push(key);
        return { allowed: false, retryAfter: 5000 };
      },
    };
    const config = env.config({ limiter });
    await register(config, ALICE, PASSWORD);
    const err = await tryLogin(config, " Alice@Example.TEST", PASSWORD);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfter).toBe(5);
    // Keyed per canonical account and per client address, both hashed: no email in a limiter key.
    expect(keys[0]).toBe(`login:account:${createHash("sha256").update(ALICE).digest("hex")}`);
    expect(keys.every((k) => !k.includes("alice"))).toBe(true);
  });

  it("`login()` answers 429 with Retry-After 5 over HTTP when an external limiter refuses", async () => {
    const config = env.config({ limiter: { take: async () => ({ allowed: false, retryAfter: 5000 }) } });
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const res = await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(429);
    expect(res.headers["retry-after"]).toBe("5");
    const rows = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.FailedLogin));
    expect(rows.map((r) => r.metadata)).toEqual([expect.objectContaining({ reason: "rate_limited" })]);
  });

  it.each(["hit", "drip", "consume", "check"])(
    "`login()` consults an external limiter that only has `%s`",
    async (method) => {
      const config = env.config({ limiter: { [method]: () => ({ allowed: false, retryAfter: 2500 }) } as never });
      await register(config, ALICE, PASSWORD);
      expect(await tryLogin(config, ALICE, PASSWORD)).toMatchObject({ retryAfter: 3 });
    },
  );

  it("`login()` proceeds when the external limiter allows the attempt", async () => {
    let calls = 0;
    const config = env.config({ limiter: { take: () => (calls++, { allowed: true }) } });
    await register(config, ALICE, PASSWORD);
    expect(await tryLogin(config, ALICE, PASSWORD)).toBe("ok");
    expect(calls).toBe(1);
  });
});
