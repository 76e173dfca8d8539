import { afterEach, describe, expect, it, vi } from "vitest";
import { type InvalidationHub, startInvalidationHub } from "../../src/invalidation/hub.js";
import type { ListenerTiming } from "../../src/invalidation/listener.js";
import { useTestEnv } from "../helpers/setup.js";
import { flakyPgClient } from "./flaky-pg.js";
import { type SecondPool, openPgPool } from "./instances.js";

const env = useTestEnv();
const hubs: InvalidationHub[] = [];
const pools: SecondPool[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const FAST: Partial<ListenerTiming> = { probeTimeoutMs: 150, retryInitialMs: 20, retryMaxMs: 60, heartbeatMs: null };

/** A hub on a node-postgres pool whose listener connection misbehaves on demand, logging into `logs`. */
function flakyHub(timing: Partial<ListenerTiming> = FAST) {
  const flaky = flakyPgClient();
  const pool = openPgPool(env.db, flaky.Client);
  pools.push(pool);
  const logs: string[] = [];
  const hub = startInvalidationHub({
    db: pool.db,
    channel: "auth_invalidate",
    now: () => env.clock.now(),
    resyncMs: 30_000,
    log: (message) => logs.push(message),
    timing,
  });
  hubs.push(hub);
  return { hub, control: flaky.control, logs };
}

describe("the listener on a real server", () => {
  it("does not trust a LISTEN that delivers nothing (a pooler in transaction mode), logs once, and recovers", async () => {
    const { hub, control, logs } = flakyHub();
    control.mode = "swallow-listen";
    expect(await hub.ready).toBe(false);
    expect(hub.state).toBe("unavailable");
    await new Promise((resolve) => setTimeout(resolve, 600)); // several retries
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/LISTEN unavailable on "auth_invalidate" \(no notification came back within 150 ms\)/);
    control.mode = "normal";
    await vi.waitFor(() => expect(hub.state).toBe("listening"), { timeout: 5_000, interval: 20 });
    expect(logs).toEqual([logs[0], 'listening again on "auth_invalidate"']);
  });

  it("falls back when LISTEN itself fails, and says why", async () => {
    const { hub, control, logs } = flakyHub();
    control.mode = "refuse-listen";
    expect(await hub.ready).toBe(false);
    expect(logs).toEqual([expect.stringContaining("cannot execute LISTEN during recovery")]);
  });

  it("notices with its heartbeat that notifications stopped arriving, and counts everything before its return as invalidated", async () => {
    const { hub, control, logs } = flakyHub({ ...FAST, heartbeatMs: 50 });
    expect(await hub.ready).toBe(true);
    env.clock.advance(10_000);
    const sessionResyncedAt = env.clock.now().getTime();
    expect(hub.invalidatedSince(42, sessionResyncedAt)).toBe(false);
    control.mode = "drop-notifications";
    await vi.waitFor(() => expect(hub.state).toBe("unavailable"), { timeout: 5_000, interval: 10 });
    expect(logs[0]).toMatch(/^lost LISTEN on "auth_invalidate"/);
    env.clock.advance(5_000);
    control.mode = "normal";
    await vi.waitFor(() => expect(hub.state).toBe("listening"), { timeout: 5_000, interval: 10 });
    expect(hub.invalidatedSince(42, sessionResyncedAt)).toBe(true);
  });

  it("settles `ready` as false and stops when closed while still starting", async () => {
    const { hub, control } = flakyHub({ ...FAST, probeTimeoutMs: 60_000 });
    control.mode = "swallow-listen";
    await hub.close();
    expect(await hub.ready).toBe(false);
    expect(hub.state).toBe("closed");
  });
});
