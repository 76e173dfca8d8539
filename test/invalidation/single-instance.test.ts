import { eq } from "drizzle-orm";
import session from "express-session";
import { afterEach, describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext, withTransaction } from "../../src/core/context.js";
import { changeRoles } from "../../src/core/admin.js";
import { consumeConfirmation, issueConfirmation } from "../../src/core/confirmations.js";
import { completePasswordReset } from "../../src/core/password-reset.js";
import {
  AuthRole,
  AuthStatus,
  addRoleForUserBy,
  changePasswordForUserBy,
  confirmResetPassword,
  deleteUserBy,
  forceLogoutForUserBy,
  initiatePasswordResetForUserBy,
  register,
  setStatusForUserBy,
  setUserRoles,
} from "../../src/index.js";
import type { InvalidationEvent, InvalidationHub } from "../../src/invalidation/hub.js";
import { closeInvalidationListeners, getInvalidationStatus } from "../../src/core/invalidation-status.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { createInstance, nextInvalidation } from "./instances.js";

// One instance that receives its own notifications: on PGlite (one in-process connection) and on the
// real server alike.
const env = useTestEnv();
const { accounts } = authSchema;
const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const opened: AuthConfig[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((config) => closeAuth(config)));
});

/** A config with invalidation on and a resync interval no test waits for; resolves once it listens. */
async function listening(overrides: Partial<AuthConfig> = {}): Promise<{ config: AuthConfig; hub: InvalidationHub }> {
  const config = env.config({ invalidation: { listen: true }, resyncInterval: "1h", ...overrides });
  opened.push(config);
  const hub = (await getAuthContext(config)).invalidation!;
  expect(await hub.ready).toBe(true);
  // Past the floor set when listening began (and its clock-skew allowance): from here on only a
  // notification makes the resync re-read a session early.
  env.clock.advance(10_000);
  return { config, hub };
}

async function setRolemaskBehindTheLibrarysBack(accountId: number, rolemask: number): Promise<void> {
  await env.db.db.update(accounts).set({ rolemask }).where(eq(accounts.id, accountId));
}

describe("an instance with invalidation on", () => {
  it("shows a role change on the next request although the session was resynced a second before", async () => {
    const { config, hub } = await listening();
    const alice = await register(config, ALICE, PASSWORD);
    const a = createInstance("A", config);
    const cookie = await a.login(ALICE, PASSWORD);
    env.clock.advance(1_000);
    await a.resync(cookie);
    env.clock.advance(1_000);
    const received = nextInvalidation(hub, alice.id, "roles");
    await addRoleForUserBy(config, { accountId: alice.id }, AuthRole.Editor);
    await received;
    expect((await a.me(cookie)).body.roles).toEqual(["Editor"]);
  });

  it("does not re-read a session early for a change that sent no notification", async () => {
    const { config } = await listening({ resyncInterval: "1m" });
    const alice = await register(config, ALICE, PASSWORD);
    const a = createInstance("A", config);
    const cookie = await a.login(ALICE, PASSWORD);
    await setRolemaskBehindTheLibrarysBack(alice.id, AuthRole.Editor);
    env.clock.advance(5_000);
    expect((await a.me(cookie)).body.roles).toEqual([]);
    env.clock.advance(60_000);
    expect((await a.me(cookie)).body.roles).toEqual(["Editor"]);
  });

  it("ends a banned account's session on the next request, with a session store the library does not own", async () => {
    const { config, hub } = await listening();
    const alice = await register(config, ALICE, PASSWORD);
    // A MemoryStore stands in for Redis and the like: deleting session rows cannot end these sessions.
    const a = createInstance("A", config, new session.MemoryStore());
    const cookie = await a.login(ALICE, PASSWORD);
    env.clock.advance(1_000);
    expect((await a.me(cookie)).status).toBe(200);
    const received = nextInvalidation(hub, alice.id, "status");
    await setStatusForUserBy(config, { accountId: alice.id }, AuthStatus.Banned);
    await received;
    expect((await a.me(cookie)).status).toBe(401);
  });

  it("re-reads once a session last resynced before the listener started", async () => {
    const quiet = env.config({ resyncInterval: "1h" });
    const alice = await register(quiet, ALICE, PASSWORD);
    const store = new session.MemoryStore();
    const cookie = await createInstance("old", quiet, store).login(ALICE, PASSWORD);
    await setRolemaskBehindTheLibrarysBack(alice.id, AuthRole.Editor);
    env.clock.advance(5_000);
    const { config } = await listening();
    const b = createInstance("B", config, store);
    expect((await b.me(cookie)).body.roles).toEqual(["Editor"]);
    await setRolemaskBehindTheLibrarysBack(alice.id, AuthRole.Admin);
    env.clock.advance(5_000);
    expect((await b.me(cookie)).body.roles).toEqual(["Editor"]);
  });

  it("is not notified of a write whose transaction rolled back (AZ-03)", async () => {
    const { config, hub } = await listening();
    const alice = await register(config, ALICE, PASSWORD);
    const bob = await register(config, BOB, PASSWORD);
    const seen: InvalidationEvent[] = [];
    hub.subscribe((event) => seen.push(event));
    const ctx = await getAuthContext(config);
    await expect(
      ctx.db.transaction(async (tx) => {
        await changeRoles(withTransaction(ctx, tx), { accountId: alice.id }, AuthRole.Editor, true);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    // Notifications arrive in commit order: once Bob's arrives, Alice's would have arrived before it.
    const bobs = nextInvalidation(hub, bob.id, "roles");
    await addRoleForUserBy(config, { accountId: bob.id }, AuthRole.Editor);
    await bobs;
    expect(seen.map((e) => e.accountId)).toEqual([bob.id]);
  });

  it("stops receiving after closeAuth, while its writes still notify other listeners", async () => {
    const first = await listening();
    const second = await listening();
    const alice = await register(first.config, ALICE, PASSWORD);
    const seenByFirst: InvalidationEvent[] = [];
    first.hub.subscribe((event) => seenByFirst.push(event));
    await closeAuth(first.config);
    expect(first.hub.state).toBe("closed");
    const received = nextInvalidation(second.hub, alice.id, "roles");
    await addRoleForUserBy(first.config, { accountId: alice.id }, AuthRole.Editor);
    await received;
    expect(seenByFirst).toEqual([]);
    expect((await getInvalidationStatus(first.config)).state).toBe("closed");
  });

  it("closeInvalidationListeners stops the listener of every config", async () => {
    const first = await listening();
    const second = await listening();
    await closeInvalidationListeners();
    expect([first.hub.state, second.hub.state]).toEqual(["closed", "closed"]);
  });

  it("reports its state: listening on the default channel from context creation, before any request", async () => {
    const { config } = await listening();
    expect(await getInvalidationStatus(config)).toEqual({
      enabled: true,
      channel: "auth_invalidate",
      state: "listening",
      received: 0,
      ignored: 0,
    });
    expect(await getInvalidationStatus(env.config())).toMatchObject({ enabled: false, state: "off" });
  });
});

describe("every security-relevant write sends its kind", () => {
  type Write = (setup: {
    config: AuthConfig;
    accountId: number;
    cookie: string;
    a: ReturnType<typeof createInstance>;
  }) => Promise<unknown>;
  const byId = (accountId: number) => ({ accountId });
  const cases: [string, InvalidationEvent["kind"], Write][] = [
    [
      "addRoleForUserBy",
      "roles",
      ({ config, accountId }) => addRoleForUserBy(config, byId(accountId), AuthRole.Editor),
    ],
    ["setUserRoles", "roles", ({ config, accountId }) => setUserRoles(config, byId(accountId), AuthRole.Admin)],
    [
      "setStatusForUserBy(Locked): status",
      "status",
      ({ config, accountId }) => setStatusForUserBy(config, byId(accountId), AuthStatus.Locked),
    ],
    [
      "setStatusForUserBy(Locked): sessions revoked",
      "revoked",
      ({ config, accountId }) => setStatusForUserBy(config, byId(accountId), AuthStatus.Locked),
    ],
    ["forceLogoutForUserBy", "revoked", ({ config, accountId }) => forceLogoutForUserBy(config, byId(accountId))],
    [
      "changePasswordForUserBy",
      "revoked",
      ({ config, accountId }) => changePasswordForUserBy(config, byId(accountId), NEW_PASSWORD),
    ],
    ["deleteUserBy", "deleted", ({ config, accountId }) => deleteUserBy(config, byId(accountId))],
    ["req.auth.logoutEverywhereElse", "revoked", ({ a, cookie }) => a.logoutEverywhereElse(cookie)],
    [
      "confirmResetPassword",
      "revoked",
      async ({ config, accountId }) => {
        let token = "";
        await initiatePasswordResetForUserBy(config, byId(accountId), "30m", (t) => void (token = t));
        await confirmResetPassword(config, token, NEW_PASSWORD);
      },
    ],
    [
      "a password reset that keeps sessions",
      "password",
      async ({ config, accountId }) => {
        let token = "";
        await initiatePasswordResetForUserBy(config, byId(accountId), "30m", (t) => void (token = t));
        await completePasswordReset(await getAuthContext(config), token, NEW_PASSWORD, { logout: false });
      },
    ],
    [
      "an email change (confirmation consumed)",
      "email",
      async ({ config, accountId }) => {
        const ctx = await getAuthContext(config);
        await consumeConfirmation(ctx, await issueConfirmation(ctx, accountId, "alice.new@example.test"));
      },
    ],
    [
      "req.auth.revokeSession",
      "session",
      async ({ a, cookie }) => {
        const other = await a.login(ALICE, PASSWORD);
        const { current } = await a.sessionIds(other);
        expect(await a.revokeSession(cookie, current)).toBe(true);
      },
    ],
  ];

  it.each(cases)("%s sends %s", async (_name, kind, write) => {
    const { config, hub } = await listening();
    const alice = await register(config, ALICE, PASSWORD);
    const a = createInstance("A", config);
    const cookie = await a.login(ALICE, PASSWORD);
    const received = nextInvalidation(hub, alice.id, kind);
    await write({ config, accountId: alice.id, cookie, a });
    const event = await received;
    expect(event).toEqual({ kind, accountId: alice.id, receivedAt: env.clock.now() });
  });
});
