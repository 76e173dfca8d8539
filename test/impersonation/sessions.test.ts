/** The impersonating session's row belongs to the actor: the actor sees and revokes it, the target cannot. */
import { describe, expect, it } from "vitest";
import { sessionKey } from "../../src/core/session-records.js";
import { changePasswordForUserBy, forceLogoutForUserBy } from "../../src/index.js";
import { sessionIdOf, signIn } from "../helpers/cookies.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ADMIN, BOB, call, emailOf, sessionRows, start, stop, whoami, world } from "./helpers.js";

const env = useTestEnv();

type Listed = { id: string; current: boolean }[];

async function listed(agent: Parameters<typeof call>[0]): Promise<Listed> {
  const res = await call(agent, "listSessions");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.result as Listed;
}

async function impersonation() {
  const w = await world(env, { config: { resyncInterval: 0 } });
  const started = await start(w.agent);
  const key = sessionKey(sessionIdOf(started));
  const adminElsewhere = await signIn(w.t, ADMIN, PASSWORD);
  const bob = await signIn(w.t, BOB, PASSWORD);
  return { ...w, key, adminElsewhere, bob };
}

describe("the session row of an impersonation", () => {
  it("is stored under the actor's account id, not the target's", async () => {
    const w = await impersonation();
    const row = (await sessionRows(env)).find((r) => r.id === w.key);
    expect(row).toBeDefined();
    expect(row!.accountId).toBe(w.adminId);
    // Only Bob's own browser is on Bob's account.
    const bobs = (await sessionRows(env)).filter((r) => r.accountId === w.bobId);
    expect(bobs.map((r) => r.id)).toEqual([sessionKey(w.bob.sid)]);
  });

  it("the actor's listSessions includes the impersonating session; the target's does not", async () => {
    const w = await impersonation();
    const adminList = await listed(w.adminElsewhere.agent);
    expect(adminList.map((s) => s.id)).toContain(w.key);
    expect(adminList.find((s) => s.id === w.key)!.current).toBe(false);
    const bobList = await listed(w.bob.agent);
    expect(bobList.map((s) => s.id)).not.toContain(w.key);
    expect(bobList.map((s) => s.id)).toEqual([sessionKey(w.bob.sid)]);
  });

  it("the actor revoking it (revokeSession from another device) ends the impersonation session", async () => {
    const w = await impersonation();
    const revoked = await call(w.adminElsewhere.agent, "revokeSession", w.key);
    expect(revoked.body.result).toBe(true);
    expect(await whoami(w.agent)).toBeNull();
    expect(await emailOf(w.adminElsewhere.agent)).toBe(ADMIN);
  });

  it("the target cannot revoke it (not one of its sessions)", async () => {
    const w = await impersonation();
    const res = await call(w.bob.agent, "revokeSession", w.key);
    expect(res.body.result).toBe(false);
    expect(await emailOf(w.agent)).toBe(BOB);
  });

  it("the actor's logoutEverywhereElse ends it", async () => {
    const w = await impersonation();
    await call(w.adminElsewhere.agent, "logoutEverywhereElse").expect(200);
    expect(await whoami(w.agent)).toBeNull();
    expect(await emailOf(w.adminElsewhere.agent)).toBe(ADMIN);
  });

  it("the actor's force-logout and password change end it; the target's do not", async () => {
    const w = await impersonation();
    await forceLogoutForUserBy(w.config, { accountId: w.bobId });
    await changePasswordForUserBy(w.config, { accountId: w.bobId }, NEW_PASSWORD);
    expect(await emailOf(w.agent)).toBe(BOB);
    expect((await sessionRows(env)).some((r) => r.id === w.key)).toBe(true);
    await changePasswordForUserBy(w.config, { accountId: w.adminId }, NEW_PASSWORD);
    expect(await whoami(w.agent)).toBeNull();
    expect((await sessionRows(env)).some((r) => r.id === w.key)).toBe(false);
  });

  it("after the stop the actor's own session row is back on the actor, and the impersonation row is gone", async () => {
    const w = await impersonation();
    const stopped = await stop(w.agent);
    const rows = await sessionRows(env);
    expect(rows.some((r) => r.id === w.key)).toBe(false);
    const own = rows.find((r) => r.id === sessionKey(sessionIdOf(stopped)));
    expect(own?.accountId).toBe(w.adminId);
    // The pre-impersonation row was deleted at start: the admin has exactly its two browsers.
    expect(rows.filter((r) => r.accountId === w.adminId)).toHaveLength(2);
  });
});
