import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { sql } from "drizzle-orm";
import session from "express-session";
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext } from "../../src/core/context.js";
import { AuthRole, AuthStatus, addRoleForUserBy, register, setStatusForUserBy } from "../../src/index.js";
import type { InvalidationHub } from "../../src/invalidation/hub.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { flakyPgClient } from "./flaky-pg.js";
import {
  type Instance,
  type SecondPool,
  createInstance,
  nextInvalidation,
  openPgPool,
  openPostgresJsPool,
} from "./instances.js";

// Two app instances in one process, each with its own connection pool, context and listener, on the
// real server (PGlite has a single connection: see single-instance.test.ts). Instance A runs on the
// worker's postgres.js pool; B on a pool of its own, node-postgres or postgres.js.
const env = useTestEnv();
const ALICE = "alice@example.test";
const opened: AuthConfig[] = [];
const pools: SecondPool[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((config) => closeAuth(config)));
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  vi.restoreAllMocks();
});

type Driver = "node-postgres" | "postgres.js";

interface Pair {
  a: Instance;
  b: Instance;
  hubA: InvalidationHub;
  /** B's hub, when B listens. */
  hubB: InvalidationHub | undefined;
  aliceId: number;
}

interface PairOptions {
  driver?: Driver;
  /** B's invalidation setting. @default { listen: true } */
  bInvalidation?: AuthConfig["invalidation"] | null;
  /** One express-session MemoryStore for both (a store the library does not own), or the library's store. */
  sharedMemoryStore?: boolean;
  /** B's pool, when the test brings its own. */
  bPool?: SecondPool;
  bResyncInterval?: string;
  /** Wait until B listens before going on. @default true when B listens */
  awaitB?: boolean;
}

async function pair(options: PairOptions = {}): Promise<Pair> {
  const configA = env.config({ invalidation: { listen: true }, resyncInterval: "1h" });
  const poolB = options.bPool ?? (options.driver === "postgres.js" ? openPostgresJsPool(env.db) : openPgPool(env.db));
  pools.push(poolB);
  const bInvalidation = options.bInvalidation === undefined ? { listen: true } : options.bInvalidation;
  const configB: AuthConfig = {
    db: poolB.db,
    now: () => env.clock.now(),
    resyncInterval: options.bResyncInterval ?? "1h",
    ...(bInvalidation ? { invalidation: bInvalidation } : {}),
  };
  opened.push(configA, configB);
  const hubA = (await getAuthContext(configA)).invalidation!;
  const hubB = (await getAuthContext(configB)).invalidation;
  expect(await hubA.ready).toBe(true);
  if (hubB && options.awaitB !== false) expect(await hubB.ready).toBe(true);
  env.clock.advance(10_000); // past the floors set when the listeners started
  const store = options.sharedMemoryStore ? new session.MemoryStore() : undefined;
  const a = createInstance("A", configA, store);
  const b = createInstance("B", configB, store);
  const alice = await register(configA, ALICE, PASSWORD);
  return { a, b, hubA, hubB, aliceId: alice.id };
}

/** Backend pids of every LISTEN connection on the worker database. */
async function listenerPids(): Promise<number[]> {
  const rows = await env.db.db.execute<{ pid: number }>(
    sql`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`,
  );
  return (Array.isArray(rows) ? rows : (rows as { rows: { pid: number }[] }).rows).map((r) => Number(r.pid));
}

async function terminate(pids: number[]): Promise<void> {
  for (const pid of pids) await env.db.db.execute(sql`select pg_terminate_backend(${pid})`);
}

describe("two instances with separate pools", () => {
  it.each<Driver>(["node-postgres", "postgres.js"])(
    "a ban on A is enforced on B's very next request although B resynced the session a second before (B on %s) (AZ-03)",
    async (driver) => {
      const { a, b, hubB, aliceId } = await pair({ driver, sharedMemoryStore: true });
      const cookie = await a.login(ALICE, PASSWORD);
      await b.resync(cookie);
      env.clock.advance(1_000);
      expect((await b.me(cookie)).status).toBe(200);
      const received = nextInvalidation(hubB!, aliceId, "status");
      await setStatusForUserBy(a.config, { accountId: aliceId }, AuthStatus.Banned);
      await received;
      expect((await b.me(cookie)).status).toBe(401);
    },
  );

  it("without invalidation on B, the banned session lives on B until its resyncInterval", async () => {
    const { a, b, hubA, aliceId } = await pair({ sharedMemoryStore: true, bInvalidation: null });
    const cookie = await a.login(ALICE, PASSWORD);
    await b.resync(cookie);
    env.clock.advance(1_000);
    const seenByA = nextInvalidation(hubA, aliceId, "status");
    await setStatusForUserBy(a.config, { accountId: aliceId }, AuthStatus.Banned);
    await seenByA; // delivered by now to every listener, had B one
    expect((await b.me(cookie)).status).toBe(200);
    env.clock.advance(3_600_000);
    expect((await b.me(cookie)).status).toBe(401);
  });

  it("a role change on A is visible on B's next request (AZ-03)", async () => {
    const { a, b, hubB, aliceId } = await pair();
    const cookie = await a.login(ALICE, PASSWORD);
    await b.resync(cookie);
    env.clock.advance(1_000);
    expect((await b.me(cookie)).body.roles).toEqual([]);
    const received = nextInvalidation(hubB!, aliceId, "roles");
    await addRoleForUserBy(a.config, { accountId: aliceId }, AuthRole.Editor);
    await received;
    expect((await b.me(cookie)).body.roles).toEqual(["Editor"]);
  });

  it("a session revoked on A is refused on B's next request; the other session stays (AZ-03)", async () => {
    const { a, b, hubB, aliceId } = await pair();
    const kept = await a.login(ALICE, PASSWORD);
    const revoked = await b.login(ALICE, PASSWORD);
    expect((await b.me(revoked)).status).toBe(200);
    const { current } = await b.sessionIds(revoked);
    const received = nextInvalidation(hubB!, aliceId, "session");
    expect(await a.revokeSession(kept, current)).toBe(true);
    await received;
    expect((await b.me(revoked)).status).toBe(401);
    expect((await b.me(kept)).status).toBe(200);
  });

  it.each(["swallow-listen", "refuse-listen"] as const)(
    "with LISTEN unavailable on B (%s), a ban reaches B at its resyncInterval (AZ-03)",
    async (mode) => {
      const flaky = flakyPgClient();
      flaky.control.mode = mode;
      const bPool = openPgPool(env.db, flaky.Client);
      vi.spyOn(console, "warn").mockImplementation(() => {});
      const { a, b, hubA, hubB, aliceId } = await pair({
        bPool,
        sharedMemoryStore: true,
        bResyncInterval: "2s",
        awaitB: false,
      });
      const cookie = await a.login(ALICE, PASSWORD);
      expect((await b.me(cookie)).status).toBe(200);
      const seenByA = nextInvalidation(hubA, aliceId, "status");
      await setStatusForUserBy(a.config, { accountId: aliceId }, AuthStatus.Banned);
      await seenByA;
      expect(hubB!.state).not.toBe("listening");
      expect((await b.me(cookie)).status).toBe(200);
      env.clock.advance(2_000);
      expect((await b.me(cookie)).status).toBe(401);
    },
  );

  it("with a driver that cannot listen (one pg.Client), B logs once and keeps to its resyncInterval", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const client = new pg.Client({ ...connectionOf(env.db.client) });
    await client.connect();
    pools.push({ db: drizzlePg({ client }), close: () => client.end() });
    const { a, b, hubB, aliceId } = await pair({
      bPool: pools.at(-1)!,
      sharedMemoryStore: true,
      bResyncInterval: "2s",
      awaitB: false,
    });
    expect(await hubB!.ready).toBe(false);
    expect(hubB!.state).toBe("unavailable");
    const cookie = await a.login(ALICE, PASSWORD);
    await setStatusForUserBy(a.config, { accountId: aliceId }, AuthStatus.Banned);
    expect((await b.me(cookie)).status).toBe(200);
    env.clock.advance(2_000);
    expect((await b.me(cookie)).status).toBe(401);
    expect(warn.mock.calls.filter((c) => String(c[0]).includes("invalidation"))).toHaveLength(1);
  });

  it.each<Driver>(["node-postgres", "postgres.js"])(
    "after its listener backend is terminated, B (%s) listens again and is notified of the next ban (AZ-03)",
    async (driver) => {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      const { a, b, hubB, aliceId } = await pair({ driver, sharedMemoryStore: true });
      const cookie = await a.login(ALICE, PASSWORD);
      const before = await listenerPids();
      expect(before).toHaveLength(2); // A's and B's
      await terminate(before);
      await vi.waitFor(
        async () => {
          const after = await listenerPids();
          expect(after.filter((pid) => !before.includes(pid))).toHaveLength(2);
          expect(hubB!.state).toBe("listening");
        },
        { timeout: 10_000, interval: 50 },
      );
      env.clock.advance(1_000);
      const received = nextInvalidation(hubB!, aliceId, "status");
      await setStatusForUserBy(a.config, { accountId: aliceId }, AuthStatus.Banned);
      await received;
      expect((await b.me(cookie)).status).toBe(401);
    },
  );

  it("a change made while B's listener was down reaches B's sessions as soon as it listens again (AZ-03)", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const flaky = flakyPgClient();
    const { a, b, hubB, aliceId } = await pair({ bPool: openPgPool(env.db, flaky.Client) });
    const cookie = await a.login(ALICE, PASSWORD);
    await b.resync(cookie);
    env.clock.advance(5_000);
    let reopen!: () => void;
    flaky.control.gate = new Promise((resolve) => (reopen = resolve));
    await terminate(await listenerPids());
    await vi.waitFor(() => expect(hubB!.state).toBe("unavailable"), { timeout: 10_000, interval: 20 });
    const received = hubB!.stats.received;
    await addRoleForUserBy(a.config, { accountId: aliceId }, AuthRole.Editor);
    flaky.control.gate = null;
    reopen();
    await vi.waitFor(() => expect(hubB!.state).toBe("listening"), { timeout: 10_000, interval: 20 });
    expect(hubB!.stats.received).toBe(received); // the notification itself never reached B
    expect((await b.me(cookie)).body.roles).toEqual(["Editor"]);
  });
});

function connectionOf(client: unknown) {
  const o = (
    client as { options: { host: string[]; port: number[]; database: string; user: string; pass: string | null } }
  ).options;
  return { host: o.host[0], port: o.port[0], database: o.database, user: o.user, password: o.pass ?? undefined };
}
