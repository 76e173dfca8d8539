/** Starting and stopping: what the session looks like before, during and after, and its id at each step. */
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthRole, AuthStatus, addRoleForUserBy, register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { cookiePair, sessionIdOf, setCookie, signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  CAROL,
  activityOf,
  behindTheLibrarysBack,
  browserWith,
  call,
  emailOf,
  expectClientError,
  flatInfo,
  infoOf,
  start,
  stop,
  whoami,
  world,
} from "./helpers.js";

const env = useTestEnv();

async function setup() {
  const config = env.config({ impersonation: { enabled: true, canImpersonate: () => true } });
  await register(config, ADMIN, PASSWORD);
  await register(config, BOB, PASSWORD);
  await addRoleForUserBy(config, { email: ADMIN }, AuthRole.Admin);
  const t = createTestApp(config);
  const agent = t.agent();
  await agent.post("/login").send({ email: ADMIN, password: PASSWORD }).expect(200);
  return { t, agent, config };
}

/** The results of the read-only impersonation getters and a few account getters. */
async function getters(agent: ReturnType<typeof request.agent>) {
  const read = async (method: string) => (await call(agent, method).expect(200)).body.result;
  return {
    isImpersonating: await read("isImpersonating"),
    actorId: await read("getActorId"),
    actorEmail: await read("getActorEmail"),
    info: flatInfo(await read("getImpersonationInfo")),
    id: await read("getId"),
    email: await read("getEmail"),
    isAdmin: await read("isAdmin"),
    roles: await read("getRoleNames"),
  };
}

describe("impersonation: start and stop", () => {
  it("an admin acts as Bob, every row names the admin, and stopping returns to the admin's own session", async () => {
    const { agent } = await setup();
    const before = await agent.get("/me");
    const started = await agent
      .post("/call/startImpersonation")
      .send({ args: [{ email: BOB }, { reason: "ticket 42" }] });
    expect(started.status, started.text).toBe(200);
    expect((await agent.get("/me")).body.email).toBe(BOB);
    const info = await agent.post("/call/getImpersonationInfo").send({ args: [] });
    expect(info.body.result).toMatchObject({ actor: { email: ADMIN }, target: { email: BOB }, reason: "ticket 42" });
    const refused = await agent.post("/call/changePassword").send({ args: [PASSWORD, "a whole new passphrase here"] });
    expect(refused.status).toBe(403);
    await agent.post("/call/stopImpersonation").send({ args: [] }).expect(200);
    expect((await agent.get("/me")).body).toMatchObject({ id: before.body.id, email: ADMIN });
  });

  it("the getters describe the target while impersonating, and the actor before and after", async () => {
    const w = await world(env);
    expect(await getters(w.agent)).toEqual({
      isImpersonating: false,
      actorId: null,
      actorEmail: null,
      info: null,
      id: w.adminId,
      email: ADMIN,
      isAdmin: true,
      roles: ["Admin"],
    });
    const startedAt = env.clock.now().getTime();
    await start(w.agent, { email: BOB }, { reason: "support ticket 7" });
    expect(await getters(w.agent)).toEqual({
      isImpersonating: true,
      actorId: w.adminId,
      actorEmail: ADMIN,
      info: {
        actorId: w.adminId,
        actorEmail: ADMIN,
        targetId: w.bobId,
        targetEmail: BOB,
        reason: "support ticket 7",
        startedAt: new Date(startedAt).toISOString(),
        expiresAt: new Date(startedAt + 30 * 60_000).toISOString(),
      },
      id: w.bobId,
      email: BOB,
      isAdmin: false,
      roles: [],
    });
    expect(await whoami(w.agent)).toEqual({ id: w.bobId, email: BOB, roles: [], remembered: false });
    await stop(w.agent);
    expect(await getters(w.agent)).toMatchObject({
      isImpersonating: false,
      actorId: null,
      actorEmail: null,
      info: null,
      id: w.adminId,
      email: ADMIN,
      isAdmin: true,
    });
  });

  it("the banner info names both sides and holds nothing secret (no hash, no counters, no session data)", async () => {
    const w = await world(env);
    await start(w.agent, { email: BOB }, { reason: "ticket 5" });
    const raw = (await call(w.agent, "getImpersonationInfo").expect(200)).body.result;
    expect(flatInfo(raw)).toMatchObject({ actorId: w.adminId, targetId: w.bobId, reason: "ticket 5" });
    const text = JSON.stringify(raw);
    for (const secret of ["$argon2", "password", "forceLogout", "authenticatedAt", "sessionStartedAt", "remembered"])
      expect(text).not.toContain(secret);
  });

  it("the target can be named by accountId, email (any case) or userId", async () => {
    const w = await world(env);
    const bob = await env.db.db.select().from(authSchema.accounts);
    const userId = bob.find((a) => a.id === w.bobId)!.userId;
    for (const identifier of [{ accountId: w.bobId }, { email: "  BOB@Example.TEST " }, { userId }]) {
      await start(w.agent, identifier);
      expect(await emailOf(w.agent)).toBe(BOB);
      await stop(w.agent);
      expect(await emailOf(w.agent)).toBe(ADMIN);
    }
  });

  it("a reason is optional: without one (or with null) the info says null", async () => {
    const w = await world(env);
    await start(w.agent);
    expect((await infoOf(w.agent))!.reason).toBeNull();
    await stop(w.agent);
    await start(w.agent, { email: BOB }, { reason: null });
    expect((await infoOf(w.agent))!.reason).toBeNull();
  });

  it("AZ-05: the session id changes at start and at stop, and the previous cookies are dead", async () => {
    const w = await world(env);
    const loginSid = w.admin.sid;
    const started = await start(w.agent);
    const startSid = sessionIdOf(started);
    expect(startSid).not.toBe(loginSid);
    const startCookie = cookiePair(started, "connect.sid")!;
    const stopped = await stop(w.agent);
    const stopSid = sessionIdOf(stopped);
    expect(stopSid).not.toBe(startSid);
    expect(stopSid).not.toBe(loginSid);
    // Replaying the admin's pre-impersonation cookie or the impersonation's cookie gets nobody.
    expect((await request(w.t.app).get("/me").set("Cookie", w.admin.sessionCookie)).status).toBe(401);
    expect((await request(w.t.app).get("/me").set("Cookie", startCookie)).status).toBe(401);
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it.each<[string, { status?: number; forceLogout?: number }]>([
    ["banned", { status: AuthStatus.Banned }],
    ["suspended", { status: AuthStatus.Suspended }],
    ["force-logged-out", { forceLogout: 3 }],
  ])(
    "9.1 #9: stopping re-checks the actor: an actor %s meanwhile is signed out, not restored",
    async (_label, values) => {
      const w = await world(env, { config: { resyncInterval: "1h" } });
      await start(w.agent);
      // Behind the library's back: the session row survives and no resync is due; only the stop can tell.
      await behindTheLibrarysBack(env, w.adminId, values);
      expect(await emailOf(w.agent)).toBe(BOB);
      const res = await call(w.agent, "stopImpersonation");
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await whoami(w.agent)).toBeNull();
      // The stop is still audited, by the actor.
      const rows = await activityOf(env, "impersonation_stopped");
      expect(rows.map((r) => [r.actorAccountId, r.metadata?.cause])).toEqual([[w.adminId, "manual"]]);
    },
  );

  it("stopImpersonation without an impersonation is a 400 NOT_IMPERSONATING, signed in or not", async () => {
    const w = await world(env);
    expectClientError(await call(w.agent, "stopImpersonation"), 400, "NOT_IMPERSONATING");
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expectClientError(await call(w.t.agent(), "stopImpersonation"), 400, "NOT_IMPERSONATING");
  });

  it("stopping twice: the second stop is a 400 and the admin stays signed in", async () => {
    const w = await world(env);
    await start(w.agent);
    await stop(w.agent);
    expectClientError(await call(w.agent, "stopImpersonation"), 400, "NOT_IMPERSONATING");
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it("after a stop the admin can impersonate someone else", async () => {
    const w = await world(env);
    await start(w.agent);
    await stop(w.agent);
    await start(w.agent, { email: CAROL });
    expect(await emailOf(w.agent)).toBe(CAROL);
    expect((await infoOf(w.agent))!.targetId).toBe(w.carolId);
  });

  it("the admin's remember-me state is restored at stop (remembered true again)", async () => {
    const w = await world(env, { remember: true });
    // A fresh browser with only the remember-me cookie: a remembered session.
    const { agent: restored, res } = await browserWith(w.t, w.admin.rememberCookie!);
    expect(res.body).toMatchObject({ email: ADMIN, remembered: true });
    expect(await whoami(restored)).toMatchObject({ email: ADMIN, remembered: true });
    await start(restored);
    expect(await whoami(restored)).toMatchObject({ email: BOB, remembered: false });
    await stop(restored);
    expect(await whoami(restored)).toMatchObject({ email: ADMIN, remembered: true });
  });

  it("no remember-me token or cookie is created for the target", async () => {
    const w = await world(env, { remember: true });
    const before = await env.db.db.select().from(authSchema.remembers);
    const started = await start(w.agent);
    expect(setCookie(started, "remember_token")).toBeUndefined();
    await whoami(w.agent);
    await stop(w.agent);
    const after = await env.db.db.select().from(authSchema.remembers);
    expect(after).toEqual(before);
    expect(after.every((r) => r.accountId === w.adminId)).toBe(true);
  });

  it("two admins impersonate the same target at once, each in their own session", async () => {
    const w = await world(env);
    await register(w.config, "second-admin@example.test", PASSWORD);
    await addRoleForUserBy(w.config, { email: "second-admin@example.test" }, AuthRole.Admin);
    const other = await signIn(w.t, "second-admin@example.test", PASSWORD);
    await start(w.agent);
    await start(other.agent);
    expect((await infoOf(w.agent))!.actorEmail).toBe(ADMIN);
    expect((await infoOf(other.agent))!.actorEmail).toBe("second-admin@example.test");
    await stop(w.agent);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await emailOf(other.agent)).toBe(BOB);
  });
});
