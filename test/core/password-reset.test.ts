import { createHash } from "node:crypto";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import {
  EmailNotVerifiedError,
  InvalidPasswordError,
  ResetDisabledError,
  ResetExpiredError,
  ResetNotFoundError,
  TooManyResetsError,
  changePasswordForUserBy,
  confirmResetPassword,
  register,
  resetPassword,
} from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const MINUTE = 60_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/;
const { accounts, resets, remembers, sessions, activityLog, rateLimits, confirmations } = authSchema;

type Agent = ReturnType<TestApp["agent"]>;

function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** A verified account and an app on one config. */
async function setup(overrides: Partial<AuthConfig> = {}) {
  const config = env.config(overrides);
  const account = await register(config, "alice@example.test", PASSWORD);
  return { config, account, t: createTestApp(config) };
}

/** Requests a reset over HTTP and returns the token the app "mailed". */
async function requestReset(t: TestApp, email = "alice@example.test", ...extra: unknown[]): Promise<string> {
  const [expiresAfter = null, maxOpen = null] = extra;
  await call(t.agent(), "resetPassword", email, expiresAfter, maxOpen, "$callback").expect(200);
  return t.lastToken("resetPassword");
}

async function login(t: TestApp, password: string, remember = false) {
  const agent = t.agent();
  const res = await agent.post("/login").send({ email: "alice@example.test", password, remember });
  return { agent, res };
}

async function resetRows(accountId: number) {
  return env.db.db.select().from(resets).where(eq(resets.accountId, accountId));
}

describe("resetPassword() tokens", () => {
  it("`resetPassword()` sends a `selector.validator` token with a 256-bit validator (TK-01)", async () => {
    const { t } = await setup();
    const token = await requestReset(t);
    expect(token).toMatch(TOKEN_SHAPE);
    expect(Buffer.from(token.split(".")[1]!, "base64url").length).toBe(32);
  });

  it("`resetPassword()` issues 1000 unique tokens (TK-01)", async () => {
    const { config } = await setup({ rateLimits: false });
    const tokens: string[] = [];
    for (let i = 0; i < 1000; i++) {
      await resetPassword(config, "alice@example.test", null, 1000, (token) => void tokens.push(token));
    }
    expect(new Set(tokens).size).toBe(1000);
    expect(new Set(tokens.map((tk) => tk.split(".")[0])).size).toBe(1000);
    const sorted = [...tokens].sort();
    let longest = 0;
    for (let i = 1; i < sorted.length; i++) {
      let n = 0;
      while (sorted[i]![n] === sorted[i - 1]![n]) n++;
      longest = Math.max(longest, n);
    }
    expect(longest).toBeLessThan(7);
  });

  it("stores the reset token only as a hash of its validator (TK-02)", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    const [selector, validator] = token.split(".") as [string, string];
    const rows = await resetRows(account.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.selector).toBe(selector);
    expect(rows[0]!.validatorHash).toBe(sha256Hex(validator));
    const everything: unknown[] = [];
    for (const table of Object.values(authSchema)) everything.push(await env.db.db.select().from(table));
    expect(JSON.stringify(everything)).not.toContain(validator);
  });

  it("`confirmResetPassword()` rejects the stored hash presented as a token (TK-02)", async () => {
    const { t, account } = await setup();
    await requestReset(t);
    const [row] = await resetRows(account.id);
    for (const forged of [
      `${row!.selector}.${row!.validatorHash}`,
      `${row!.selector}.${row!.validatorHash.slice(0, 43)}`,
    ]) {
      const res = await call(t.agent(), "confirmResetPassword", forged, NEW_PASSWORD).expect(400);
      expect(res.body.error).toBe("RESET_NOT_FOUND");
    }
    expect(await resetRows(account.id)).toHaveLength(1);
    expect((await login(t, PASSWORD)).res.status).toBe(200);
  });

  it("`confirmResetPassword()` rejects an email confirmation token (TK-02)", async () => {
    const config = env.config();
    const t = createTestApp(config);
    await call(t.agent(), "register", "bob@example.test", PASSWORD, null, "$callback").expect(200);
    const confirmation = t.lastToken("register");
    const res = await call(t.agent(), "confirmResetPassword", confirmation, NEW_PASSWORD).expect(400);
    expect(res.body.error).toBe("RESET_NOT_FOUND");
    expect(await env.db.db.select().from(confirmations)).toHaveLength(1);
  });

  it("`confirmEmail()` rejects a password reset token (TK-02)", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    const res = await call(t.agent(), "confirmEmail", token).expect(400);
    expect(res.body.error).toBe("CONFIRMATION_NOT_FOUND");
    expect(await resetRows(account.id)).toHaveLength(1);
  });

  it("`confirmResetPassword()` rejects malformed tokens with ResetNotFoundError", async () => {
    const { t } = await setup();
    const token = await requestReset(t);
    for (const bad of ["", `${token}x`, token.slice(1), 42, null, { $ne: null }, [token]]) {
      const res = await call(t.agent(), "confirmResetPassword", bad, NEW_PASSWORD).expect(400);
      expect(res.body.error).toBe("RESET_NOT_FOUND");
    }
    expect(t.errors).toEqual([]);
  });

  it("`resetPassword()` and `confirmResetPassword()` write audit rows without the token", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    const rows = await env.db.db.select().from(activityLog).where(eq(activityLog.accountId, account.id));
    const actions = rows.map((r) => r.action);
    expect(actions).toContain("password_reset_requested");
    expect(actions).toContain("password_reset_completed");
    expect(JSON.stringify(rows)).not.toContain(token.split(".")[1]!);
  });
});

describe("confirmResetPassword()", () => {
  it("`confirmResetPassword()` sets the new password and returns the account", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    const res = await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    expect(res.body.result).toEqual({ accountId: account.id, email: "alice@example.test" });
    expect((await login(t, NEW_PASSWORD)).res.status).toBe(200);
    expect((await login(t, PASSWORD)).res.status).toBe(401);
  });

  it("`confirmResetPassword()` refuses a token that was already used (TK-03)", async () => {
    const { t } = await setup();
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    const again = await call(t.agent(), "confirmResetPassword", token, `${NEW_PASSWORD} again`).expect(400);
    expect(again.body.error).toBe("RESET_NOT_FOUND");
    expect((await login(t, NEW_PASSWORD)).res.status).toBe(200);
  });

  it("`confirmResetPassword()` succeeds exactly once for 10 concurrent calls, and the winner's password is the one set (TK-03)", async () => {
    const { t } = await setup();
    const token = await requestReset(t);
    const passwords = Array.from({ length: 10 }, (_, i) => `${NEW_PASSWORD} number ${"abcdefghij"[i]}`);
    const results = await Promise.all(
      passwords.map((password) => call(t.agent(), "confirmResetPassword", token, password)),
    );
    const winners = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("RESET_NOT_FOUND");
    }
    expect((await login(t, passwords[winners[0]!]!)).res.status).toBe(200);
    for (const [i, password] of passwords.entries()) {
      if (i !== winners[0]) expect((await login(t, password)).res.status).toBe(401);
    }
    expect(t.errors).toEqual([]);
  });

  it("`confirmResetPassword()` succeeds exactly once when calls race on two connection pools (TK-03)", async () => {
    const { config, account } = await setup();
    const other = env.config({ db: env.db.connect() });
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        confirmResetPassword(i % 2 ? config : other, token, `${NEW_PASSWORD} racer ${"abcdefghij"[i]}`),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ResetNotFoundError);
    expect(await resetRows(account.id)).toEqual([]);
  });

  it("`confirmResetPassword()` accepts a token 29 minutes after issue by default (TK-04)", async () => {
    const { t } = await setup();
    const token = await requestReset(t);
    env.clock.advance(29 * MINUTE);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
  });

  it("`confirmResetPassword()` throws ResetExpiredError 31 minutes after issue and deletes the row (TK-04)", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    env.clock.advance(31 * MINUTE);
    const res = await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(400);
    expect(res.body).toEqual({ error: "RESET_EXPIRED", message: "Password reset token has expired" });
    expect(await resetRows(account.id)).toEqual([]);
    expect((await login(t, PASSWORD)).res.status).toBe(200);
  });

  it("`confirmResetPassword()` honours the `resetExpiry` config and the `expiresAfter` argument (TK-04)", async () => {
    const { t } = await setup({ resetExpiry: "10m" });
    const short = await requestReset(t);
    const long = await requestReset(t, "alice@example.test", "1h");
    env.clock.advance(11 * MINUTE);
    const expired = await call(t.agent(), "confirmResetPassword", short, NEW_PASSWORD).expect(400);
    expect(expired.body.error).toBe("RESET_EXPIRED");
    await call(t.agent(), "confirmResetPassword", long, NEW_PASSWORD).expect(200);
  });

  it("a successful reset deletes every other reset token of the account (TK-05)", async () => {
    const { t, account } = await setup();
    const first = await requestReset(t);
    const second = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", first, NEW_PASSWORD).expect(200);
    expect(await resetRows(account.id)).toEqual([]);
    const res = await call(t.agent(), "confirmResetPassword", second, `${NEW_PASSWORD} two`).expect(400);
    expect(res.body.error).toBe("RESET_NOT_FOUND");
  });

  it("a password change through `changePassword()` deletes pending reset tokens (TK-05)", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    const { agent } = await login(t, PASSWORD);
    await call(agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    expect(await resetRows(account.id)).toEqual([]);
    const res = await call(t.agent(), "confirmResetPassword", token, `${NEW_PASSWORD} two`).expect(400);
    expect(res.body.error).toBe("RESET_NOT_FOUND");
  });

  it("an admin password change through `changePasswordForUserBy()` deletes pending reset tokens (TK-05)", async () => {
    const { t, config, account } = await setup();
    const token = await requestReset(t);
    await changePasswordForUserBy(config, { accountId: account.id }, NEW_PASSWORD);
    await expect(confirmResetPassword(config, token, `${NEW_PASSWORD} two`)).rejects.toBeInstanceOf(ResetNotFoundError);
  });

  it("a reset signs out every session and remember-me token of the account, an attacker's included (TK-06)", async () => {
    const { t, account } = await setup();
    const attacker = await login(t, PASSWORD, true);
    expect(attacker.res.status).toBe(200);
    const second = await login(t, PASSWORD);
    await attacker.agent.get("/me").expect(200);
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    expect(await env.db.db.select().from(remembers).where(eq(remembers.accountId, account.id))).toEqual([]);
    expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, account.id))).toEqual([]);
    // The attacker's agent still holds both its session and its remember-me cookie.
    await attacker.agent.get("/me").expect(401);
    await second.agent.get("/me").expect(401);
  });

  it("`confirmResetPassword()` through the standalone API also revokes sessions (TK-06)", async () => {
    const { t, config } = await setup();
    const { agent } = await login(t, PASSWORD, true);
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    await confirmResetPassword(config, token, NEW_PASSWORD);
    await agent.get("/me").expect(401);
  });

  it("`confirmResetPassword()` ends the current session when it belongs to the account", async () => {
    const { t } = await setup();
    const { agent } = await login(t, PASSWORD);
    await call(agent, "resetPassword", "alice@example.test", null, null, "$callback").expect(200);
    await call(agent, "confirmResetPassword", t.lastToken("resetPassword"), NEW_PASSWORD).expect(200);
    await agent.get("/me").expect(401);
  });

  it("`confirmResetPassword()` with logout=false leaves other sessions signed in", async () => {
    const { t } = await setup();
    const { agent } = await login(t, PASSWORD);
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD, false).expect(200);
    await agent.get("/me").expect(200);
  });

  it("a reset leaves the account's two-factor methods in place (TK-06)", async () => {
    const { t, account } = await setup();
    const now = env.clock.now();
    const methods = authSchema.twoFactorMethods;
    await env.db.db
      .insert(methods)
      .values({ accountId: account.id, mechanism: 2, secret: "alice@example.test", verified: true, createdAt: now });
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    const rows = await env.db.db.select().from(methods).where(eq(methods.accountId, account.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.verified).toBe(true);
  });

  it("a reset clears the login lockout of the account (TK-06)", async () => {
    const { t } = await setup({ loginLockout: { maxFailures: 3, duration: "15m" } });
    for (let i = 0; i < 3; i++) expect((await login(t, "wrong horse battery staple")).res.status).toBe(401);
    const locked = await login(t, PASSWORD);
    expect(locked.res.status).toBe(429);
    const lockoutRows = () => env.db.db.select().from(rateLimits).where(like(rateLimits.key, "login:%"));
    expect(await lockoutRows()).toHaveLength(1);
    const token = await requestReset(t);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
    expect(await lockoutRows()).toEqual([]);
    expect((await login(t, NEW_PASSWORD)).res.status).toBe(200);
  });

  it("the forgot-password flow keeps working while the login is locked (BF-03)", async () => {
    const { t } = await setup({ loginLockout: { maxFailures: 2, duration: "15m" } });
    for (let i = 0; i < 2; i++) await login(t, "wrong horse battery staple");
    expect((await login(t, PASSWORD)).res.status).toBe(429);
    const token = await requestReset(t);
    expect(token).toMatch(TOKEN_SHAPE);
  });

  it("a weak new password is refused and leaves the token usable", async () => {
    const { t, account } = await setup();
    const token = await requestReset(t);
    const short = await call(t.agent(), "confirmResetPassword", token, "short").expect(400);
    expect(short.body.error).toBe("INVALID_PASSWORD");
    const common = await call(t.agent(), "confirmResetPassword", token, "password123456789").expect(400);
    expect(common.body.error).toBe("INVALID_PASSWORD");
    const email = await call(t.agent(), "confirmResetPassword", token, "alice@example.test").expect(400);
    expect(email.body.error).toBe("INVALID_PASSWORD");
    expect(await resetRows(account.id)).toHaveLength(1);
    await call(t.agent(), "confirmResetPassword", token, NEW_PASSWORD).expect(200);
  });

  it("`confirmResetPassword()` throws ResetDisabledError when the account became non-resettable", async () => {
    const { config, account } = await setup();
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, account.id));
    await expect(confirmResetPassword(config, token, NEW_PASSWORD)).rejects.toBeInstanceOf(ResetDisabledError);
  });

  it("`confirmResetPassword()` refuses the token of a deleted account", async () => {
    const { config, account } = await setup();
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    await env.db.db.delete(accounts).where(eq(accounts.id, account.id));
    await expect(confirmResetPassword(config, token, NEW_PASSWORD)).rejects.toBeInstanceOf(ResetNotFoundError);
  });

  it("`confirmResetPassword()` rejects a non-string password without consuming the token", async () => {
    const { config, account } = await setup();
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    await expect(confirmResetPassword(config, token, ["x"] as never)).rejects.toBeInstanceOf(InvalidPasswordError);
    expect(await resetRows(account.id)).toHaveLength(1);
  });
});

describe("resetPassword() requests", () => {
  it("`req.auth.resetPassword()` resolves for an unknown email: no callback, no token (EN-04)", async () => {
    const { t } = await setup();
    const res = await call(t.agent(), "resetPassword", "nobody@example.test", null, null, "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toEqual([]);
    expect(await env.db.db.select().from(resets)).toEqual([]);
  });

  it("`req.auth.resetPassword()` resolves for an unverified account: no callback, no token (EN-04)", async () => {
    const config = env.config();
    const t = createTestApp(config);
    await register(config, "bob@example.test", PASSWORD, undefined, () => {});
    const res = await call(t.agent(), "resetPassword", "bob@example.test", null, null, "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toEqual([]);
    expect(await env.db.db.select().from(resets)).toEqual([]);
  });

  it("`req.auth.resetPassword()` answers unknown, unverified, verified, reset-disabled and over-limit alike (EN-04)", async () => {
    const { t, config } = await setup();
    await register(config, "bob@example.test", PASSWORD, undefined, () => {});
    const carol = await register(config, "carol@example.test", PASSWORD);
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, carol.id));
    await register(config, "dave@example.test", PASSWORD);
    for (let i = 0; i < 2; i++) await requestReset(t, "dave@example.test");
    t.outbox.length = 0;
    const addresses = ["nobody@", "bob@", "alice@", "carol@", "dave@"].map((a) => `${a}example.test`);
    const answers = [];
    for (const email of addresses) {
      const res = await call(t.agent(), "resetPassword", email, null, null, "$callback");
      answers.push({ status: res.status, body: res.body as unknown });
    }
    for (const answer of answers) expect(answer).toEqual({ status: 200, body: { result: null } });
    expect(t.outbox).toHaveLength(1);
    // Dave's two earlier links and Alice's new one; nobody else got a token.
    expect(await env.db.db.select().from(resets)).toHaveLength(3);
  });

  it("`resetPassword()` finds the account by canonical email", async () => {
    const { t, account } = await setup();
    await requestReset(t, "  ALICE@Example.Test ");
    expect(await resetRows(account.id)).toHaveLength(1);
  });

  it("`req.auth.resetPassword()` for a dotless-ı homoglyph of `mike@` resolves and sends nothing (EN-04)", async () => {
    const config = env.config();
    const t = createTestApp(config);
    await register(config, "mike@example.test", PASSWORD);
    await call(t.agent(), "resetPassword", "m\u0131ke@example.test", null, null, "$callback").expect(200);
    expect(t.outbox).toEqual([]);
    expect(await env.db.db.select().from(resets)).toEqual([]);
  });

  it("`req.auth.resetPassword()` issues nothing for a non-resettable account, and says nothing either", async () => {
    const { t, account } = await setup();
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, account.id));
    const res = await call(t.agent(), "resetPassword", "alice@example.test", null, null, "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toEqual([]);
    expect(await resetRows(account.id)).toEqual([]);
  });

  it("`req.auth.resetPassword()` issues no third token beyond the default of 2 open requests, silently", async () => {
    const { t, account } = await setup();
    await requestReset(t);
    await requestReset(t);
    const res = await call(t.agent(), "resetPassword", "alice@example.test", null, null, "$callback").expect(200);
    expect(res.body).toEqual({ result: null });
    expect(t.outbox).toHaveLength(2);
    expect(await resetRows(account.id)).toHaveLength(2);
  });

  it("refused requests are audited with their reason, never with a token (EN-04)", async () => {
    const { t, config, account } = await setup();
    const bob = await register(config, "bob@example.test", PASSWORD, undefined, () => {});
    for (const email of ["nobody@example.test", "bob@example.test", "alice@example.test"])
      await call(t.agent(), "resetPassword", email, null, null, "$callback").expect(200);
    const rows = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, "password_reset_requested"))
      .orderBy(activityLog.id);
    expect(rows.map((r) => ({ accountId: r.accountId, success: r.success, metadata: r.metadata }))).toEqual([
      { accountId: null, success: false, metadata: { email: "nobody@example.test", reason: "account_not_found" } },
      { accountId: bob.id, success: false, metadata: { email: "bob@example.test", reason: "email_not_verified" } },
      { accountId: account.id, success: true, metadata: { email: "alice@example.test" } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(t.lastToken("resetPassword").split(".")[1]!);
  });

  it("the server-side `resetPassword(config, …)` still names the refusal (EmailNotVerified, ResetDisabled, TooManyResets)", async () => {
    const { config, account } = await setup({ maxOpenResets: 1 });
    const send = (email: string) => resetPassword(config, email, null, null, () => {});
    await expect(send("nobody@example.test")).rejects.toBeInstanceOf(EmailNotVerifiedError);
    await send("alice@example.test");
    await expect(send("alice@example.test")).rejects.toBeInstanceOf(TooManyResetsError);
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, account.id));
    await expect(send("alice@example.test")).rejects.toBeInstanceOf(ResetDisabledError);
  });

  it("`resetPassword()` keeps the open-request limit under 10 concurrent requests (BF-03)", async () => {
    const { config, account } = await setup({ rateLimits: false });
    const sent: string[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        resetPassword(config, "alice@example.test", null, null, (tk) => void sent.push(tk)),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(TooManyResetsError);
    expect(sent).toHaveLength(2);
    expect(await resetRows(account.id)).toHaveLength(2);
  });

  it("`resetPassword()` honours the `maxOpenRequests` argument", async () => {
    const { config } = await setup();
    const send = () => resetPassword(config, "alice@example.test", null, 3, () => {});
    await send();
    await send();
    await send();
    await expect(send()).rejects.toBeInstanceOf(TooManyResetsError);
  });

  it("`resetPassword()` honours the `maxOpenResets` config", async () => {
    const { config } = await setup({ maxOpenResets: 1 });
    await resetPassword(config, "alice@example.test", null, null, () => {});
    await expect(resetPassword(config, "alice@example.test", null, null, () => {})).rejects.toBeInstanceOf(
      TooManyResetsError,
    );
  });

  it("`resetPassword()` does not count expired requests towards the limit", async () => {
    const { t } = await setup();
    await requestReset(t);
    await requestReset(t);
    env.clock.advance(31 * MINUTE);
    expect(await requestReset(t)).toMatch(TOKEN_SHAPE);
  });

  it("`resetPassword()` rejects invalid `expiresAfter` and `maxOpenRequests` arguments (InvalidInputError)", async () => {
    const { t } = await setup();
    for (const args of [
      ["alice@example.test", "soon", null],
      ["alice@example.test", -5, null],
      ["alice@example.test", null, 0],
      ["alice@example.test", null, "2"],
    ]) {
      const res = await call(t.agent(), "resetPassword", ...args, "$callback").expect(400);
      expect(res.body.error).toBe("INVALID_INPUT");
    }
    expect(t.outbox).toEqual([]);
  });

  it("`confirmResetPassword()` reports an expired token once, then treats it as unknown (TK-04)", async () => {
    const { config } = await setup();
    let token = "";
    await resetPassword(config, "alice@example.test", null, null, (tk) => void (token = tk));
    env.clock.advance(31 * MINUTE);
    await expect(confirmResetPassword(config, token, NEW_PASSWORD)).rejects.toBeInstanceOf(ResetExpiredError);
    await expect(confirmResetPassword(config, token, NEW_PASSWORD)).rejects.toBeInstanceOf(ResetNotFoundError);
  });
});
