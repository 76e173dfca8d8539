import { and, eq } from "drizzle-orm";
import type express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction, AuthStatus, register, setStatusForUserBy } from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { cookiePair, sessionIdOf, setCookie, setCookies, sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const { accounts, activityLog, remembers, sessions } = authSchema;

/** A route that writes to the session, so an anonymous visitor gets a stored session id. */
function visitRoute(app: express.Express): void {
  app.post("/visit", (req, res) => {
    (req.session as unknown as { visits?: number }).visits = 1;
    res.json({ ok: true });
  });
}

/** A login attempt reduced to what a client can observe: status, body and the names of cookies set. */
async function attempt(t: TestApp, email: unknown, password: unknown) {
  const res = await t.agent().post("/login").send({ email, password });
  return {
    status: res.status,
    body: res.body,
    cookies: setCookies(res)
      .map((c) => c.split("=")[0])
      .sort(),
  };
}

async function storedHash(email = ALICE): Promise<string> {
  const [row] = await env.db.db.select({ password: accounts.password }).from(accounts).where(eq(accounts.email, email));
  return row!.password!;
}

async function auditRows(action: string) {
  return env.db.db.select().from(activityLog).where(eq(activityLog.action, action));
}

const INACTIVE_STATUSES = Object.entries(AuthStatus).filter(([, v]) => v !== AuthStatus.Normal);

describe("req.auth.login()", () => {
  it("signs in with the seed README routes and regenerates the session id (SE-01)", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect(setCookies(login)[0]).toMatch(/^connect\.sid=/);
    const me = await agent.get("/me").expect(200);
    expect(me.body).toMatchObject({ email: "alice@example.test", roles: [] });
  });

  it("fails identically for an unknown email and a wrong password (EN-01)", async () => {
    const t = createTestApp(env.config());
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const unknown = await t.agent().post("/login").send({ email: "nobody@example.test", password: PASSWORD });
    const wrong = await t
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: "wrong horse battery staple" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(Object.keys(unknown.headers)).toEqual(Object.keys(wrong.headers));
  });

  it("remembers the device and restores the session from the cookie (RM-02)", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const login = await agent
      .post("/login")
      .send({ email: "alice@example.test", password: PASSWORD, remember: true })
      .expect(200);
    const remember = setCookie(login, "remember_token")!;
    expect(remember).toMatch(/HttpOnly/);
    const fresh = t.agent();
    const restored = await fresh.get("/me").set("Cookie", remember.split(";")[0]!).expect(200);
    expect(restored.body.remembered).toBe(true);
    const rotated = setCookie(restored, "remember_token")!;
    expect(rotated.split(";")[0]).not.toEqual(remember.split(";")[0]);
  });

  it("`login()` moves an existing anonymous session to a new id and the old id stays anonymous (SE-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config, { routes: visitRoute });
    const agent = t.agent();
    const visit = await agent.post("/visit").expect(200);
    const before = sessionIdOf(visit);
    const login = await agent.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    const after = sessionIdOf(login);
    expect(after).not.toBe(before);
    await agent.get("/me").expect(200);
    await request(t.app).get("/me").set("Cookie", cookiePair(visit, "connect.sid")!).expect(401);
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(before))),
    ).toHaveLength(0);
    const [row] = await env.db.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sha256(after)));
    expect(row?.accountId).not.toBeNull();
  });

  it("`login()` signs in with a differently cased and padded email (canonical form)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const agent = t.agent();
    await agent.post("/login").send({ email: "  ALICE@Example.TEST ", password: PASSWORD }).expect(200);
    expect((await agent.get("/me").expect(200)).body.email).toBe(ALICE);
  });

  it("`login()` records last_login from the configured clock", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    env.clock.advance(60_000);
    await createTestApp(config).agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    const [row] = await env.db.db.select({ lastLogin: accounts.lastLogin }).from(accounts);
    expect(row!.lastLogin!.getTime()).toBe(env.clock.now().getTime());
  });

  it("`login()` of an unverified account fails like an unknown email when the password is wrong (EN-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD, undefined, () => {});
    const t = createTestApp(config);
    const unverified = await attempt(t, ALICE, "wrong horse battery staple");
    const unknown = await attempt(t, "nobody@example.test", "wrong horse battery staple");
    expect(unverified).toEqual(unknown);
    expect(unverified.status).toBe(401);
  });

  it("`login()` of an unverified account throws EmailNotVerifiedError (403) with the correct password (EN-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD, undefined, () => {});
    const t = createTestApp(config);
    const agent = t.agent();
    const res = await agent.post("/login").send({ email: ALICE, password: PASSWORD }).expect(403);
    expect(res.body.error).toBe("EMAIL_NOT_VERIFIED");
    expect(setCookie(res, "connect.sid")).toBeUndefined();
    await agent.get("/me").expect(401);
  });

  it.each(INACTIVE_STATUSES)(
    "`login()` of a %s account fails like an unknown email when the password is wrong (EN-01)",
    async (_name, status) => {
      const config = env.config();
      await register(config, ALICE, PASSWORD);
      await setStatusForUserBy(config, { email: ALICE }, status);
      const t = createTestApp(config);
      const inactive = await attempt(t, ALICE, "wrong horse battery staple");
      const unknown = await attempt(t, "nobody@example.test", "wrong horse battery staple");
      expect(inactive).toEqual(unknown);
    },
  );

  it.each(INACTIVE_STATUSES)(
    "`login()` of a %s account throws UserInactiveError (403) with the correct password (EN-01, SE-05)",
    async (_name, status) => {
      const config = env.config();
      await register(config, ALICE, PASSWORD);
      await setStatusForUserBy(config, { email: ALICE }, status);
      const t = createTestApp(config);
      const agent = t.agent();
      const res = await agent.post("/login").send({ email: ALICE, password: PASSWORD }).expect(403);
      expect(res.body.error).toBe("USER_INACTIVE");
      await agent.get("/me").expect(401);
      expect(await env.db.db.select().from(sessions)).toHaveLength(0);
    },
  );

  it.each([false, undefined, null, "false", 0, "yes"])(
    "`login()` with remember = %j sets no remember cookie and stores no token",
    async (remember) => {
      const config = env.config();
      await register(config, ALICE, PASSWORD);
      const res = await createTestApp(config)
        .agent()
        .post("/login")
        .send({ email: ALICE, password: PASSWORD, remember })
        .expect(200);
      expect(setCookie(res, "remember_token")).toBeUndefined();
      expect(await env.db.db.select().from(remembers)).toHaveLength(0);
    },
  );

  it.each([
    ["timeCost", { memoryCost: 19456, timeCost: 3 }, /\$m=19456,t=3,p=1\$/],
    ["memoryCost", { memoryCost: 24576, timeCost: 2 }, /\$m=24576,t=2,p=1\$/],
  ] as const)(
    "`login()` rehashes a password hashed with a lower %s than configured (PW-07)",
    async (_param, stronger, expected) => {
      await register(env.config({ passwordHashing: { memoryCost: 19456, timeCost: 2 } }), ALICE, PASSWORD);
      expect(await storedHash()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const config = env.config({ passwordHashing: stronger });
      const t = createTestApp(config);
      await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
      const rehashed = await storedHash();
      expect(rehashed).toMatch(expected);
      expect(rehashed).not.toContain(PASSWORD);
      await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    },
  );

  it("`login()` keeps the stored hash when its parameters match the configuration (PW-07)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const before = await storedHash();
    await createTestApp(config).agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    expect(await storedHash()).toBe(before);
  });

  it.each([
    ["precomposed é, signing in with e + combining accent", "caf\u00e9-correct-horse", "cafe\u0301-correct-horse"],
    ["e + combining accent, signing in with precomposed é", "cafe\u0301-correct-horse", "caf\u00e9-correct-horse"],
    [
      "full-width letters, signing in with ASCII (NFKC)",
      "ｃｏｒｒｅｃｔ-ｈｏｒｓｅ-ｂａｔｔｅｒｙ",
      "correct-horse-battery",
    ],
    [
      "ASCII, signing in with full-width letters (NFKC)",
      "correct-horse-battery",
      "ｃｏｒｒｅｃｔ-ｈｏｒｓｅ-ｂａｔｔｅｒｙ",
    ],
    ["the ﬁ ligature, signing in with f + i (NFKC)", "\ufb01nancial-correct-horse", "financial-correct-horse"],
  ])("`login()` normalises the password: registered with %s (PW-05)", async (_case, registered, typed) => {
    const config = env.config();
    await register(config, ALICE, registered);
    await createTestApp(config).agent().post("/login").send({ email: ALICE, password: typed }).expect(200);
  });

  it.each([
    ["a different letter case", "Correct horse battery staple"],
    ["a trailing space", `${PASSWORD} `],
    ["a leading space", ` ${PASSWORD}`],
  ])("`login()` does not fold or trim the password: %s fails (PW-05)", async (_case, typed) => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    await createTestApp(config).agent().post("/login").send({ email: ALICE, password: typed }).expect(401);
  });

  it.each([
    ["72 ASCII bytes", `${"a".repeat(72)}X`, `${"a".repeat(72)}Y`],
    ["72 bytes of €", `${"€".repeat(24)}x`, `${"€".repeat(24)}y`],
    ["a NUL byte", "abc\u0000defghijklmnop", "abc"],
    ["a NUL byte (prefix plus NUL)", "abc\u0000defghijklmnop", "abc\u0000"],
    ["1024 code points", `${"b".repeat(1023)}X`, `${"b".repeat(1023)}Y`],
  ])("`login()` checks the whole password: a difference after %s fails (PW-03)", async (_case, registered, typed) => {
    const config = env.config();
    await register(config, ALICE, registered);
    const t = createTestApp(config);
    await t.agent().post("/login").send({ email: ALICE, password: typed }).expect(401);
    await t.agent().post("/login").send({ email: ALICE, password: registered }).expect(200);
  });

  it.each([
    ["email as an array", [ALICE], PASSWORD, "INVALID_EMAIL"],
    ["email as an object", { $ne: null }, PASSWORD, "INVALID_EMAIL"],
    ["email as a number", 42, PASSWORD, "INVALID_EMAIL"],
    ["email as a boolean", true, PASSWORD, "INVALID_EMAIL"],
    ["email missing", undefined, PASSWORD, "INVALID_EMAIL"],
    ["email too long", `${"a".repeat(5000)}@example.test`, PASSWORD, "INVALID_EMAIL"],
    ["password as a number", ALICE, 123456789012345, "INVALID_PASSWORD"],
    ["password as an array", ALICE, [PASSWORD], "INVALID_PASSWORD"],
    ["password as an object", ALICE, { toString: PASSWORD }, "INVALID_PASSWORD"],
    ["password null", ALICE, null, "INVALID_PASSWORD"],
    ["password over 4 KiB", ALICE, "p".repeat(4097), "INVALID_PASSWORD"],
  ])("`login()` with %s answers 400 with a stable code, not 500", async (_case, email, password, code) => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const res = await t.agent().post("/login").send({ email, password });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
    expect(t.errors).toEqual([]);
    expect(await env.db.db.select().from(sessions)).toHaveLength(0);
  });

  it("`login()` writes a `login` audit row with the account, email, client and remember flag", async () => {
    const config = env.config();
    const account = await register(config, ALICE, PASSWORD);
    await createTestApp(config)
      .agent()
      .post("/login")
      .set("User-Agent", "audit-test/1.0")
      .send({ email: ALICE, password: PASSWORD })
      .expect(200);
    const rows = await auditRows(AuthActivityAction.Login);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: account.id,
      success: true,
      userAgent: "audit-test/1.0",
      metadata: { email: ALICE, remember: false },
    });
    expect(rows[0]!.ipAddress).toBeTruthy();
    expect(rows[0]!.createdAt.getTime()).toBe(env.clock.now().getTime());
  });

  it("`login()` with remember writes `login` and `remember_token_created` audit rows", async () => {
    const config = env.config();
    const account = await register(config, ALICE, PASSWORD);
    await createTestApp(config)
      .agent()
      .post("/login")
      .send({ email: ALICE, password: PASSWORD, remember: true })
      .expect(200);
    expect((await auditRows(AuthActivityAction.Login))[0]?.metadata).toMatchObject({ remember: true });
    const created = await auditRows(AuthActivityAction.RememberTokenCreated);
    expect(created).toHaveLength(1);
    expect(created[0]!.accountId).toBe(account.id);
  });

  it("`login()` with a wrong password writes a `failed_login` row with reason invalid_password", async () => {
    const config = env.config();
    const account = await register(config, ALICE, PASSWORD);
    await createTestApp(config)
      .agent()
      .post("/login")
      .send({ email: ALICE, password: "wrong horse battery staple" })
      .expect(401);
    const rows = await auditRows(AuthActivityAction.FailedLogin);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: account.id,
      success: false,
      metadata: { email: ALICE, reason: "invalid_password" },
    });
    expect(await auditRows(AuthActivityAction.Login)).toHaveLength(0);
  });

  it("`login()` with an unknown email writes a `failed_login` row with reason account_not_found and no account", async () => {
    const t = createTestApp(env.config());
    await t.agent().post("/login").send({ email: "Nobody@Example.test", password: PASSWORD }).expect(401);
    const rows = await auditRows(AuthActivityAction.FailedLogin);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      accountId: null,
      success: false,
      metadata: { email: "nobody@example.test", reason: "account_not_found" },
    });
  });

  it.each([
    ["an unverified", "email_not_verified"],
    ["a banned", "account_inactive"],
  ])(
    "`login()` of %s account with the correct password writes a `failed_login` row with reason %s",
    async (kind, reason) => {
      const config = env.config();
      const account = await register(
        config,
        ALICE,
        PASSWORD,
        undefined,
        kind === "an unverified" ? () => {} : undefined,
      );
      if (kind === "a banned") await setStatusForUserBy(config, { email: ALICE }, AuthStatus.Banned);
      await createTestApp(config).agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(403);
      const rows = await env.db.db
        .select()
        .from(activityLog)
        .where(and(eq(activityLog.action, AuthActivityAction.FailedLogin), eq(activityLog.accountId, account.id)));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.metadata).toMatchObject({ reason });
    },
  );

  it("`login()` never writes the typed password into the audit log", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    await t.agent().post("/login").send({ email: ALICE, password: "wrong horse battery staple" }).expect(401);
    await t.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    const dump = JSON.stringify(await env.db.db.select().from(activityLog));
    expect(dump).not.toContain("wrong horse battery staple");
    expect(dump).not.toContain(PASSWORD);
  });
});
