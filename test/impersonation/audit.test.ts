/** AZ-05: start, stop, expiry and rejection rows, and the actor on every row written while impersonating. */
import { describe, expect, it } from "vitest";
import { sessionKey } from "../../src/core/session-records.js";
import { sessionIdOf } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  CAROL,
  activityOf,
  activityRows,
  call,
  emailOf,
  expectRefused,
  start,
  stop,
  world,
} from "./helpers.js";

const env = useTestEnv();
const DAVE = "dave@example.test";

describe("AZ-05: the impersonation's own rows", () => {
  it("AZ-05: impersonation_started names the target as account and the admin as actor, with reason and expiry", async () => {
    const w = await world(env);
    const now = env.clock.now().getTime();
    await start(w.agent, { email: BOB }, { reason: "ticket 42", ttl: "15m" });
    const rows = await activityOf(env, "impersonation_started");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: w.bobId,
      actorAccountId: w.adminId,
      success: true,
      metadata: { targetAccountId: w.bobId, reason: "ticket 42", expiresAt: new Date(now + 15 * 60_000).toISOString() },
    });
    expect(rows[0]!.createdAt.getTime()).toBe(now);
  });

  it("AZ-05: impersonation_stopped names the target, the admin, the cause and when it started", async () => {
    const w = await world(env);
    const startedAt = env.clock.now();
    await start(w.agent);
    env.clock.advance(5 * 60_000);
    await stop(w.agent);
    const rows = await activityOf(env, "impersonation_stopped");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: w.bobId,
      actorAccountId: w.adminId,
      success: true,
      metadata: { targetAccountId: w.bobId, cause: "manual", startedAt: startedAt.toISOString() },
    });
    expect(rows[0]!.createdAt.getTime()).toBe(startedAt.getTime() + 5 * 60_000);
  });

  it("AZ-05: a rejection is one impersonation_rejected row, success false, on the actor", async () => {
    const w = await world(env, { impersonation: { canImpersonate: () => false } });
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }, { reason: "curious" }));
    const rows = await activityOf(env, "impersonation_rejected");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: w.adminId,
      actorAccountId: w.adminId,
      success: false,
      metadata: { reason: "denied", targetAccountId: w.bobId },
    });
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });

  it("the rows carry the client's IP address and user agent", async () => {
    const w = await world(env);
    await w.agent
      .post("/call/startImpersonation")
      .set("User-Agent", "Support Console/1.0")
      .send({ args: [{ email: BOB }] })
      .expect(200);
    const [row] = await activityOf(env, "impersonation_started");
    expect(row!.userAgent).toBe("Support Console/1.0");
    expect(row!.ipAddress).toBeTruthy();
  });

  it("the audit rows hold no secret of the session (no session id, no password hash)", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    await stop(w.agent);
    const text = JSON.stringify(await activityRows(env));
    const sid = sessionIdOf(started);
    expect(text).not.toContain(sid);
    expect(text).not.toContain(sessionKey(sid));
    expect(text).not.toContain("$argon2");
  });
});

describe("AZ-05: every impersonation that starts has an end in the audit log", () => {
  // A sign-in made from an impersonating session (password, email confirmation, OAuth) replaces
  // `req.session.auth`; the session writer writes the impersonation's end row when it does.
  it("AZ-05: a sign-in made from an impersonating session ends the impersonation with an audited end row", async () => {
    const w = await world(env);
    await start(w.agent);
    await w.agent.post("/login").send({ email: ADMIN, password: PASSWORD }).expect(200);
    expect((await call(w.agent, "isImpersonating")).body.result).toBe(false);
    const ends = [
      ...(await activityOf(env, "impersonation_stopped")),
      ...(await activityOf(env, "impersonation_expired")),
    ];
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ accountId: w.bobId, actorAccountId: w.adminId });
  });

  it("manual stop, logout and expiry each write exactly one end row", async () => {
    const w = await world(env);
    await start(w.agent);
    await stop(w.agent);
    await start(w.agent);
    await call(w.agent, "logout").expect(200);
    await start(w.agent, { email: BOB }, { ttl: "1m" });
    env.clock.advance(60_000);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await activityOf(env, "impersonation_started")).toHaveLength(3);
    expect((await activityOf(env, "impersonation_stopped")).map((r) => r.metadata?.cause)).toEqual([
      "manual",
      "logout",
    ]);
    expect(await activityOf(env, "impersonation_expired")).toHaveLength(1);
  });
});

describe("AZ-05: every row written while impersonating names the actor", () => {
  it("AZ-05: rows of actions the target may do (reset request, registration, confirmation, failed sign-in) carry actor_account_id", async () => {
    const w = await world(env);
    await start(w.agent);
    const [startRow] = await activityOf(env, "impersonation_started");

    await call(w.agent, "resetPassword", CAROL, null, null, "$callback").expect(200);
    await call(w.agent, "register", DAVE, PASSWORD, undefined, "$callback").expect(200);
    await call(w.agent, "resendConfirmation", DAVE, "$callback").expect(200);
    await call(w.agent, "confirmEmail", w.t.lastToken("resendConfirmation")).expect(200);
    expect((await w.agent.post("/login").send({ email: CAROL, password: "not carol's password" })).status).toBe(401);
    // Refused and rejected calls write nothing unattributed either.
    expectRefused(await call(w.agent, "verifyPassword", "a wrong guess of bob's password"));
    expect((await call(w.agent, "twoFactor.verify.totp", "123456")).status).toBeGreaterThanOrEqual(400);
    expect((await call(w.agent, "startImpersonation", { email: CAROL })).status).toBe(409);
    expect(await emailOf(w.agent)).toBe(BOB);

    await stop(w.agent);
    const [stopRow] = await activityOf(env, "impersonation_stopped");
    const during = (await activityRows(env)).filter((r) => r.id > startRow!.id && r.id < stopRow!.id);
    expect(during.map((r) => r.action)).toEqual(
      expect.arrayContaining(["password_reset_requested", "register", "email_confirmed", "failed_login"]),
    );
    for (const row of during)
      expect({ action: row.action, actor: row.actorAccountId }).toEqual({ action: row.action, actor: w.adminId });
    expect(startRow!.actorAccountId).toBe(w.adminId);
    expect(stopRow!.actorAccountId).toBe(w.adminId);
  });

  it("AZ-05: rows written after the stop are the admin's own again (no actor)", async () => {
    const w = await world(env);
    await start(w.agent);
    await stop(w.agent);
    await call(w.agent, "resetPassword", CAROL, null, null, "$callback").expect(200);
    const [row] = await activityOf(env, "password_reset_requested");
    expect(row!.actorAccountId).toBeNull();
  });

  it("the target's own activity elsewhere during the impersonation is not attributed to the admin", async () => {
    const w = await world(env);
    await start(w.agent);
    const bob = w.t.agent();
    await bob.post("/login").send({ email: BOB, password: PASSWORD }).expect(200);
    const [login] = (await activityOf(env, "login")).filter((r) => r.accountId === w.bobId);
    expect(login!.actorAccountId).toBeNull();
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(await emailOf(bob)).toBe(BOB);
  });
});
