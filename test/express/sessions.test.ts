import { eq } from "drizzle-orm";
import type express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import {
  AuthActivityAction,
  AuthRole,
  AuthStatus,
  deleteUserBy,
  forceLogoutForUserBy,
  initiatePasswordResetForUserBy,
  register,
  setStatusForUserBy,
} from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { cookiePair, isClearing, sessionIdOf, setCookie, sha256, signIn } from "../helpers/cookies.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const { accounts, activityLog, remembers, resets, sessions } = authSchema;

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/** Registers Alice (and Bob) on one app. */
async function setup(
  overrides: Partial<AuthConfig> = {},
  routes?: (app: express.Express) => void,
): Promise<{ t: TestApp; config: AuthConfig; alice: number; bob: number }> {
  const config = env.config(overrides);
  const alice = await register(config, ALICE, PASSWORD);
  const bob = await register(config, BOB, PASSWORD);
  return { t: createTestApp(config, routes ? { routes } : {}), config, alice: alice.id, bob: bob.id };
}

/**
 * A `GET /slow` route that loads the session, waits until the test opens the gate, then writes to the
 * session (so express-session saves it at the end): a request of that session still in flight.
 */
function slowRoute() {
  let open!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const routes = (app: express.Express) =>
    app.get("/slow", async (req, res) => {
      entered();
      await gate;
      (req.session as unknown as { visits?: number }).visits = 1;
      res.json({ ok: true });
    });
  return { routes, inside, open };
}

function call(agent: ReturnType<TestApp["agent"]>, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

/** A request from a client that sends exactly these cookies. */
function replay(t: TestApp, ...cookies: string[]) {
  return request(t.app).get("/me").set("Cookie", cookies.join("; "));
}

async function sessionRows(accountId: number) {
  return env.db.db.select().from(sessions).where(eq(sessions.accountId, accountId));
}

async function rememberRows(accountId: number) {
  return env.db.db.select().from(remembers).where(eq(remembers.accountId, accountId));
}

async function audit(action: string) {
  return env.db.db.select().from(activityLog).where(eq(activityLog.action, action));
}

const INACTIVE_STATUSES = Object.entries(AuthStatus).filter(([, v]) => v !== AuthStatus.Normal);

describe("req.auth.logout()", () => {
  it("`logout()` deletes the session row (SE-02)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(a.sid))),
    ).toHaveLength(1);
    await call(a.agent, "logout").expect(200);
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(a.sid))),
    ).toHaveLength(0);
    await a.agent.get("/me").expect(401);
  });

  it("`logout()` deletes this device's remember token and clears its cookie, keeping other devices' (SE-02)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD, { remember: true });
    const res = await call(a.agent, "logout").expect(200);
    expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
    const rows = await rememberRows(alice);
    expect(rows.map((r) => r.selector)).toEqual([b.rememberCookie!.split("=")[1]!.split(".")[0]]);
    await replay(t, b.rememberCookie!).expect(200);
  });

  it("`logout()` leaves the old session and remember cookies anonymous when replayed (SE-02)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    await call(a.agent, "logout").expect(200);
    const res = await replay(t, a.sessionCookie, a.rememberCookie!).expect(401);
    expect(setCookie(res, "remember_token") === undefined || isClearing(setCookie(res, "remember_token")!)).toBe(true);
  });

  it("`logout()` writes a `logout` audit row", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "logout").expect(200);
    const rows = await audit(AuthActivityAction.Logout);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.accountId).toBe(alice);
  });

  it("`logout()` when not signed in is a no-op", async () => {
    const { t } = await setup();
    await call(t.agent(), "logout").expect(200);
    expect(await audit(AuthActivityAction.Logout)).toHaveLength(0);
  });
});

describe("req.auth.logoutEverywhereElse() and logoutEverywhere()", () => {
  it("`logoutEverywhereElse()` ends the account's other sessions and keeps this one (SE-06)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const c = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await call(a.agent, "logoutEverywhereElse").expect(200);
    await a.agent.get("/me").expect(200);
    await b.agent.get("/me").expect(401);
    await c.agent.get("/me").expect(401);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(1);
  });

  it("`logoutEverywhereElse()` moves this session to a new id and the old id is anonymous (SE-01)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "logoutEverywhereElse").expect(200);
    const next = sessionIdOf(res);
    expect(next).not.toBe(a.sid);
    await replay(t, a.sessionCookie).expect(401);
    const [row] = await env.db.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sha256(next)));
    expect(row).toBeDefined();
  });

  it("`logoutEverywhereElse()` deletes every remember token of the account, this device's too (RM-04)", async () => {
    const { t, alice, bob } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD, { remember: true });
    await signIn(t, BOB, PASSWORD, { remember: true });
    const res = await call(a.agent, "logoutEverywhereElse").expect(200);
    expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
    expect(await rememberRows(alice)).toHaveLength(0);
    expect(await rememberRows(bob)).toHaveLength(1);
    await replay(t, b.rememberCookie!).expect(401);
  });

  it("`logoutEverywhereElse()` raises force_logout and writes a `force_logout` audit row", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "logoutEverywhereElse").expect(200);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, alice));
    expect(row!.forceLogout).toBe(1);
    const rows = await audit(AuthActivityAction.ForceLogout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId: alice, metadata: { scope: "other_sessions" } });
  });

  it("`logoutEverywhereElse()` keeps this session signed in past the next resync", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "logoutEverywhereElse").expect(200);
    env.clock.advance(60_000);
    await a.agent.get("/me").expect(200);
  });

  it("`logoutEverywhere()` ends every session of the account, this one included", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await call(a.agent, "logoutEverywhere").expect(200);
    await a.agent.get("/me").expect(401);
    await b.agent.get("/me").expect(401);
    await replay(t, a.sessionCookie, a.rememberCookie!).expect(401);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(0);
    expect(await rememberRows(alice)).toHaveLength(0);
  });
});

describe("req.auth.listSessions() and revokeSession()", () => {
  it("`listSessions()` lists the account's sessions with their agents and marks the current one (SE-06)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { userAgent: CHROME });
    await signIn(t, ALICE, PASSWORD, { userAgent: FIREFOX });
    await signIn(t, ALICE, PASSWORD, { userAgent: SAFARI });
    await signIn(t, BOB, PASSWORD, { userAgent: CHROME });
    const res = await call(a.agent, "listSessions").set("User-Agent", CHROME).expect(200);
    const list = res.body.result as Array<Record<string, unknown>>;
    expect(list).toHaveLength(3);
    expect(list.map((s) => s.userAgent).sort()).toEqual([CHROME, FIREFOX, SAFARI].sort());
    expect(list.filter((s) => s.current)).toEqual([expect.objectContaining({ id: sha256(a.sid), userAgent: CHROME })]);
    for (const s of list) {
      expect(s).toEqual(
        expect.objectContaining({
          createdAt: expect.any(String),
          lastActiveAt: expect.any(String),
          expiresAt: expect.any(String),
        }),
      );
    }
  });

  it("`listSessions()` exposes no session id, cookie value or session data (SE-06)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD, { remember: true });
    const res = await call(a.agent, "listSessions").expect(200);
    const text = JSON.stringify(res.body);
    for (const secret of [a.sid, b.sid, a.sessionCookie.split("=")[1]!, b.sessionCookie.split("=")[1]!]) {
      expect(text).not.toContain(secret);
    }
    for (const token of [a.rememberCookie!, b.rememberCookie!]) {
      for (const part of token.split("=")[1]!.split(".")) expect(text).not.toContain(part);
    }
    for (const s of res.body.result as Array<Record<string, unknown>>) {
      expect(Object.keys(s)).not.toContain("sess");
    }
  });

  it("`listSessions()` leaves out expired sessions", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    await env.db.db
      .update(sessions)
      .set({ expires: new Date(env.clock.now().getTime() - 1000) })
      .where(eq(sessions.id, sha256(b.sid)));
    const res = await call(a.agent, "listSessions").expect(200);
    expect(res.body.result.map((s: { id: string }) => s.id)).toEqual([sha256(a.sid)]);
  });

  it("`listSessions()` answers 401 when not signed in", async () => {
    const { t } = await setup();
    const res = await call(t.agent(), "listSessions").expect(401);
    expect(res.body.error).toBe("NOT_LOGGED_IN");
  });

  it("`revokeSession(id)` ends that session only (SE-06)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const c = await signIn(t, ALICE, PASSWORD);
    const list = (await call(a.agent, "listSessions").expect(200)).body.result as Array<{ id: string }>;
    const target = list.find((s) => s.id === sha256(b.sid))!;
    const res = await call(a.agent, "revokeSession", target.id).expect(200);
    expect(res.body.result).toBe(true);
    await b.agent.get("/me").expect(401);
    await a.agent.get("/me").expect(200);
    await c.agent.get("/me").expect(200);
  });

  it("`revokeSession(id)` is not undone by a request of that session still in flight (SE-06)", async () => {
    const slow = slowRoute();
    const { t } = await setup({}, slow.routes);
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const inFlight = b.agent.get("/slow").then((r) => r);
    await slow.inside;
    await call(a.agent, "revokeSession", sha256(b.sid)).expect(200);
    slow.open();
    await inFlight;
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(b.sid))),
    ).toHaveLength(0);
    env.clock.advance(60_000);
    await b.agent.get("/me").expect(401);
  });

  it("`revokeSession(id)` writes a `session_revoked` audit row", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "revokeSession", sha256(b.sid)).expect(200);
    const rows = await audit(AuthActivityAction.SessionRevoked);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.accountId).toBe(alice);
    expect(JSON.stringify(rows[0])).not.toContain(b.sid);
  });

  it("`revokeSession(id)` refuses another account's session id", async () => {
    const { t, bob: bobId } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    const res = await call(a.agent, "revokeSession", sha256(bob.sid)).expect(200);
    expect(res.body.result).toBe(false);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(bobId)).toHaveLength(1);
    expect(await audit(AuthActivityAction.SessionRevoked)).toHaveLength(0);
  });

  it.each([
    ["a raw session id", (sid: string) => sid],
    ["a number", () => 42],
    ["an object", () => ({ id: "x" })],
    ["an SQL fragment", () => "' or 1=1 --"],
    ["an unknown hash", () => "f".repeat(64)],
  ])("`revokeSession()` with %s returns false and revokes nothing", async (_case, make) => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "revokeSession", make(b.sid)).expect(200);
    expect(res.body.result).toBe(false);
    expect(await sessionRows(alice)).toHaveLength(2);
    expect(t.errors).toEqual([]);
  });

  it("`revokeSession(id)` of the current session signs this client out", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "revokeSession", sha256(a.sid)).expect(200);
    expect(res.body.result).toBe(true);
    await a.agent.get("/me").expect(401);
    await replay(t, a.sessionCookie).expect(401);
  });
});

describe("req.auth.changePassword()", () => {
  it("`changePassword()` with a wrong current password fails and changes nothing (PW-08)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD);
    const [before] = await env.db.db.select().from(accounts).where(eq(accounts.id, alice));
    const res = await call(a.agent, "changePassword", "wrong horse battery staple", NEW_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("INVALID_CREDENTIALS");
    await b.agent.get("/me").expect(200);
    await a.agent.get("/me").expect(200);
    const [after] = await env.db.db.select().from(accounts).where(eq(accounts.id, alice));
    expect(after).toEqual(before);
    expect(await rememberRows(alice)).toHaveLength(1);
  });

  it("`changePassword()` sets the new password: it signs in and the old one no longer does (PW-08)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(401);
    await t.agent().post("/login").send({ email: ALICE, password: NEW_PASSWORD }).expect(200);
  });

  it("`changePassword()` ends the account's other sessions and keeps this one (PW-08)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    await b.agent.get("/me").expect(401);
    await a.agent.get("/me").expect(200);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(1);
  });

  it("`changePassword()` deletes every remember token of the account and clears this device's cookie (PW-08)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD, { remember: true });
    const res = await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
    expect(await rememberRows(alice)).toHaveLength(0);
    await replay(t, b.rememberCookie!).expect(401);
  });

  it("`changePassword()` deletes outstanding reset tokens (PW-08)", async () => {
    const { t, config, alice, bob } = await setup();
    await initiatePasswordResetForUserBy(config, { accountId: alice }, null, () => {});
    await initiatePasswordResetForUserBy(config, { accountId: bob }, null, () => {});
    expect(await env.db.db.select().from(resets).where(eq(resets.accountId, alice))).toHaveLength(1);
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    expect(await env.db.db.select().from(resets).where(eq(resets.accountId, alice))).toHaveLength(0);
    expect(await env.db.db.select().from(resets).where(eq(resets.accountId, bob))).toHaveLength(1);
  });

  it("`changePassword()` moves this session to a new id and the old id is anonymous (PW-08, SE-01)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    expect(sessionIdOf(res)).not.toBe(a.sid);
    await replay(t, a.sessionCookie).expect(401);
    await replay(t, cookiePair(res, "connect.sid")!).expect(200);
  });

  it("`changePassword()` keeps this session signed in past the next resync (PW-08)", async () => {
    const { t } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    env.clock.advance(60_000);
    await a.agent.get("/me").expect(200);
  });

  it("`changePassword()` writes a `password_changed` audit row", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    const rows = await audit(AuthActivityAction.PasswordChanged);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId: alice, metadata: { by: "self" } });
    expect(JSON.stringify(rows)).not.toContain(NEW_PASSWORD);
  });

  it("`changePassword()` to a password that fails the policy answers 400 and revokes nothing (PW-06)", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const b = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "changePassword", PASSWORD, "password123456789").expect(400);
    expect(res.body.error).toBe("INVALID_PASSWORD");
    await b.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(2);
    await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
  });

  it("`changePassword()` answers 401 when not signed in", async () => {
    const { t } = await setup();
    const res = await call(t.agent(), "changePassword", PASSWORD, NEW_PASSWORD).expect(401);
    expect(res.body.error).toBe("NOT_LOGGED_IN");
  });
});

describe("admin revocation and account state", () => {
  it.each(INACTIVE_STATUSES)(
    "`setStatusForUserBy()` to %s ends every live session at the next request (SE-05)",
    async (_name, status) => {
      const { t, config, alice } = await setup();
      const a = await signIn(t, ALICE, PASSWORD);
      const b = await signIn(t, ALICE, PASSWORD, { remember: true });
      const bob = await signIn(t, BOB, PASSWORD);
      await setStatusForUserBy(config, { email: ALICE }, status);
      await a.agent.get("/me").expect(401);
      await b.agent.get("/me").expect(401);
      await replay(t, b.rememberCookie!).expect(401);
      await bob.agent.get("/me").expect(200);
      expect(await sessionRows(alice)).toHaveLength(0);
      expect(await rememberRows(alice)).toHaveLength(0);
    },
  );

  it("`setStatusForUserBy()` to Normal keeps live sessions", async () => {
    const { t, config } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await setStatusForUserBy(config, { email: ALICE }, AuthStatus.Normal);
    env.clock.advance(60_000);
    await a.agent.get("/me").expect(200);
  });

  it("`forceLogoutForUserBy()` ends every session and remember token of the account", async () => {
    const { t, config, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await forceLogoutForUserBy(config, { email: ALICE });
    await a.agent.get("/me").expect(401);
    await b.agent.get("/me").expect(401);
    await replay(t, a.rememberCookie!).expect(401);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(0);
    expect(await rememberRows(alice)).toHaveLength(0);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, alice));
    expect(row!.forceLogout).toBe(1);
  });

  it("`req.auth.forceLogoutForUserBy()` of one's own account ends the current session at the next request", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const res = await call(a.agent, "forceLogoutForUserBy", { accountId: alice }).expect(200);
    expect(res.body.result).toEqual({ accountId: alice });
    await a.agent.get("/me").expect(401);
    await replay(t, a.sessionCookie).expect(401);
  });

  it("`req.auth.forceLogoutForUserBy()` of one's own account leaves no session row of the account", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await call(a.agent, "forceLogoutForUserBy", { accountId: alice }).expect(200);
    expect(await sessionRows(alice)).toHaveLength(0);
  });

  it("`setStatusForUserBy()` to Banned is not undone by a request of the account still in flight (SE-05)", async () => {
    const slow = slowRoute();
    const { t, config, alice } = await setup({}, slow.routes);
    const a = await signIn(t, ALICE, PASSWORD);
    const inFlight = a.agent.get("/slow").then((r) => r);
    await slow.inside;
    await setStatusForUserBy(config, { accountId: alice }, AuthStatus.Banned);
    slow.open();
    await inFlight;
    expect(await sessionRows(alice)).toHaveLength(0);
    await a.agent.get("/me").expect(401);
  });

  it("`req.auth.forceLogoutForUserBy()` of another account keeps the caller signed in", async () => {
    const { t, bob: bobId } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await call(a.agent, "forceLogoutForUserBy", { accountId: bobId }).expect(200);
    await a.agent.get("/me").expect(200);
    await bob.agent.get("/me").expect(401);
  });

  it("`deleteUserBy()` ends the account's sessions and remember tokens (SE-05)", async () => {
    const { t, config, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD, { remember: true });
    const b = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await deleteUserBy(config, { accountId: alice });
    await a.agent.get("/me").expect(401);
    await b.agent.get("/me").expect(401);
    await replay(t, a.rememberCookie!).expect(401);
    await bob.agent.get("/me").expect(200);
    expect(await sessionRows(alice)).toHaveLength(0);
    expect(await rememberRows(alice)).toHaveLength(0);
  });

  it("deleting the account row directly ends its session at the next request", async () => {
    const { t, alice } = await setup({ resyncInterval: 0 });
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.delete(accounts).where(eq(accounts.id, alice));
    await a.agent.get("/me").expect(401);
    expect(t.errors).toEqual([]);
  });
});

describe("resync", () => {
  it("a role granted in the database shows up once resyncInterval has passed, not before", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ rolemask: AuthRole.Admin }).where(eq(accounts.id, alice));
    env.clock.advance(29_000);
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual([]);
    env.clock.advance(1_000);
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual(["Admin"]);
  });

  it("a custom resyncInterval is honoured", async () => {
    const { t, alice } = await setup({ resyncInterval: "5m" });
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ rolemask: AuthRole.Editor }).where(eq(accounts.id, alice));
    env.clock.advance(4 * 60_000);
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual([]);
    env.clock.advance(60_000);
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual(["Editor"]);
  });

  it("`resyncInterval: 0` re-reads the account on every request", async () => {
    const { t, alice } = await setup({ resyncInterval: 0 });
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ rolemask: AuthRole.Admin }).where(eq(accounts.id, alice));
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual(["Admin"]);
    await env.db.db.update(accounts).set({ rolemask: 0 }).where(eq(accounts.id, alice));
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual([]);
  });

  it("`resyncSession(true)` re-reads the account before the interval passes", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ rolemask: AuthRole.Admin }).where(eq(accounts.id, alice));
    await call(a.agent, "resyncSession", true).expect(200);
    expect((await a.agent.get("/me").expect(200)).body.roles).toEqual(["Admin"]);
  });

  it("an email changed in the database shows up after the resync", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ email: "alice2@example.test" }).where(eq(accounts.id, alice));
    env.clock.advance(30_000);
    expect((await a.agent.get("/me").expect(200)).body.email).toBe("alice2@example.test");
  });

  it.each(INACTIVE_STATUSES)(
    "a status set to %s directly in the database ends the session at the next resync, not before (SE-05)",
    async (_name, status) => {
      const { t, alice } = await setup();
      const a = await signIn(t, ALICE, PASSWORD);
      await env.db.db.update(accounts).set({ status }).where(eq(accounts.id, alice));
      env.clock.advance(29_000);
      await a.agent.get("/me").expect(200);
      env.clock.advance(1_000);
      await a.agent.get("/me").expect(401);
      await a.agent.get("/me").expect(401);
    },
  );

  it("a force_logout counter raised in the database ends the session at the next resync", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    await env.db.db.update(accounts).set({ forceLogout: 1 }).where(eq(accounts.id, alice));
    env.clock.advance(30_000);
    await a.agent.get("/me").expect(401);
    await bob.agent.get("/me").expect(200);
  });

  it("a session ended by resync has its row deleted", async () => {
    const { t, alice } = await setup();
    const a = await signIn(t, ALICE, PASSWORD);
    await env.db.db.update(accounts).set({ status: AuthStatus.Banned }).where(eq(accounts.id, alice));
    env.clock.advance(30_000);
    await a.agent.get("/me").expect(401);
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(a.sid))),
    ).toHaveLength(0);
  });
});
