/**
 * The external limiter against a real Redis token bucket on 127.0.0.1:6379 (CI starts one; REDIS_PORT
 * overrides the port). Skipped, with a message, when nothing answers there within 500 ms.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "../../src/index.js";
import { sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ALICE, BOB, expectRateLimited, from, limiterRows, login, rateLimitApp, requestReset } from "./helpers.js";
import { RespClient, RespError, deleteKeys, redisTokenBucket, scanKeys } from "./resp.js";

const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6379);
const REDIS_HOST = "127.0.0.1";

/** Rejects when `promise` takes longer than `ms` (something may accept the connection and never answer). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeRedis(): Promise<boolean> {
  try {
    const client = await RespClient.connect(REDIS_PORT, REDIS_HOST, 500);
    try {
      const pong = await within(client.command("PING"), 500, "PING");
      if (pong !== "PONG") throw new Error(`PING answered ${JSON.stringify(pong)}`);
      return true;
    } finally {
      client.destroy();
    }
  } catch (err) {
    // CI starts Redis and sets REQUIRE_REDIS=1: there, an unreachable Redis is a failure, not a skip.
    if (process.env.REQUIRE_REDIS === "1")
      throw new Error(`Redis is required (REQUIRE_REDIS=1) but not reachable: ${(err as Error).message}`);
    console.warn(
      `[rate-limit/redis.test.ts] Redis is not reachable on ${REDIS_HOST}:${REDIS_PORT} ` +
        `(${(err as Error).message}): the Redis token-bucket tests are SKIPPED. Start Redis to run them.`,
    );
    return false;
  }
}

const redisReachable = await probeRedis();

const env = useTestEnv();
const IP = "203.0.113.7";
/** This run's namespace: nothing outside it is read or deleted. */
const RUN_PREFIX = `eda-test:rate-limit:${process.pid}:${randomUUID()}:`;
let client: RespClient;
let testCount = 0;

beforeAll(async () => {
  if (redisReachable) client = await RespClient.connect(REDIS_PORT, REDIS_HOST, 500);
});

afterAll(async () => {
  if (!redisReachable) return;
  await deleteKeys(client, RUN_PREFIX);
  expect(await scanKeys(client, RUN_PREFIX)).toEqual([]);
  await client.close();
});

/** A token bucket on the test clock, under a prefix of its own. */
function bucket(capacity: number, refillMs: number) {
  const prefix = `${RUN_PREFIX}${++testCount}:`;
  const limiter = redisTokenBucket(client, { prefix, capacity, refillMs, now: () => env.clock.now().getTime() });
  return { prefix, limiter };
}

describe("RESP client", () => {
  it.runIf(redisReachable)("speaks RESP: simple strings, integers, bulk strings, nil, arrays and errors", async () => {
    const key = `${RUN_PREFIX}resp`;
    expect(await client.command("SET", key, "héllo\r\nworld")).toBe("OK");
    expect(await client.command("GET", key)).toBe("héllo\r\nworld");
    expect(await client.command("STRLEN", key)).toBe(Buffer.byteLength("héllo\r\nworld"));
    expect(await client.command("GET", `${key}:missing`)).toBeNull();
    expect(await client.command("EVAL", "return {1, 'two', {3}}", 0)).toEqual([1, "two", [3]]);
    await expect(client.command("INCR", key)).rejects.toBeInstanceOf(RespError);
    const pipelined = await Promise.all([1, 2, 3].map((n) => client.command("ECHO", `x${n}`)));
    expect(pipelined).toEqual(["x1", "x2", "x3"]);
    expect(await client.command("DEL", key)).toBe(1);
  });
});

describe("external limiter: a Redis token bucket", () => {
  it.runIf(redisReachable)("refuses a login once the bucket is empty, with Retry-After from the bucket", async () => {
    const { limiter, prefix } = bucket(3, 60_000);
    const config = env.config({ limiter });
    await register(config, ALICE, PASSWORD);
    await register(config, BOB, PASSWORD);
    const t = rateLimitApp(config);
    for (let i = 0; i < 3; i++) await login(from(t, IP), ALICE, PASSWORD).expect(200);
    expect(expectRateLimited(await login(from(t, IP), ALICE, PASSWORD))).toBe(60);
    // The account's bucket is empty wherever the request comes from; another account elsewhere is fine.
    expect(expectRateLimited(await login(from(t, "198.51.100.1"), ALICE, PASSWORD))).toBe(60);
    await login(from(t, "198.51.100.2"), BOB, PASSWORD).expect(200);
    env.clock.advance(30_000);
    expect(expectRateLimited(await login(from(t, "198.51.100.1"), ALICE, PASSWORD))).toBe(30);
    env.clock.advance(30_000);
    await login(from(t, "198.51.100.1"), ALICE, PASSWORD).expect(200);
    const keys = await scanKeys(client, prefix);
    expect(keys.sort()).toEqual(
      [
        `login:account:${sha256(ALICE)}`,
        `login:account:${sha256(BOB)}`,
        `login:ip:${sha256(IP)}`,
        `login:ip:${sha256("198.51.100.1")}`,
        `login:ip:${sha256("198.51.100.2")}`,
      ]
        .map((k) => prefix + k)
        .sort(),
    );
    expect(await limiterRows(env)).toEqual([]);
  });

  it.runIf(redisReachable)("refuses a login from an IP whose bucket is empty, across accounts (BF-02)", async () => {
    const { limiter } = bucket(2, 45_000);
    const config = env.config({ limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await login(from(t, "2001:db8:1:2::1"), "a@example.test", PASSWORD).expect(401);
    await login(from(t, "2001:db8:1:2::2"), "b@example.test", PASSWORD).expect(401);
    expect(expectRateLimited(await login(from(t, "2001:db8:1:2::3"), ALICE, PASSWORD))).toBe(45);
    await login(from(t, "2001:db8:1:3::1"), ALICE, PASSWORD).expect(200);
  });

  it.runIf(redisReachable)("refuses password reset requests once the bucket is empty (BF-03)", async () => {
    const { limiter, prefix } = bucket(2, 90_000);
    const config = env.config({ limiter });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await requestReset(from(t, IP), ALICE).expect(200);
    await requestReset(from(t, IP), ALICE).expect(200);
    expect(expectRateLimited(await requestReset(from(t, IP), ALICE))).toBe(90);
    expect(expectRateLimited(await requestReset(from(t, IP), "nobody@example.test"))).toBe(90);
    expect(t.outbox).toHaveLength(2);
    env.clock.advance(90_000);
    await requestReset(from(t, "198.51.100.3"), ALICE).expect(200);
    const keys = await scanKeys(client, prefix);
    for (const key of keys) {
      expect(key.slice(prefix.length)).toMatch(/^passwordReset:(account|ip):[0-9a-f]{64}$/);
      expect(await client.command("PTTL", key)).toBeGreaterThan(0);
    }
    expect(await limiterRows(env)).toEqual([]);
  });
});
