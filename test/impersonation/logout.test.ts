/** `logout()` while impersonating ends the impersonation, not the actor's sign-in (9.1 #9: the remember token survives). */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthStatus } from "../../src/index.js";
import { cookiePair, isClearing, sessionIdOf, setCookie } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  activityOf,
  behindTheLibrarysBack,
  browserWith,
  call,
  emailOf,
  start,
  whoami,
  world,
} from "./helpers.js";

const env = useTestEnv();

describe("logout while impersonating", () => {
  it("logout ends the impersonation: back to the actor, under a new session id, audited with cause logout", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    const startedAt = env.clock.now().toISOString();
    const out = await call(w.agent, "logout");
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(sessionIdOf(out)).not.toBe(sessionIdOf(started));
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN, roles: ["Admin"] });
    const rows = await activityOf(env, "impersonation_stopped");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: w.bobId,
      actorAccountId: w.adminId,
      metadata: { targetAccountId: w.bobId, cause: "logout", startedAt },
    });
    // Not a sign-out of anyone: no logout row.
    expect(await activityOf(env, "logout")).toHaveLength(0);
  });

  it("9.1 #9: the actor's remember-me token stays valid: a fresh browser with only that cookie is the actor", async () => {
    const w = await world(env, { remember: true });
    const remember = w.admin.rememberCookie!;
    const tokensBefore = await env.db.db.select().from(authSchema.remembers);
    expect(tokensBefore.map((r) => r.accountId)).toEqual([w.adminId]);
    await start(w.agent);
    const out = await call(w.agent, "logout");
    expect(out.status).toBe(200);
    // The cookie is not cleared, the token row not deleted.
    const cleared = setCookie(out, "remember_token");
    expect(cleared === undefined || !isClearing(cleared)).toBe(true);
    expect(await env.db.db.select().from(authSchema.remembers)).toEqual(tokensBefore);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    const fresh = await browserWith(w.t, remember);
    expect(fresh.res.status).toBe(200);
    expect(fresh.res.body).toMatchObject({ id: w.adminId, email: ADMIN, remembered: true });
  });

  it("a second logout (now as the actor) is a real sign-out: the remember token goes", async () => {
    const w = await world(env, { remember: true });
    await start(w.agent);
    await call(w.agent, "logout").expect(200);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    const out = await call(w.agent, "logout").expect(200);
    expect(isClearing(setCookie(out, "remember_token")!)).toBe(true);
    expect(await whoami(w.agent)).toBeNull();
    expect(await env.db.db.select().from(authSchema.remembers)).toEqual([]);
    expect((await browserWith(w.t, w.admin.rememberCookie!)).res.status).toBe(401);
    expect(await activityOf(env, "logout")).toHaveLength(1);
  });

  it("logout of an impersonation whose actor was banned meanwhile signs everybody out", async () => {
    const w = await world(env);
    await start(w.agent);
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    await call(w.agent, "logout").expect(200);
    expect(await whoami(w.agent)).toBeNull();
  });

  it("the impersonating session's cookie is dead after the logout", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    const cookie = cookiePair(started, "connect.sid")!;
    await call(w.agent, "logout").expect(200);
    const replay = await w.t.agent().get("/me").set("Cookie", cookie);
    expect(replay.status).toBe(401);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await emailOf(w.agent)).not.toBe(BOB);
  });
});
