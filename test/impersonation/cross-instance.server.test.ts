/**
 * AZ-03/AZ-06 across instances: a change made on instance B (its own pool) reaches an impersonation on
 * instance A on A's next request through LISTEN/NOTIFY, although A's resyncInterval is an hour.
 * Real PostgreSQL only (PGlite has a single connection).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext } from "../../src/core/context.js";
import {
  AuthRole,
  AuthStatus,
  forceLogoutForUserBy,
  removeRoleForUserBy,
  setStatusForUserBy,
} from "../../src/index.js";
import type { InvalidationHub } from "../../src/invalidation/hub.js";
import { useTestEnv } from "../helpers/setup.js";
import { type SecondPool, nextInvalidation, openPgPool } from "../invalidation/instances.js";
import { ADMIN, BOB, activityOf, emailOf, start, whoami, world } from "./helpers.js";

const env = useTestEnv();
const opened: AuthConfig[] = [];
const pools: SecondPool[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((config) => closeAuth(config)));
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A (the test app, impersonating Bob) and B (a config over its own node-postgres pool). */
async function pair() {
  const w = await world(env, { config: { invalidation: { listen: true }, resyncInterval: "1h" } });
  const pool = openPgPool(env.db);
  pools.push(pool);
  const configB: AuthConfig = {
    db: pool.db,
    now: () => env.clock.now(),
    resyncInterval: "1h",
    invalidation: { listen: true },
  };
  opened.push(w.config, configB);
  const hubA: InvalidationHub = (await getAuthContext(w.config)).invalidation!;
  const hubB = (await getAuthContext(configB)).invalidation!;
  expect(await hubA.ready).toBe(true);
  expect(await hubB.ready).toBe(true);
  env.clock.advance(10_000); // past the floors set when the listeners started
  await start(w.agent);
  expect(await emailOf(w.agent)).toBe(BOB);
  return { w, configB, hubA };
}

describe("AZ-06: an impersonation on A follows changes made on B", () => {
  it("AZ-06: the actor demoted on B → A's impersonation returns to the actor on its next request", async () => {
    const { w, configB, hubA } = await pair();
    const received = nextInvalidation(hubA, w.adminId, "roles");
    await removeRoleForUserBy(configB, { accountId: w.adminId }, AuthRole.Admin);
    await received;
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN, roles: [] });
    const rows = await activityOf(env, "impersonation_stopped");
    expect(rows.map((r) => r.metadata?.cause)).toEqual(["actor_demoted"]);
  });

  it("AZ-06: the actor banned on B → A's impersonating session is ended (401)", async () => {
    const { w, configB, hubA } = await pair();
    const received = nextInvalidation(hubA, w.adminId, "status");
    await setStatusForUserBy(configB, { accountId: w.adminId }, AuthStatus.Banned);
    await received;
    expect(await whoami(w.agent)).toBeNull();
  });

  it("the target banned on B → A returns to the actor on its next request", async () => {
    const { w, configB, hubA } = await pair();
    const received = nextInvalidation(hubA, w.bobId, "status");
    await setStatusForUserBy(configB, { accountId: w.bobId }, AuthStatus.Banned);
    await received;
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it("the target force-logged-out on B → A's impersonation goes on", async () => {
    const { w, configB, hubA } = await pair();
    const received = nextInvalidation(hubA, w.bobId, "revoked");
    await forceLogoutForUserBy(configB, { accountId: w.bobId });
    await received;
    expect(await emailOf(w.agent)).toBe(BOB);
  });
});
