import { eq } from "drizzle-orm";
import type express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import {
  AuthActivityAction,
  AuthStatus,
  changePasswordForUserBy,
  register,
  setStatusForUserBy,
} from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { cookiePair, cookieValue, isClearing, sessionIdOf, setCookie, sha256, signIn } from "../helpers/cookies.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const BOB = "bob@example.test";
const GRACE_MS = 30_000;
const DAY = 86_400_000;
const { accounts, activityLog, remembers, sessions } = authSchema;

interface Remembered {
  t: TestApp;
  config: AuthConfig;
  accountId: number;
  /** `remember_token=…` */
  cookie: string;
  token: string;
}

/** Registers Alice and logs her in with remember-me on a new agent. */
async function remembered(
  overrides: Partial<AuthConfig> = {},
  routes?: (app: express.Express) => void,
): Promise<Remembered> {
  const config = env.config(overrides);
  const account = await register(config, ALICE, PASSWORD);
  const t = createTestApp(config, routes ? { routes } : {});
  const { rememberCookie } = await signIn(t, ALICE, PASSWORD, { remember: true });
  return { t, config, accountId: account.id, cookie: rememberCookie!, token: rememberCookie!.split("=")[1]! };
}

/** A route that writes to the session, so an anonymous visitor gets a stored session id. */
function visitRoute(app: express.Express): void {
  app.post("/visit", (req, res) => {
    (req.session as unknown as { visits?: number }).visits = 1;
    res.json({ ok: true });
  });
}

/** A request from a client with no session, only the given Cookie header. */
function visit(t: TestApp, cookie: string) {
  return request(t.app).get("/me").set("Cookie", cookie);
}

function split(token: string): { selector: string; validator: string } {
  const [selector, validator] = token.split(".");
  return { selector: selector!, validator: validator! };
}

async function rememberRows(accountId?: number) {
  const q = env.db.db.select().from(remembers);
  return accountId === undefined ? q : q.where(eq(remembers.accountId, accountId));
}

describe("remember-me", () => {
  it("the remember cookie is selector.validator with a 96-bit selector and a 256-bit validator (RM-01)", async () => {
    const { token } = await remembered();
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const { selector, validator } = split(token);
    expect(Buffer.from(selector, "base64url")).toHaveLength(12);
    expect(Buffer.from(validator, "base64url")).toHaveLength(32);
  });

  it("the remembers row stores the selector and SHA-256 of the validator, never the validator (RM-01)", async () => {
    const { token, accountId } = await remembered();
    const { selector, validator } = split(token);
    const rows = await rememberRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId, selector, validatorHash: sha256(validator), previousHash: null });
    for (const value of Object.values(rows[0]!)) {
      expect(String(value)).not.toContain(validator);
      expect(String(value)).not.toContain(token);
    }
  });

  it("the remember token expires rememberDuration (30 days by default) after login (RM-01)", async () => {
    await remembered();
    const [row] = await rememberRows();
    expect(row!.expires.getTime()).toBe(env.clock.now().getTime() + 30 * DAY);
  });

  it("the remember cookie is HttpOnly, SameSite=Lax, Path=/ and expires with the token (SE-04)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const { res } = await signIn(createTestApp(config), ALICE, PASSWORD, { remember: true });
    const line = setCookie(res, "remember_token")!;
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/);
    expect(line).not.toMatch(/;\s*Domain=/i);
    const expires = new Date(/;\s*Expires=([^;]+)/i.exec(line)![1]!).getTime();
    expect(Math.abs(expires - (env.clock.now().getTime() + 30 * DAY))).toBeLessThan(1000);
  });

  it("each login issues a unique token (RM-01)", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const tokens = new Set<string>();
    const selectors = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { rememberCookie } = await signIn(t, ALICE, PASSWORD, { remember: true });
      tokens.add(rememberCookie!);
      selectors.add(split(rememberCookie!.split("=")[1]!).selector);
    }
    expect(tokens.size).toBe(5);
    expect(selectors.size).toBe(5);
  });

  it("presenting the stored hash as the validator does not sign in (RM-01)", async () => {
    const { t, token } = await remembered();
    const { selector } = split(token);
    const [row] = await rememberRows();
    await visit(t, `remember_token=${selector}.${row!.validatorHash}`).expect(401);
  });

  it("a remember cookie restores a session marked remembered, with a new session id (RM-02, SE-01)", async () => {
    const { t, cookie, accountId } = await remembered();
    const res = await visit(t, cookie).expect(200);
    expect(res.body).toMatchObject({ id: accountId, email: ALICE, remembered: true });
    const sid = sessionIdOf(res);
    const [row] = await env.db.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sha256(sid)));
    expect(row!.accountId).toBe(accountId);
  });

  it("a typed-in login is not marked remembered", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const { agent } = await signIn(createTestApp(config), ALICE, PASSWORD, { remember: true });
    expect((await agent.get("/me").expect(200)).body.remembered).toBe(false);
  });

  it("restoring replaces an existing anonymous session id, whose row is deleted (SE-01)", async () => {
    const { t, cookie } = await remembered({}, visitRoute);
    const anonymous = await request(t.app).post("/visit").expect(200);
    const before = sessionIdOf(anonymous);
    const res = await visit(t, `${cookiePair(anonymous, "connect.sid")}; ${cookie}`).expect(200);
    expect(sessionIdOf(res)).not.toBe(before);
    expect(
      await env.db.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256(before))),
    ).toHaveLength(0);
  });

  it("restoring rotates the validator, keeps the selector and stores the new hash (RM-02)", async () => {
    const { t, cookie, token } = await remembered();
    const res = await visit(t, cookie).expect(200);
    const next = cookieValue(res, "remember_token")!;
    expect(next).not.toBe(token);
    expect(split(next).selector).toBe(split(token).selector);
    const [row] = await rememberRows();
    expect(row!.validatorHash).toBe(sha256(split(next).validator));
    expect(row!.previousHash).toBe(sha256(split(token).validator));
    expect(row!.rotatedAt!.getTime()).toBe(env.clock.now().getTime());
  });

  it("the rotated cookie restores the next session (RM-02)", async () => {
    const { t, cookie } = await remembered();
    const first = await visit(t, cookie).expect(200);
    env.clock.advance(DAY);
    const second = await visit(t, cookiePair(first, "remember_token")!).expect(200);
    expect(second.body.remembered).toBe(true);
  });

  it("the replaced cookie still restores within the 30 s grace window and gets no new cookie (RM-02)", async () => {
    const { t, cookie } = await remembered();
    await visit(t, cookie).expect(200);
    const [before] = await rememberRows();
    env.clock.advance(GRACE_MS);
    const res = await visit(t, cookie).expect(200);
    expect(res.body.remembered).toBe(true);
    expect(setCookie(res, "remember_token")).toBeUndefined();
    expect(await rememberRows()).toEqual([before]);
  });

  it("the replaced cookie stops working after the 30 s grace window (RM-02)", async () => {
    const { t, cookie } = await remembered();
    await visit(t, cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    const res = await visit(t, cookie).expect(401);
    expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
  });

  it("ten concurrent restores with one cookie rotate it once and leave one current hash (RM-02)", async () => {
    const { t, cookie } = await remembered();
    const responses = await Promise.all(Array.from({ length: 10 }, () => visit(t, cookie)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const issued = responses.map((r) => cookieValue(r, "remember_token")).filter((v) => v !== undefined);
    expect(issued).toHaveLength(1);
    const rows = await rememberRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.validatorHash).toBe(sha256(split(issued[0]!).validator));
  });

  it("a superseded validator after the grace window deletes every remember token of the account (RM-03)", async () => {
    const { t, config, cookie, accountId } = await remembered();
    await signIn(t, ALICE, PASSWORD, { remember: true });
    await register(config, BOB, PASSWORD);
    await signIn(t, BOB, PASSWORD, { remember: true });
    const victim = await visit(t, cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    await visit(t, cookie).expect(401);
    expect(await rememberRows(accountId)).toHaveLength(0);
    expect(await rememberRows()).toHaveLength(1);
    await visit(t, cookiePair(victim, "remember_token")!).expect(401);
  });

  it("a superseded validator after the grace window ends every session of the account (RM-03)", async () => {
    const { t, config, cookie, accountId } = await remembered();
    const other = await signIn(t, ALICE, PASSWORD);
    await register(config, BOB, PASSWORD);
    const bob = await signIn(t, BOB, PASSWORD);
    const victim = await visit(t, cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    await visit(t, cookie).expect(401);
    expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, accountId))).toHaveLength(0);
    await other.agent.get("/me").expect(401);
    await visit(t, cookiePair(victim, "connect.sid")!).expect(401);
    await bob.agent.get("/me").expect(200);
  });

  it("a superseded validator after the grace window raises the account's force_logout counter (RM-03)", async () => {
    const { t, cookie, accountId } = await remembered();
    await visit(t, cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    await visit(t, cookie).expect(401);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(row!.forceLogout).toBe(1);
  });

  it("a superseded validator after the grace window writes a `remember_theft_detected` audit row (RM-03)", async () => {
    const { t, cookie, accountId } = await remembered();
    await visit(t, cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    await visit(t, cookie).set("User-Agent", "attacker/1.0").expect(401);
    const rows = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.RememberTheftDetected));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId, success: false, userAgent: "attacker/1.0" });
  });

  it("a known selector with a forged validator is treated as theft (RM-03)", async () => {
    const { t, token, accountId } = await remembered();
    const forged = `${split(token).selector}.${"A".repeat(43)}`;
    await visit(t, `remember_token=${forged}`).expect(401);
    expect(await rememberRows(accountId)).toHaveLength(0);
  });

  it("an unknown selector is ignored without revoking anything", async () => {
    const { t, accountId } = await remembered();
    await visit(t, `remember_token=${"B".repeat(16)}.${"A".repeat(43)}`).expect(401);
    expect(await rememberRows(accountId)).toHaveLength(1);
  });

  it("banning the account deletes its remember tokens and the cookie no longer restores (RM-04, SE-05)", async () => {
    const { t, config, cookie, accountId } = await remembered();
    await setStatusForUserBy(config, { accountId }, AuthStatus.Banned);
    expect(await rememberRows(accountId)).toHaveLength(0);
    await visit(t, cookie).expect(401);
  });

  it.each(Object.entries(AuthStatus).filter(([, v]) => v !== AuthStatus.Normal))(
    "a %s account's cookie is refused, its row deleted and the cookie cleared (RM-04)",
    async (_name, status) => {
      const { t, cookie, accountId } = await remembered();
      await env.db.db.update(accounts).set({ status }).where(eq(accounts.id, accountId));
      const res = await visit(t, cookie).expect(401);
      expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
      expect(await rememberRows(accountId)).toHaveLength(0);
    },
  );

  it("an unverified account's cookie is refused and its row deleted (RM-04)", async () => {
    const { t, cookie, accountId } = await remembered();
    await env.db.db.update(accounts).set({ verified: false }).where(eq(accounts.id, accountId));
    await visit(t, cookie).expect(401);
    expect(await rememberRows(accountId)).toHaveLength(0);
  });

  it("changing the password with req.auth.changePassword deletes every remember row of the account (RM-04, PW-08)", async () => {
    const { t, cookie, accountId } = await remembered();
    const device = await signIn(t, ALICE, PASSWORD, { remember: true });
    expect(await rememberRows(accountId)).toHaveLength(2);
    await device.agent
      .post("/call/changePassword")
      .send({ args: [PASSWORD, NEW_PASSWORD] })
      .expect(200);
    expect(await rememberRows(accountId)).toHaveLength(0);
    await visit(t, cookie).expect(401);
  });

  it("an admin password change deletes every remember row of the account (RM-04)", async () => {
    const { t, config, cookie, accountId } = await remembered();
    await changePasswordForUserBy(config, { accountId }, NEW_PASSWORD);
    expect(await rememberRows(accountId)).toHaveLength(0);
    await visit(t, cookie).expect(401);
  });

  it("the remember token stops restoring once rememberDuration has passed, and its row is deleted", async () => {
    const { t, cookie } = await remembered({ rememberDuration: "1h" });
    env.clock.advance(3_600_000);
    const res = await visit(t, cookie).expect(401);
    expect(isClearing(setCookie(res, "remember_token")!)).toBe(true);
    expect(await rememberRows()).toHaveLength(0);
  });

  it("the remember token still restores just before rememberDuration passes", async () => {
    const { t, cookie } = await remembered({ rememberDuration: "1h" });
    env.clock.advance(3_600_000 - 1000);
    await visit(t, cookie).expect(200);
  });

  it("rotation keeps the token's original expiry rather than extending it", async () => {
    const { t, cookie } = await remembered({ rememberDuration: "1h" });
    const [before] = await rememberRows();
    env.clock.advance(30 * 60_000);
    const res = await visit(t, cookie).expect(200);
    const [after] = await rememberRows();
    expect(after!.expires.getTime()).toBe(before!.expires.getTime());
    const line = setCookie(res, "remember_token")!;
    const expires = new Date(/;\s*Expires=([^;]+)/i.exec(line)![1]!).getTime();
    expect(Math.abs(expires - before!.expires.getTime())).toBeLessThan(1000);
    env.clock.advance(30 * 60_000);
    await visit(t, cookiePair(res, "remember_token")!).expect(401);
  });

  it.each([
    ["garbage", "remember_token=garbage"],
    ["an empty value", "remember_token="],
    ["too many dots", `remember_token=${"a".repeat(16)}.${"b".repeat(21)}.${"c".repeat(21)}`],
    ["a huge value", `remember_token=${"x".repeat(12_000)}`],
    ["bad percent-encoding", "remember_token=%E0%A4%A"],
    ["an invalid escape", "remember_token=%zz%"],
    ["a quoted value", 'remember_token="abc.def"'],
    ["a NUL escape", `remember_token=${"a".repeat(16)}%00${"b".repeat(42)}`],
    ["non-ASCII bytes", "remember_token=%C3%A9%C3%A9"],
    ["an oversized header", `remember_token=a; other=${"y".repeat(15_000)}`],
    ["twice", "remember_token=one.two; remember_token=three.four"],
  ])("a malformed remember cookie (%s) is ignored with no 500", async (_case, header) => {
    const { t, accountId } = await remembered();
    const res = await visit(t, header);
    expect(res.status).toBe(401);
    expect(t.errors).toEqual([]);
    expect(await rememberRows(accountId)).toHaveLength(1);
  });

  it("two devices remembering the same account keep one token each (RM-01)", async () => {
    const { t, cookie, accountId } = await remembered();
    const second = await signIn(t, ALICE, PASSWORD, { remember: true });
    const rows = await rememberRows(accountId);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.selector)).size).toBe(2);
    await visit(t, cookie).expect(200);
    await visit(t, second.rememberCookie!).expect(200);
  });

  it("a remember cookie is ignored when the session is already signed in", async () => {
    const { t, token } = await remembered();
    const [before] = await rememberRows();
    const other = await signIn(t, ALICE, PASSWORD);
    const res = await visit(t, `${other.sessionCookie}; remember_token=${token}`).expect(200);
    expect(res.body.remembered).toBe(false);
    expect(setCookie(res, "remember_token")).toBeUndefined();
    expect(setCookie(res, "connect.sid")).toBeUndefined();
    expect(await rememberRows()).toEqual(expect.arrayContaining([before]));
  });

  it("restoring writes a `remember_token_used` audit row", async () => {
    const { t, cookie, accountId } = await remembered();
    await visit(t, cookie).expect(200);
    const rows = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.RememberTokenUsed));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.accountId).toBe(accountId);
  });
});
