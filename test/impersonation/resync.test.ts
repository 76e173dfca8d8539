/**
 * While impersonating, the session follows both accounts (AZ-06): the actor losing access ends the whole
 * session, the target becoming unusable (or the actor losing its edge) returns to the actor, and the
 * target's own force-logout is ignored.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext } from "../../src/core/context.js";
import {
  AuthRole,
  AuthStatus,
  addRoleForUserBy,
  deleteUserBy,
  forceLogoutForUserBy,
  removeRoleForUserBy,
  setStatusForUserBy,
} from "../../src/index.js";
import { notifyInvalidation } from "../../src/invalidation/notify.js";
import { countingConfig } from "../admin/helpers.js";
import { signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  activityOf,
  behindTheLibrarysBack,
  call,
  emailOf,
  start,
  whoami,
  world,
  type WorldOptions,
} from "./helpers.js";

const env = useTestEnv();
const RESYNC = 30_000; // the default resyncInterval

/** The causes recorded by `impersonation_stopped` rows, oldest first. */
async function stopCauses(): Promise<unknown[]> {
  return (await activityOf(env, "impersonation_stopped")).map((r) => r.metadata?.cause);
}

async function impersonating(options: WorldOptions = {}) {
  const w = await world(env, options);
  await start(w.agent);
  expect(await emailOf(w.agent)).toBe(BOB);
  return w;
}

describe("AZ-06: the actor loses access → the whole session ends", () => {
  it("AZ-06: the actor banned through the library → the impersonating session is gone on the next request", async () => {
    const w = await impersonating();
    await setStatusForUserBy(w.config, { accountId: w.adminId }, AuthStatus.Banned);
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-06: the actor banned behind the library's back → the session ends at the next resync (resyncInterval)", async () => {
    const w = await impersonating();
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    env.clock.advance(RESYNC - 1000);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(1000);
    expect(await whoami(w.agent)).toBeNull();
    // Not "back to the actor": nobody is signed in, and no remember-me or other session revives it.
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-05: an impersonation ended at a resync because the actor lost access still has an end row, by the actor", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    expect(await whoami(w.agent)).toBeNull();
    const ends = [
      ...(await activityOf(env, "impersonation_stopped")),
      ...(await activityOf(env, "impersonation_expired")),
    ];
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ accountId: w.bobId, actorAccountId: w.adminId });
  });

  it("AZ-06: with resyncInterval 0 the actor's ban is seen on the very next request", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Locked });
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-06: the actor force-logged-out through the library → the session is gone", async () => {
    const w = await impersonating();
    await forceLogoutForUserBy(w.config, { accountId: w.adminId });
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-06: the actor's force_logout raised behind the library's back → the session ends at the next resync", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await behindTheLibrarysBack(env, w.adminId, { forceLogout: 1 });
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-06: the actor deleted → the session is gone", async () => {
    const w = await impersonating();
    await deleteUserBy(w.config, { accountId: w.adminId });
    expect(await whoami(w.agent)).toBeNull();
  });

  it("AZ-06: a forced resync (req.auth.resyncSession(true)) sees the actor's ban at once", async () => {
    const w = await impersonating({ config: { resyncInterval: "1h" } });
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Suspended });
    expect(await emailOf(w.agent)).toBe(BOB);
    await call(w.agent, "resyncSession", true).expect(200);
    expect(await whoami(w.agent)).toBeNull();
  });
});

describe("the resync reads", () => {
  it("due once per resyncInterval: the actor and the target in one statement; none in between", async () => {
    const { config: counting, statements } = countingConfig(env);
    const w = await impersonating({ config: { db: counting.db } });
    const accountReads = () => statements.filter((s) => /from "auth_accounts"/i.test(s.sql) && /^select/i.test(s.sql));
    statements.length = 0;
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(accountReads()).toHaveLength(0);
    env.clock.advance(RESYNC);
    expect(await emailOf(w.agent)).toBe(BOB);
    const reads = accountReads();
    expect(reads).toHaveLength(1);
    expect(reads[0]!.params).toEqual(expect.arrayContaining([w.adminId, w.bobId]));
  });
});

describe("AZ-06: the actor is demoted → back to the actor", () => {
  it("AZ-06: the actor losing Admin → at the next resync the session is the actor's own again (actor_demoted)", async () => {
    const w = await impersonating();
    await removeRoleForUserBy(w.config, { accountId: w.adminId }, AuthRole.Admin);
    env.clock.advance(RESYNC);
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN, roles: [] });
    expect((await call(w.agent, "isImpersonating")).body.result).toBe(false);
    expect(await stopCauses()).toEqual(["actor_demoted"]);
    const [row] = await activityOf(env, "impersonation_stopped");
    expect(row).toMatchObject({ accountId: w.bobId, actorAccountId: w.adminId });
  });

  it("AZ-06: a demotion behind the library's back waits for resyncInterval", async () => {
    const w = await impersonating();
    await behindTheLibrarysBack(env, w.adminId, { rolemask: 0 });
    env.clock.advance(RESYNC - 1000);
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(1000);
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it("AZ-06: with resyncInterval 0 a demotion is seen on the very next request", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await behindTheLibrarysBack(env, w.adminId, { rolemask: 0 });
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it("the target promoted to the actor's level → back to the actor too", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await addRoleForUserBy(w.config, { accountId: w.bobId }, AuthRole.Admin);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await stopCauses()).toHaveLength(1);
  });

  it("with requireLowerPrivilege: false a demotion is left to the app (the impersonation goes on)", async () => {
    const w = await impersonating({ impersonation: { requireLowerPrivilege: false }, config: { resyncInterval: 0 } });
    await removeRoleForUserBy(w.config, { accountId: w.adminId }, AuthRole.Admin);
    expect(await emailOf(w.agent)).toBe(BOB);
  });
});

describe("the target becomes unusable → back to the actor", () => {
  it("the target banned → at the next resync back to the actor (target_inactive)", async () => {
    const w = await impersonating();
    await setStatusForUserBy(w.config, { accountId: w.bobId }, AuthStatus.Banned);
    // Bob's own sessions are deleted at once, but this one belongs to the admin: it waits for the resync.
    expect(await emailOf(w.agent)).toBe(BOB);
    env.clock.advance(RESYNC);
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN, roles: ["Admin"] });
    expect(await stopCauses()).toEqual(["target_inactive"]);
    const [row] = await activityOf(env, "impersonation_stopped");
    expect(row).toMatchObject({ accountId: w.bobId, actorAccountId: w.adminId });
  });

  it("the target deleted → back to the actor (target_gone), the row naming no account but the actor", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await deleteUserBy(w.config, { accountId: w.bobId });
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN });
    const rows = await activityOf(env, "impersonation_stopped");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: null,
      actorAccountId: w.adminId,
      metadata: { targetAccountId: w.bobId, cause: "target_gone" },
    });
  });

  it("the target's own force-logout is ignored: the impersonation goes on, through resyncs", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    await forceLogoutForUserBy(w.config, { accountId: w.bobId });
    expect(await emailOf(w.agent)).toBe(BOB);
    await behindTheLibrarysBack(env, w.bobId, { forceLogout: 99 });
    await call(w.agent, "resyncSession", true).expect(200);
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(await stopCauses()).toEqual([]);
  });

  it("the target's own sign-out everywhere (logoutEverywhereElse) does not end the impersonation", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 } });
    const bob = await signIn(w.t, BOB, PASSWORD);
    await call(bob.agent, "logoutEverywhereElse").expect(200);
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(await emailOf(bob.agent)).toBe(BOB);
  });

  it("the resync refreshes the target's facts (roles, email verification) in the impersonating session", async () => {
    const w = await impersonating({ config: { resyncInterval: 0 }, adminRoles: AuthRole.Admin | AuthRole.Editor });
    await addRoleForUserBy(w.config, { accountId: w.bobId }, AuthRole.Editor);
    expect(await whoami(w.agent)).toMatchObject({ email: BOB, roles: ["Editor"] });
  });
});

describe("with invalidation on (one instance): changes are seen on the next request, whatever resyncInterval", () => {
  const opened: AuthConfig[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((config) => closeAuth(config)));
  });

  async function listening() {
    const w = await world(env, { config: { invalidation: { listen: true }, resyncInterval: "1h" } });
    opened.push(w.config);
    const hub = (await getAuthContext(w.config)).invalidation!;
    expect(await hub.ready).toBe(true);
    env.clock.advance(10_000); // past the floor set when listening began
    await start(w.agent);
    expect(await emailOf(w.agent)).toBe(BOB);
    return { w, hub };
  }

  /** Waits until the hub has received an invalidation of the account (delivered asynchronously). */
  async function delivered(
    hub: Awaited<ReturnType<typeof listening>>["hub"],
    accountId: number,
    change: () => Promise<unknown>,
  ) {
    const seen = new Promise<void>((resolve) => {
      const stop = hub.subscribe((event) => {
        if (event.accountId !== accountId) return;
        stop();
        resolve();
      });
    });
    await change();
    await seen;
  }

  it("AZ-06: the actor demoted → back to the actor on the next request", async () => {
    const { w, hub } = await listening();
    await delivered(hub, w.adminId, () => removeRoleForUserBy(w.config, { accountId: w.adminId }, AuthRole.Admin));
    expect(await whoami(w.agent)).toMatchObject({ email: ADMIN, roles: [] });
    expect(await stopCauses()).toEqual(["actor_demoted"]);
  });

  it("AZ-06: the actor banned behind the library's back but notified → the session ends on the next request", async () => {
    const { w, hub } = await listening();
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    await delivered(hub, w.adminId, async () =>
      notifyInvalidation(await getAuthContext(w.config), w.adminId, "status"),
    );
    expect(await whoami(w.agent)).toBeNull();
  });

  it("the target banned → back to the actor on the next request", async () => {
    const { w, hub } = await listening();
    await delivered(hub, w.bobId, () => setStatusForUserBy(w.config, { accountId: w.bobId }, AuthStatus.Banned));
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await stopCauses()).toEqual(["target_inactive"]);
  });

  it("the target force-logged-out → the impersonation goes on", async () => {
    const { w, hub } = await listening();
    await delivered(hub, w.bobId, () => forceLogoutForUserBy(w.config, { accountId: w.bobId }));
    expect(await emailOf(w.agent)).toBe(BOB);
  });
});
