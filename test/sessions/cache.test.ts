/** The session cache on its own: bound, TTL, health gating and the read-versus-notification race. */
import { describe, expect, it } from "vitest";
import { type CacheHealth, SessionCache } from "../../src/session-cache/cache.js";

function cache(o: { maxEntries?: number; ttlMs?: number | null } = {}) {
  const clock = { now: 1_000 };
  const health: CacheHealth = { usable: true, epoch: 1 };
  const c = new SessionCache({
    maxEntries: o.maxEntries ?? 3,
    ttlMs: o.ttlMs ?? null,
    health: () => health,
    now: () => clock.now,
  });
  return { c, clock, health };
}

const entry = (accountId: number | null = 7, expires = 100_000) => ({ json: `{"a":${accountId}}`, expires, accountId });

describe("SessionCache", () => {
  it("serves what it was given until the row's expiry", () => {
    const { c, clock } = cache();
    c.put("k", entry(7, 5_000), c.begin());
    expect(c.get("k")?.json).toBe('{"a":7}');
    clock.now = 5_000;
    expect(c.get("k")).toBeUndefined();
  });

  it("keeps at most maxEntries, evicting the least recently used", () => {
    const { c } = cache({ maxEntries: 2 });
    c.put("a", entry(), c.begin());
    c.put("b", entry(), c.begin());
    c.get("a");
    c.put("c", entry(), c.begin());
    expect(c.size).toBe(2);
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBeDefined();
    expect(c.get("c")).toBeDefined();
  });

  it("bounds an entry's age by the TTL", () => {
    const { c, clock } = cache({ ttlMs: 500 });
    c.put("k", entry(), c.begin());
    clock.now += 499;
    expect(c.get("k")).toBeDefined();
    clock.now += 1;
    expect(c.get("k")).toBeUndefined();
  });

  it("serves nothing and empties while its listener is unhealthy, and empties on a new epoch", () => {
    const { c, health } = cache();
    c.put("k", entry(), c.begin());
    health.usable = false;
    expect(c.get("k")).toBeUndefined();
    c.put("k", entry(), c.begin());
    expect(c.size).toBe(0);
    health.usable = true;
    c.put("k", entry(), c.begin());
    health.epoch = 2;
    expect(c.get("k")).toBeUndefined();
  });

  it("refuses a read's result when a notification arrived during the read", () => {
    const { c } = cache();
    const mark = c.begin();
    c.drop("other");
    c.put("k", entry(), mark);
    expect(c.get("k")).toBeUndefined();
    c.put("k", entry(), c.begin());
    expect(c.get("k")).toBeDefined();
  });

  it("drops every session of an account, and only those", () => {
    const { c } = cache({ maxEntries: 10 });
    c.put("a1", entry(7), c.begin());
    c.put("a2", entry(7), c.begin());
    c.put("b1", entry(8), c.begin());
    c.put("anon", entry(null), c.begin());
    c.dropAccount(7);
    expect([c.get("a1"), c.get("a2")]).toEqual([undefined, undefined]);
    expect(c.get("b1")).toBeDefined();
    expect(c.get("anon")).toBeDefined();
  });

  it("moves a cached expiry forward after a touch", () => {
    const { c, clock } = cache();
    c.put("k", entry(7, 2_000), c.begin());
    c.extend("k", 9_000);
    clock.now = 5_000;
    expect(c.get("k")).toBeDefined();
  });
});
