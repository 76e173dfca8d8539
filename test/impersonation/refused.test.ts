/**
 * AZ-06: an impersonation cannot be used to escalate or persist. Credentials, email, factors, sessions,
 * admin helpers and provider links are refused (403 IMPERSONATION_NOT_ALLOWED) and change nothing.
 */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthRole, AuthStatus } from "../../src/index.js";
import { cookiePair, setCookie, signIn } from "../helpers/cookies.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  CAROL,
  activityRows,
  call,
  emailOf,
  expectRefused,
  infoOf,
  start,
  stop,
  whoami,
  world,
} from "./helpers.js";

const env = useTestEnv();
const SECRET = "an impersonation test secret of 32+ characters";
const BOB_SESSION = "$bobSession";

/** A world with two-factor and a GitHub provider configured, so every refused method exists. */
async function fullWorld() {
  const w = await world(env, {
    config: {
      secret: SECRET,
      twoFactor: { enabled: true, deliver: () => {} },
      providers: {
        github: {
          clientId: "client-id",
          clientSecret: "client-secret",
          redirectUri: "http://127.0.0.1/oauth/github/callback",
          endpoints: { authorization: "http://127.0.0.1:9/authorize", token: "http://127.0.0.1:9/token" },
        },
      },
    },
  });
  // Bob has a GitHub identity and a session of his own.
  const now = env.clock.now();
  await env.db.db.insert(authSchema.providers).values({
    accountId: w.bobId,
    provider: "github",
    providerId: "gh-bob",
    createdAt: now,
    updatedAt: now,
  });
  const bob = await signIn(w.t, BOB, PASSWORD);
  const listed = await call(bob.agent, "listSessions").expect(200);
  const bobSessionId = (listed.body.result as { id: string; current: boolean }[]).find((s) => s.current)!.id;
  return { ...w, bob, bobSessionId };
}

/** Everything a refused call could have changed, as one comparable value. */
async function state() {
  const db = env.db.db;
  const sorted = <T extends { id: unknown }>(rows: T[]) =>
    [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return {
    accounts: sorted(await db.select().from(authSchema.accounts)),
    sessions: sorted(
      await db
        .select({ id: authSchema.sessions.id, accountId: authSchema.sessions.accountId })
        .from(authSchema.sessions),
    ),
    remembers: await db.select().from(authSchema.remembers),
    resets: await db.select().from(authSchema.resets),
    confirmations: await db.select().from(authSchema.confirmations),
    providers: await db.select().from(authSchema.providers),
    twoFactorMethods: await db.select().from(authSchema.twoFactorMethods),
    twoFactorBackupCodes: await db.select().from(authSchema.twoFactorBackupCodes),
    twoFactorTokens: await db.select().from(authSchema.twoFactorTokens),
  };
}

const REFUSED: [string, unknown[]][] = [
  ["changePassword", [PASSWORD, NEW_PASSWORD]],
  ["verifyPassword", [PASSWORD]],
  ["verifyPassword", ["a wrong password guess"]],
  ["changeEmail", ["bob-new@example.test", "$callback"]],
  ["twoFactor.setup.totp", []],
  ["twoFactor.setup.email", []],
  ["twoFactor.setup.email", ["bob-2fa@example.test"]],
  ["twoFactor.setup.sms", ["+15551234567"]],
  ["twoFactor.complete.totp", ["123456"]],
  ["twoFactor.complete.email", ["123456"]],
  ["twoFactor.complete.sms", ["123456"]],
  ["twoFactor.disable", [1]],
  ["twoFactor.disable", [2, PASSWORD]],
  ["twoFactor.generateNewBackupCodes", []],
  ["twoFactor.generateNewBackupCodes", [PASSWORD]],
  ["logoutEverywhere", []],
  ["logoutEverywhereElse", []],
  ["revokeSession", [BOB_SESSION]],
  ["createUser", [{ email: "new@example.test", password: NEW_PASSWORD }]],
  ["deleteUserBy", [{ email: CAROL }]],
  ["deleteUserBy", [{ email: ADMIN }]],
  ["addRoleForUserBy", [{ email: BOB }, AuthRole.Admin]],
  ["removeRoleForUserBy", [{ email: ADMIN }, AuthRole.Admin]],
  ["changePasswordForUserBy", [{ email: CAROL }, NEW_PASSWORD]],
  ["setStatusForUserBy", [{ email: CAROL }, AuthStatus.Banned]],
  ["setStatusForUserBy", [{ email: ADMIN }, AuthStatus.Banned]],
  ["initiatePasswordResetForUserBy", [{ email: CAROL }, null, "$callback"]],
  ["forceLogoutForUserBy", [{ email: ADMIN }]],
  ["forceLogoutForUserBy", [{ email: BOB }]],
  ["loginAsUserBy", [{ email: CAROL }]],
  ["loginAsUserBy", [{ email: ADMIN }]],
  ["unlinkProvider", ["github"]],
  ["providers.github.getLinkUrl", []],
  ["providers.github.unlink", []],
];

describe("AZ-06: refused while impersonating", () => {
  it.each(REFUSED)("AZ-06: %s(…) → 403 IMPERSONATION_NOT_ALLOWED, nothing changes", async (method, args) => {
    const w = await fullWorld();
    await start(w.agent);
    const before = await state();
    const rowsBefore = (await activityRows(env)).length;
    const res = await call(w.agent, method, ...args.map((a) => (a === BOB_SESSION ? w.bobSessionId : a)));
    expectRefused(res);
    expect(setCookie(res, "remember_token")).toBeUndefined();
    expect(await state()).toEqual(before);
    expect((await activityRows(env)).length).toBe(rowsBefore);
    expect(w.t.outbox).toEqual([]);
    // The impersonation goes on, unchanged; Bob's own session too.
    expect(await infoOf(w.agent)).toMatchObject({ actorId: w.adminId, targetId: w.bobId });
    expect(await emailOf(w.bob.agent)).toBe(BOB);
    // And after the stop the admin is the admin it was.
    await stop(w.agent);
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN, roles: ["Admin"] });
  });

  it("AZ-06: a whole series of refused calls leaves the impersonation, the accounts and the tables as they were", async () => {
    const w = await fullWorld();
    await start(w.agent);
    const before = await state();
    for (const [method, args] of REFUSED) {
      const res = await call(w.agent, method, ...args.map((a) => (a === BOB_SESSION ? w.bobSessionId : a)));
      expect(res.status, `${method}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error, method).toBe("IMPERSONATION_NOT_ALLOWED");
    }
    expect(await state()).toEqual(before);
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(w.t.errors).toEqual([]);
  });

  it("the same calls are not refused for the admin outside an impersonation (the guard is the impersonation)", async () => {
    const w = await fullWorld();
    expect((await call(w.agent, "verifyPassword", PASSWORD)).body.result).toBe(true);
    expect((await call(w.agent, "addRoleForUserBy", { email: CAROL }, AuthRole.Editor)).status).toBe(200);
    expect((await call(w.agent, "providers.github.getLinkUrl")).status).toBe(200);
  });

  it("read-only calls stay available and describe the target", async () => {
    const w = await fullWorld();
    await start(w.agent);
    expect((await call(w.agent, "twoFactor.isEnabled")).body.result).toBe(false);
    expect((await call(w.agent, "twoFactor.getEnabledMethods")).body.result).toEqual([]);
    expect((await call(w.agent, "listProviders")).body.result).toMatchObject([{ provider: "github" }]);
    expect((await call(w.agent, "hasRoleForUserBy", { email: ADMIN }, AuthRole.Admin)).body.result).toBe(true);
    expect((await call(w.agent, "userExistsByEmail", CAROL)).body.result).toBe(true);
    const sessions = await call(w.agent, "listSessions").expect(200);
    // Bob's sessions: his own browser's, not the impersonating one (which belongs to the admin).
    expect((sessions.body.result as { id: string }[]).map((s) => s.id)).toEqual([w.bobSessionId]);
    expect((sessions.body.result as { current: boolean }[]).some((s) => s.current)).toBe(false);
  });
});

describe("AZ-06: no persistence through remember-me", () => {
  it("AZ-06: no remember-me token for the target exists at any point of an impersonation", async () => {
    const w = await fullWorld();
    await start(w.agent);
    await whoami(w.agent);
    env.clock.advance(60_000);
    await whoami(w.agent);
    await stop(w.agent);
    const rows = await env.db.db.select().from(authSchema.remembers);
    expect(rows.filter((r) => r.accountId === w.bobId)).toEqual([]);
  });

  it("AZ-06: a sign-in with remember=true while impersonating mints no token for the target: it is a plain sign-in of the credentials' owner", async () => {
    const w = await fullWorld();
    await start(w.agent);
    const login = await w.agent.post("/login").send({ email: ADMIN, password: PASSWORD, remember: true });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const cookie = cookiePair(login, "remember_token");
    expect(cookie).toBeDefined();
    const rows = await env.db.db.select().from(authSchema.remembers);
    expect(rows.map((r) => r.accountId)).toEqual([w.adminId]);
    // The session is now the admin's own sign-in, not an impersonation.
    expect(await whoami(w.agent)).toMatchObject({ id: w.adminId, email: ADMIN });
    expect((await call(w.agent, "isImpersonating")).body.result).toBe(false);
  });

  it("a wrong password typed into the sign-in form while impersonating leaves the impersonation as it was", async () => {
    const w = await fullWorld();
    await start(w.agent);
    const login = await w.agent
      .post("/login")
      .send({ email: BOB, password: "not bob's password at all", remember: true });
    expect(login.status).toBe(401);
    expect(setCookie(login, "remember_token")).toBeUndefined();
    expect(await infoOf(w.agent)).toMatchObject({ actorId: w.adminId, targetId: w.bobId });
  });
});
