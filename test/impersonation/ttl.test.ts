/** The lifetime of an impersonation (AZ-05): default, explicit, capped, and what happens when it runs out. */
import { describe, expect, it } from "vitest";
import { AuthStatus } from "../../src/index.js";
import { sessionIdOf } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  activityOf,
  behindTheLibrarysBack,
  call,
  emailOf,
  infoOf,
  start,
  whoami,
  world,
} from "./helpers.js";

const env = useTestEnv();
const MIN = 60_000;

/** expiresAt − startedAt of the current impersonation, in ms. */
async function lifetimeOf(agent: Parameters<typeof infoOf>[0]): Promise<number> {
  const info = (await infoOf(agent))!;
  return new Date(info.expiresAt).getTime() - new Date(info.startedAt).getTime();
}

describe("AZ-05: the TTL", () => {
  it("AZ-05: without a ttl the impersonation lasts defaultTtl (30 minutes)", async () => {
    const w = await world(env);
    const now = env.clock.now().getTime();
    await start(w.agent);
    const info = (await infoOf(w.agent))!;
    expect(new Date(info.startedAt).getTime()).toBe(now);
    expect(new Date(info.expiresAt).getTime()).toBe(now + 30 * MIN);
    const [row] = await activityOf(env, "impersonation_started");
    expect(row!.metadata).toMatchObject({ expiresAt: info.expiresAt });
  });

  it.each<[string, string | number, number]>([
    ['"10m"', "10m", 10 * MIN],
    ['"90s"', "90s", 90_000],
    ["5000 (ms)", 5000, 5000],
    ['"1h" (exactly maxTtl)', "1h", 60 * MIN],
    ['"45 minutes"', "45 minutes", 45 * MIN],
  ])("an explicit ttl of %s is used", async (_label, ttl, expected) => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { ttl });
    expect(await lifetimeOf(w.agent)).toBe(expected);
  });

  it.each<[string, string | number]>([
    ['"2h"', "2h"],
    ['"1h 1s"', "1h 1s"],
    ['"30d"', "30d"],
    ["a huge number", 1e15],
  ])("AZ-05: a ttl of %s is capped at maxTtl (1 hour)", async (_label, ttl) => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { ttl });
    expect(await lifetimeOf(w.agent)).toBe(60 * MIN);
  });

  it("defaultTtl and maxTtl are configurable; an explicit ttl is capped by the configured maxTtl", async () => {
    const w = await world(env, { impersonation: { defaultTtl: "5m", maxTtl: "20m" } });
    await start(w.agent);
    expect(await lifetimeOf(w.agent)).toBe(5 * MIN);
    await call(w.agent, "stopImpersonation").expect(200);
    await start(w.agent, { email: BOB }, { ttl: "25m" });
    expect(await lifetimeOf(w.agent)).toBe(20 * MIN);
  });

  it("a defaultTtl above maxTtl is capped by it", async () => {
    const w = await world(env, { impersonation: { maxTtl: "10m" } });
    await start(w.agent);
    expect(await lifetimeOf(w.agent)).toBe(10 * MIN);
  });
});

describe("AZ-05: expiry", () => {
  it("AZ-05: at expiresAt the next request is back to the actor, audited as impersonation_expired, under a new session id", async () => {
    const w = await world(env);
    const started = await start(w.agent, { email: BOB }, { ttl: "10m", reason: "ticket 9" });
    const startedAt = env.clock.now().getTime();
    env.clock.advance(10 * MIN - 1);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(1);
    const expired = await w.agent.get("/me");
    expect(expired.body).toMatchObject({ id: w.adminId, email: ADMIN, roles: ["Admin"] });
    expect(sessionIdOf(expired)).not.toBe(sessionIdOf(started));
    expect((await call(w.agent, "isImpersonating")).body.result).toBe(false);
    const rows = await activityOf(env, "impersonation_expired");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: w.bobId,
      actorAccountId: w.adminId,
      success: true,
      metadata: { targetAccountId: w.bobId, cause: "expired", startedAt: new Date(startedAt).toISOString() },
    });
    expect(await activityOf(env, "impersonation_stopped")).toHaveLength(0);
  });

  it("AZ-05: the default 30 minutes runs out while the admin keeps working (requests under the idle timeout)", async () => {
    const w = await world(env);
    await start(w.agent);
    env.clock.advance(20 * MIN);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(10 * MIN - 1000);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(1000);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await activityOf(env, "impersonation_expired")).toHaveLength(1);
  });

  it("expiry is checked on every request, not only at the resync interval", async () => {
    const w = await world(env, { config: { resyncInterval: "1h" } });
    await start(w.agent, { email: BOB }, { ttl: "90s" });
    env.clock.advance(60_000);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(30_000);
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it("after expiry the admin may start again", async () => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { ttl: "1m" });
    env.clock.advance(MIN);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    await start(w.agent, { email: BOB }, { ttl: "1m" });
    expect(await emailOf(w.agent)).toBe(BOB);
  });

  it("9.1 #9: an actor banned meanwhile does not get its session back at expiry: the whole session ends", async () => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { ttl: "10m" });
    // Behind the library's back: the session row survives; only the re-check at expiry can notice.
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    env.clock.advance(10 * MIN);
    expect(await whoami(w.agent)).toBeNull();
    expect(await activityOf(env, "impersonation_expired")).toHaveLength(1);
    expect(await emailOf(w.agent)).toBeNull();
  });

  it("9.1 #9: an actor force-logged-out meanwhile does not get its session back at expiry", async () => {
    const w = await world(env, { config: { resyncInterval: "1h" } });
    await start(w.agent, { email: BOB }, { ttl: "10m" });
    await behindTheLibrarysBack(env, w.adminId, { forceLogout: 1 });
    env.clock.advance(10 * MIN);
    expect(await whoami(w.agent)).toBeNull();
  });
});

describe("the actor's session lifetime", () => {
  it("the actor's session start is kept: sessionLifetime still counts from the admin's sign-in after the stop", async () => {
    const w = await world(env, { config: { sessionLifetime: "1h" } });
    env.clock.advance(20 * MIN);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    await start(w.agent, { email: BOB }, { ttl: "10m" });
    env.clock.advance(10 * MIN);
    expect(await emailOf(w.agent)).toBe(ADMIN); // expired: back to the admin
    env.clock.advance(20 * MIN);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    env.clock.advance(10 * MIN); // one hour after the sign-in
    expect(await whoami(w.agent)).toBeNull();
  });

  it("an impersonation does not outlive the actor's sessionLifetime", async () => {
    const w = await world(env, { config: { sessionLifetime: "1h" } });
    env.clock.advance(25 * MIN);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    env.clock.advance(25 * MIN);
    await start(w.agent, { email: BOB }, { ttl: "30m" });
    env.clock.advance(10 * MIN - 1);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(1);
    expect(await whoami(w.agent)).toBeNull();
    // AZ-05: the impersonation's end is still in the audit log, by the actor.
    const ends = [
      ...(await activityOf(env, "impersonation_stopped")),
      ...(await activityOf(env, "impersonation_expired")),
    ];
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ accountId: w.bobId, actorAccountId: w.adminId });
  });

  it("an idle impersonation ends with its session after the store's idle timeout (30 minutes)", async () => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { ttl: "1h" });
    env.clock.advance(30 * MIN + 1000);
    expect(await whoami(w.agent)).toBeNull();
  });
});
