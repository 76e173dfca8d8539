import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { AuthStatus, register, setStatusForUserBy } from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

/** Every `Set-Cookie` line of a response. */
function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const header = res.headers["set-cookie"] as string | string[] | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}
const HOUR = 3_600_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/;
const { accounts, confirmations, activityLog, resets, sessions } = authSchema;

type Agent = ReturnType<TestApp["agent"]>;

function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

/** Registers an unverified account over HTTP (a callback means "send a confirmation"); returns its token. */
async function registerUnverified(t: TestApp, email = "alice@example.test"): Promise<string> {
  await call(t.agent(), "register", email, PASSWORD, null, "$callback").expect(200);
  return t.lastToken("register");
}

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

async function accountRow(email: string) {
  const [row] = await env.db.db.select().from(accounts).where(eq(accounts.email, email));
  return row;
}

async function actions(accountId: number | null = null) {
  const rows = await env.db.db.select().from(activityLog).orderBy(activityLog.id);
  return rows.filter((r) => accountId === null || r.accountId === accountId);
}

/** Every row of every auth table, as one string (to look for leaked secrets). */
async function dumpAllTables(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of Object.values(authSchema)) parts.push(await env.db.db.select().from(table));
  return JSON.stringify(parts);
}

async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<Agent> {
  const agent = t.agent();
  await agent.post("/login").send({ email, password }).expect(200);
  return agent;
}

function app(config?: AuthConfig): TestApp {
  return createTestApp(config ?? env.config());
}

describe("register() with a confirmation callback", () => {
  it("`register()` creates an unverified account and sends a `selector.validator` token (TK-01)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    expect(token).toMatch(TOKEN_SHAPE);
    const validator = Buffer.from(token.split(".")[1]!, "base64url");
    expect(validator.length).toBeGreaterThanOrEqual(16);
    const row = await accountRow("alice@example.test");
    expect(row).toMatchObject({ verified: false, status: AuthStatus.Normal });
    expect(t.errors).toEqual([]);
  });

  it("`register()` without a callback creates a verified account and issues no confirmation", async () => {
    const t = app();
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect((await accountRow("alice@example.test"))!.verified).toBe(true);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
    expect(t.outbox).toEqual([]);
  });

  it("`resendConfirmation()` issues 1000 unique tokens with no shared prefix beyond chance (TK-01)", async () => {
    const t = app(env.config({ rateLimits: false }));
    await registerUnverified(t);
    const agent = t.agent();
    for (let i = 0; i < 100; i++) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          call(agent, "resendConfirmation", "alice@example.test", "$callback").expect(200),
        ),
      );
    }
    const tokens = t.outbox.filter((m) => m.method === "resendConfirmation").map((m) => m.token);
    expect(tokens).toHaveLength(1000);
    expect(new Set(tokens).size).toBe(1000);
    expect(new Set(tokens.map((tk) => tk.split(".")[0])).size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(TOKEN_SHAPE);
    // Sorted neighbours share the longest prefixes; 6 base64url characters (36 bits) would be very unlikely.
    const sorted = [...tokens].sort();
    let longest = 0;
    for (let i = 1; i < sorted.length; i++) {
      let n = 0;
      while (sorted[i]![n] === sorted[i - 1]![n]) n++;
      longest = Math.max(longest, n);
    }
    expect(longest).toBeLessThan(7);
  });

  it("stores the confirmation token only as a hash of its validator (TK-02)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const [selector, validator] = token.split(".") as [string, string];
    const rows = await env.db.db.select().from(confirmations);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.selector).toBe(selector);
    expect(rows[0]!.validatorHash).toBe(sha256Hex(validator));
    for (const value of Object.values(rows[0]!)) {
      expect(value).not.toBe(token);
      expect(value).not.toBe(validator);
    }
    const everything = await dumpAllTables();
    expect(everything).not.toContain(validator);
  });

  it("`confirmEmail()` rejects the stored hash presented as a token (TK-02)", async () => {
    const t = app();
    await registerUnverified(t);
    const [row] = await env.db.db.select().from(confirmations);
    for (const forged of [
      `${row!.selector}.${row!.validatorHash}`,
      `${row!.selector}.${row!.validatorHash.slice(0, 43)}`,
      row!.validatorHash,
    ]) {
      const res = await call(t.agent(), "confirmEmail", forged).expect(400);
      expect(res.body.error).toBe("CONFIRMATION_NOT_FOUND");
    }
    expect((await accountRow("alice@example.test"))!.verified).toBe(false);
  });

  it("`confirmEmail()` rejects one token's selector combined with another token's validator (TK-02)", async () => {
    const t = app();
    const alice = await registerUnverified(t, "alice@example.test");
    const bob = await registerUnverified(t, "bob@example.test");
    const mixed = `${alice.split(".")[0]}.${bob.split(".")[1]}`;
    const res = await call(t.agent(), "confirmEmail", mixed).expect(400);
    expect(res.body.error).toBe("CONFIRMATION_NOT_FOUND");
    expect((await accountRow("alice@example.test"))!.verified).toBe(false);
    expect((await accountRow("bob@example.test"))!.verified).toBe(false);
  });

  it("`confirmEmail()` rejects malformed tokens with ConfirmationNotFoundError", async () => {
    const t = app();
    const token = await registerUnverified(t);
    for (const bad of [
      "",
      "x",
      `${token}x`,
      token.replace(".", ":"),
      `${token}.extra`,
      42,
      null,
      ["a"],
      { $ne: null },
    ]) {
      const res = await call(t.agent(), "confirmEmail", bad).expect(400);
      expect(res.body.error).toBe("CONFIRMATION_NOT_FOUND");
    }
    expect(t.errors).toEqual([]);
    expect((await accountRow("alice@example.test"))!.verified).toBe(false);
  });
});

describe("confirmEmail()", () => {
  it("`confirmEmail()` verifies the account, returns the email, deletes the token and writes `email_confirmed`", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const res = await call(t.agent(), "confirmEmail", token).expect(200);
    expect(res.body.result).toBe("alice@example.test");
    const row = await accountRow("alice@example.test");
    expect(row!.verified).toBe(true);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
    const confirmed = (await actions(row!.id)).filter((a) => a.action === "email_confirmed");
    expect(confirmed).toHaveLength(1);
    expect(JSON.stringify(confirmed[0]!.metadata)).not.toContain(token.split(".")[1]!);
  });

  it("`confirmEmail()` lets the account log in afterwards", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const before = await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD });
    expect(before.status).toBe(403);
    expect(before.body.error).toBe("EMAIL_NOT_VERIFIED");
    await call(t.agent(), "confirmEmail", token).expect(200);
    await signIn(t, "alice@example.test");
  });

  it("`confirmEmail()` refuses a token that was already used (TK-03)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    await call(t.agent(), "confirmEmail", token).expect(200);
    const again = await call(t.agent(), "confirmEmail", token).expect(400);
    expect(again.body.error).toBe("CONFIRMATION_NOT_FOUND");
  });

  it("`confirmEmail()` succeeds exactly once for 10 concurrent calls with one token (TK-03)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const results = await Promise.all(Array.from({ length: 10 }, () => call(t.agent(), "confirmEmail", token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    for (const r of results.filter((r) => r.status === 400)) expect(r.body.error).toBe("CONFIRMATION_NOT_FOUND");
    const row = await accountRow("alice@example.test");
    expect((await actions(row!.id)).filter((a) => a.action === "email_confirmed")).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });

  it("`confirmEmail()` succeeds exactly once when 10 calls race on two connection pools (TK-03)", async () => {
    // On PostgreSQL the second pool is a separate set of connections; on PGlite it is the same database.
    const first = env.config();
    const second = env.config({ db: env.db.connect() });
    const t1 = createTestApp(first);
    const t2 = createTestApp(second);
    const token = await registerUnverified(t1);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call((i % 2 ? t1 : t2).agent(), "confirmEmail", token)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
    expect([...t1.errors, ...t2.errors]).toEqual([]);
  });

  it("`confirmEmail()` accepts a token 23 hours after it was issued (TK-04)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    env.clock.advance(23 * HOUR);
    await call(t.agent(), "confirmEmail", token).expect(200);
    expect((await accountRow("alice@example.test"))!.verified).toBe(true);
  });

  it("`confirmEmail()` throws ConfirmationExpiredError 25 hours after issue and deletes the row (TK-04)", async () => {
    const t = app();
    const token = await registerUnverified(t);
    env.clock.advance(25 * HOUR);
    const res = await call(t.agent(), "confirmEmail", token).expect(400);
    expect(res.body).toEqual({ error: "CONFIRMATION_EXPIRED", message: "Confirmation token has expired" });
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
    expect((await accountRow("alice@example.test"))!.verified).toBe(false);
    const again = await call(t.agent(), "confirmEmail", token).expect(400);
    expect(again.body.error).toBe("CONFIRMATION_NOT_FOUND");
  });

  it("`confirmEmail()` honours a configured `confirmationExpiry` (TK-04)", async () => {
    const t = app(env.config({ confirmationExpiry: "1h" }));
    const early = await registerUnverified(t, "early@example.test");
    const late = await registerUnverified(t, "late@example.test");
    env.clock.advance(59 * 60_000);
    await call(t.agent(), "confirmEmail", early).expect(200);
    env.clock.advance(2 * 60_000);
    const res = await call(t.agent(), "confirmEmail", late).expect(400);
    expect(res.body.error).toBe("CONFIRMATION_EXPIRED");
  });

  it("a new confirmation supersedes the previous one (TK-05)", async () => {
    const t = app();
    const first = await registerUnverified(t);
    await call(t.agent(), "resendConfirmation", "alice@example.test", "$callback").expect(200);
    const second = t.lastToken("resendConfirmation");
    expect(second).not.toBe(first);
    const old = await call(t.agent(), "confirmEmail", first).expect(400);
    expect(old.body.error).toBe("CONFIRMATION_NOT_FOUND");
    await call(t.agent(), "confirmEmail", second).expect(200);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
  });

  it("10 concurrent `resendConfirmation()` calls leave exactly one live confirmation (TK-05)", async () => {
    const t = app(env.config({ rateLimits: false }));
    await registerUnverified(t);
    await Promise.all(
      Array.from({ length: 10 }, () =>
        call(t.agent(), "resendConfirmation", "alice@example.test", "$callback").expect(200),
      ),
    );
    expect(await env.db.db.select().from(confirmations)).toHaveLength(1);
    const tokens = t.outbox.filter((m) => m.method === "resendConfirmation").map((m) => m.token);
    const results = await Promise.all(tokens.map((token) => call(t.agent(), "confirmEmail", token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("two accounts confirming a change to the same address concurrently: one wins, the other gets EmailTakenError", async () => {
    const config = env.config();
    const t = app(config);
    await register(config, "alice@example.test", PASSWORD);
    await register(config, "bob@example.test", PASSWORD);
    const tokens: string[] = [];
    for (const email of ["alice@example.test", "bob@example.test"]) {
      const agent = await signIn(t, email);
      await call(agent, "changeEmail", "shared@example.test", "$callback").expect(200);
      tokens.push(t.lastToken("changeEmail"));
    }
    const results = await Promise.all(tokens.map((token) => call(t.agent(), "confirmEmail", token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toBe("EMAIL_TAKEN");
    const emails = (await env.db.db.select().from(accounts)).map((r) => r.email).sort();
    expect(emails.filter((e) => e === "shared@example.test")).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });

  it("`confirmEmail()` updates the email of the current session when it belongs to the account", async () => {
    const t = app();
    await register(env.config(), "alice@example.test", PASSWORD);
    const agent = await signIn(t, "alice@example.test");
    await call(agent, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    await call(agent, "confirmEmail", t.lastToken("changeEmail")).expect(200);
    const me = await agent.get("/me").expect(200);
    expect(me.body.email).toBe("alice.new@example.test");
  });
});

describe("confirmEmailAndLogin()", () => {
  it("`confirmEmailAndLogin()` verifies the account and signs the request in", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const agent = t.agent();
    const res = await call(agent, "confirmEmailAndLogin", token).expect(200);
    expect(setCookies(res).some((c: string) => c.startsWith("connect.sid="))).toBe(true);
    const me = await agent.get("/me").expect(200);
    expect(me.body).toMatchObject({ email: "alice@example.test", remembered: false });
    const row = await accountRow("alice@example.test");
    expect(row!.verified).toBe(true);
    expect(row!.lastLogin).not.toBeNull();
    const login = (await actions(row!.id)).filter((a) => a.action === "login");
    expect(login).toHaveLength(1);
    expect(login[0]!.metadata).toMatchObject({ confirmedEmail: true });
  });

  it("`confirmEmailAndLogin()` with remember=true sets a remember-me cookie", async () => {
    const t = app();
    const token = await registerUnverified(t);
    const res = await call(t.agent(), "confirmEmailAndLogin", token, true).expect(200);
    const remember = setCookies(res).find((c: string) => c.startsWith("remember_token="));
    expect(remember).toMatch(/HttpOnly/);
    expect(await env.db.db.select().from(authSchema.remembers)).toHaveLength(1);
  });

  it("`confirmEmailAndLogin()` refuses to sign in a banned account (UserInactiveError)", async () => {
    const config = env.config();
    const t = app(config);
    const token = await registerUnverified(t);
    await setStatusForUserBy(config, { email: "alice@example.test" }, AuthStatus.Banned);
    const agent = t.agent();
    const res = await call(agent, "confirmEmailAndLogin", token).expect(403);
    expect(res.body.error).toBe("USER_INACTIVE");
    await agent.get("/me").expect(401);
    const row = await accountRow("alice@example.test");
    expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, row!.id))).toEqual([]);
    expect((await actions(row!.id)).some((a) => a.action === "login")).toBe(false);
  });

  it("`confirmEmailAndLogin()` rejects an unknown token and leaves the request anonymous", async () => {
    const t = app();
    await registerUnverified(t);
    const agent = t.agent();
    const res = await call(agent, "confirmEmailAndLogin", "A".repeat(16) + "." + "B".repeat(43)).expect(400);
    expect(res.body.error).toBe("CONFIRMATION_NOT_FOUND");
    await agent.get("/me").expect(401);
  });
});

describe("changeEmail()", () => {
  async function signedInAlice(t: TestApp, config: AuthConfig) {
    const account = await register(config, "alice@example.test", PASSWORD);
    return { account, agent: await signIn(t, "alice@example.test") };
  }

  it("`changeEmail()` + `confirmEmail()` changes the email and writes `email_change_requested` and `email_changed`", async () => {
    const config = env.config();
    const t = app(config);
    const { account, agent } = await signedInAlice(t, config);
    await call(agent, "changeEmail", "Alice.New@Example.TEST", "$callback").expect(200);
    const token = t.lastToken("changeEmail");
    expect(token).toMatch(TOKEN_SHAPE);
    await call(t.agent(), "confirmEmail", token).expect(200);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.email).toBe("alice.new@example.test");
    const log = await actions(account.id);
    expect(log.find((a) => a.action === "email_change_requested")!.metadata).toEqual({
      from: "alice@example.test",
      to: "alice.new@example.test",
    });
    expect(log.find((a) => a.action === "email_changed")!.metadata).toEqual({
      from: "alice@example.test",
      to: "alice.new@example.test",
    });
  });

  it("`changeEmail()` moves sign-in to the new address once confirmed", async () => {
    const config = env.config();
    const t = app(config);
    const { agent } = await signedInAlice(t, config);
    await call(agent, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    await call(t.agent(), "confirmEmail", t.lastToken("changeEmail")).expect(200);
    await signIn(t, "alice.new@example.test");
    const old = await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD });
    expect(old.status).toBe(401);
  });

  it("`changeEmail()` leaves the current email in place until the change is confirmed", async () => {
    const config = env.config();
    const t = app(config);
    const { account, agent } = await signedInAlice(t, config);
    await call(agent, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.email).toBe("alice@example.test");
    expect((await agent.get("/me").expect(200)).body.email).toBe("alice@example.test");
    await signIn(t, "alice@example.test");
  });

  it("`changeEmail()` refuses an address another account uses, in any case (EmailTakenError)", async () => {
    const config = env.config();
    const t = app(config);
    await register(config, "bob@example.test", PASSWORD);
    const { agent } = await signedInAlice(t, config);
    for (const taken of ["bob@example.test", "BOB@Example.Test"]) {
      const res = await call(agent, "changeEmail", taken, "$callback").expect(409);
      expect(res.body.error).toBe("EMAIL_TAKEN");
    }
    expect(t.outbox.filter((m) => m.method === "changeEmail")).toEqual([]);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
  });

  it("`changeEmail()` requires a signed-in session (UserNotLoggedInError)", async () => {
    const t = app();
    const res = await call(t.agent(), "changeEmail", "new@example.test", "$callback").expect(401);
    expect(res.body.error).toBe("NOT_LOGGED_IN");
    expect(t.outbox).toEqual([]);
  });

  it("`changeEmail()` rejects an invalid new address (InvalidEmailError)", async () => {
    const config = env.config();
    const t = app(config);
    const { agent } = await signedInAlice(t, config);
    const res = await call(agent, "changeEmail", "Victim <victim@example.test>", "$callback").expect(400);
    expect(res.body.error).toBe("INVALID_EMAIL");
  });

  it("`confirmEmail()` of an email change throws EmailTakenError when the address was taken meanwhile", async () => {
    const config = env.config();
    const t = app(config);
    const { account, agent } = await signedInAlice(t, config);
    await call(agent, "changeEmail", "contested@example.test", "$callback").expect(200);
    await register(config, "contested@example.test", PASSWORD);
    const res = await call(t.agent(), "confirmEmail", t.lastToken("changeEmail")).expect(409);
    expect(res.body.error).toBe("EMAIL_TAKEN");
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.email).toBe("alice@example.test");
    expect((await actions(account.id)).some((a) => a.action === "email_changed")).toBe(false);
    expect(t.errors).toEqual([]);
  });

  it("confirming an email change deletes the account's pending password reset tokens (TK-05)", async () => {
    const config = env.config();
    const t = app(config);
    const { account, agent } = await signedInAlice(t, config);
    await call(t.agent(), "resetPassword", "alice@example.test", null, null, "$callback").expect(200);
    const resetToken = t.lastToken("resetPassword");
    await call(agent, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    await call(t.agent(), "confirmEmail", t.lastToken("changeEmail")).expect(200);
    expect(await env.db.db.select().from(resets).where(eq(resets.accountId, account.id))).toEqual([]);
    const res = await call(t.agent(), "confirmResetPassword", resetToken, NEW_PASSWORD).expect(400);
    expect(res.body.error).toBe("RESET_NOT_FOUND");
  });

  it("a second `changeEmail()` supersedes the first pending change (TK-05)", async () => {
    const config = env.config();
    const t = app(config);
    const { account, agent } = await signedInAlice(t, config);
    await call(agent, "changeEmail", "first@example.test", "$callback").expect(200);
    const first = t.lastToken("changeEmail");
    await call(agent, "changeEmail", "second@example.test", "$callback").expect(200);
    await call(t.agent(), "confirmEmail", first).expect(400);
    await call(t.agent(), "confirmEmail", t.lastToken("changeEmail")).expect(200);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.email).toBe("second@example.test");
  });
});

describe("resendConfirmation()", () => {
  it("`resendConfirmation()` issues a fresh working token for an unverified account", async () => {
    const t = app();
    const first = await registerUnverified(t);
    await call(t.agent(), "resendConfirmation", "ALICE@example.test", "$callback").expect(200);
    const fresh = t.lastToken("resendConfirmation");
    expect(fresh).toMatch(TOKEN_SHAPE);
    expect(fresh).not.toBe(first);
    const rows = await env.db.db.select().from(confirmations);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.email).toBe("alice@example.test");
    await call(t.agent(), "confirmEmail", fresh).expect(200);
    expect((await accountRow("alice@example.test"))!.verified).toBe(true);
  });

  it("`resendConfirmation()` is silent for an unknown email", async () => {
    const t = app();
    const res = await call(t.agent(), "resendConfirmation", "nobody@example.test", "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toEqual([]);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
  });

  it("`resendConfirmation()` is silent for a verified account", async () => {
    const t = app();
    await register(env.config(), "alice@example.test", PASSWORD);
    const res = await call(t.agent(), "resendConfirmation", "alice@example.test", "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toEqual([]);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
  });

  it("`resendConfirmation()` answers unknown, verified and unverified addresses identically (EN-04)", async () => {
    const t = app();
    await register(env.config(), "verified@example.test", PASSWORD);
    await registerUnverified(t, "pending@example.test");
    const bodies = [];
    for (const email of ["nobody@example.test", "verified@example.test", "pending@example.test"]) {
      const res = await call(t.agent(), "resendConfirmation", email, "$callback");
      bodies.push({ status: res.status, body: res.body });
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it("`resendConfirmation()` keeps a pending email change bound to its new address", async () => {
    const config = env.config();
    const t = app(config);
    const account = await register(config, "alice@example.test", PASSWORD);
    const agent = await signIn(t, "alice@example.test");
    await call(agent, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    // Alice is verified, so there is nothing to resend: the pending change stays as it was.
    await call(t.agent(), "resendConfirmation", "alice@example.test", "$callback").expect(200);
    const rows = await env.db.db
      .select()
      .from(confirmations)
      .where(and(eq(confirmations.accountId, account.id), eq(confirmations.email, "alice.new@example.test")));
    expect(rows).toHaveLength(1);
  });
});
