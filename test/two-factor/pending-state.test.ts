import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { cookiePair, sessionIdOf, setCookie, sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  call,
  codeAt,
  enrollEmail,
  expectClientError,
  registerAndSignIn,
  startLogin,
  totpAccount,
  twoFactorApp,
  wrongCode,
} from "./helpers.js";

const env = useTestEnv();

async function sessionExists(sid: string): Promise<boolean> {
  const s = authSchema.sessions;
  return (
    (
      await env.db.db
        .select({ id: s.id })
        .from(s)
        .where(eq(s.id, sha256(sid)))
    ).length === 1
  );
}

async function rememberRows() {
  return env.db.db.select().from(authSchema.remembers);
}

describe("the password-verified, second-factor-pending state", () => {
  it("grants no access: /me is 401 during it (MF-05)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await agent.get("/me").expect(401);
    expect((await call(agent, "isLoggedIn").expect(200)).body.result).toBe(false);
    expect((await call(agent, "getId").expect(200)).body.result).toBeNull();
  });

  it("does not count as signed in for two-factor management (MF-05)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    expect((await call(agent, "twoFactor.isEnabled").expect(200)).body.result).toBe(false);
    expectClientError(await call(agent, "twoFactor.setup.email"), 401, "NOT_LOGGED_IN");
    expectClientError(await call(agent, "twoFactor.disable", 1, PASSWORD), 401, "NOT_LOGGED_IN");
    expectClientError(await call(agent, "twoFactor.generateNewBackupCodes", PASSWORD), 401, "NOT_LOGGED_IN");
  });

  it("refuses verify without a pending login (UserNotLoggedInError)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    expectClientError(await call(app.t.agent(), "twoFactor.verify.totp", "123456"), 401, "NOT_LOGGED_IN");
  });

  it("refuses completion without a pending login (TwoFactorExpiredError)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    expectClientError(await call(app.t.agent(), "completeTwoFactorLogin"), 401, "TWO_FACTOR_EXPIRED");
  });

  it("refuses a verify after tokenExpiry with TwoFactorExpiredError, and the login must restart", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    env.clock.advance(5 * 60_000 + 1000);
    const res = await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now()));
    expectClientError(res, 401, "TWO_FACTOR_EXPIRED");
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401, "TWO_FACTOR_EXPIRED");
    await agent.get("/me").expect(401);
    await startLogin(app, { agent });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });

  it("refuses completion after tokenExpiry even when the code was verified in time", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    env.clock.advance(5 * 60_000 + 1000);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401, "TWO_FACTOR_EXPIRED");
    await agent.get("/me").expect(401);
  });

  it("honours a configured tokenExpiry for the pending state", async () => {
    const app = twoFactorApp(env, { tokenExpiry: "2m" });
    const { secret } = await totpAccount(app, env);
    const early = await startLogin(app);
    env.clock.advance(2 * 60_000 - 1000);
    await call(early.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(early.agent, "completeTwoFactorLogin").expect(200);
    env.clock.advance(30_000);
    const late = await startLogin(app);
    env.clock.advance(2 * 60_000 + 1000);
    expectClientError(
      await call(late.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())),
      401,
      "TWO_FACTOR_EXPIRED",
    );
  });

  it("refuses the correct code after maxAttempts (5) wrong codes, and the login must restart (MF-05)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const wrong = wrongCode(secret, env.clock.now());
    for (let i = 0; i < 5; i++) {
      expectClientError(await call(agent, "twoFactor.verify.totp", wrong), 401, "INVALID_TWO_FACTOR_CODE");
    }
    const correct = codeAt(secret, env.clock.now());
    expectClientError(await call(agent, "twoFactor.verify.totp", correct), 401, "NOT_LOGGED_IN");
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401, "TWO_FACTOR_EXPIRED");
    await agent.get("/me").expect(401);
    await startLogin(app, { agent });
    await call(agent, "twoFactor.verify.totp", correct).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it("still accepts the correct code after maxAttempts − 1 wrong codes", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const wrong = wrongCode(secret, env.clock.now());
    for (let i = 0; i < 4; i++) await call(agent, "twoFactor.verify.totp", wrong).expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });

  it("honours a configured maxAttempts", async () => {
    const app = twoFactorApp(env, { maxAttempts: 2 });
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const wrong = wrongCode(secret, env.clock.now());
    await call(agent, "twoFactor.verify.totp", wrong).expect(401);
    await call(agent, "twoFactor.verify.totp", wrong).expect(401);
    expectClientError(
      await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())),
      401,
      "NOT_LOGGED_IN",
    );
  });

  it("changes the session id at the password step, away from an earlier signed-in session", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const signedIn = sessionIdOf(await call(agent, "completeTwoFactorLogin").expect(200));
    env.clock.advance(30_000);
    const { res } = await startLogin(app, { agent });
    const pending = sessionIdOf(res);
    expect(pending).not.toBe(signedIn);
    expect(await sessionExists(signedIn)).toBe(false);
    expect(await sessionExists(pending)).toBe(true);
    await agent.get("/me").expect(401);
  });

  it("changes the session id again at completion and removes the pending session", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent, res } = await startLogin(app);
    const pending = sessionIdOf(res);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    const final = sessionIdOf(done);
    expect(final).not.toBe(pending);
    expect(await sessionExists(pending)).toBe(false);
    expect(await sessionExists(final)).toBe(true);
  });

  it("does not let the pending session cookie reach the signed-in session after completion", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent, res } = await startLogin(app);
    const pendingCookie = cookiePair(res, "connect.sid")!;
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
    await app.t.agent().get("/me").set("Cookie", pendingCookie).expect(401);
  });

  it("issues no remember-me token at the password step, even when asked for (RM-04)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { res } = await startLogin(app, { remember: true });
    expect(setCookie(res, "remember_token")).toBeUndefined();
    expect(await rememberRows()).toEqual([]);
  });

  it("honours remember-me chosen at the password step when the login completes", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app, { remember: true });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    const remember = cookiePair(done, "remember_token");
    expect(remember).toBeDefined();
    expect(await rememberRows()).toHaveLength(1);
    // The cookie alone restores the session.
    await app.t.agent().get("/me").set("Cookie", remember!).expect(200);
  });

  it("issues no remember-me token at completion when it was not chosen", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app, { remember: false });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    expect(setCookie(done, "remember_token")).toBeUndefined();
    expect(await rememberRows()).toEqual([]);
  });

  it("ends the pending state on logout", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "logout").expect(200);
    expectClientError(
      await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())),
      401,
      "NOT_LOGGED_IN",
    );
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
  });

  it("refuses completion when the account was banned during the pending state", async () => {
    const app = twoFactorApp(env);
    const { agent: admin, secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(admin, "setStatusForUserBy", { email: ALICE }, 2).expect(200);
    expectClientError(await call(agent, "completeTwoFactorLogin"));
    await agent.get("/me").expect(401);
  });

  it("refuses verify of a method that is only pending enrolment (TwoFactorSetupIncompleteError)", async () => {
    const app = twoFactorApp(env);
    const { agent: owner } = await totpAccount(app, env);
    await call(owner, "twoFactor.setup.email").expect(200);
    const setupCode = app.lastCode("email", "setup");
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.email", setupCode);
    expectClientError(res, 400, "TWO_FACTOR_SETUP_INCOMPLETE");
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
  });

  it("refuses verify of a mechanism the account never set up (TwoFactorNotSetupError)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "twoFactor.verify.sms", "123456"), 400, "TWO_FACTOR_NOT_SETUP");
    expectClientError(await call(agent, "twoFactor.verify.otp", "123456"), 400, "TWO_FACTOR_NOT_SETUP");
  });

  it("lists the verified mechanisms in the prompt, and nothing for an account without 2FA", async () => {
    const app = twoFactorApp(env);
    const { agent: owner } = await totpAccount(app, env);
    await enrollEmail(app, owner);
    const { res } = await startLogin(app);
    expect(Object.keys(res.body.methods).sort()).toEqual(["backupCode", "email", "totp"]);
    const bob = app.t.agent();
    await bob.post("/register").send({ email: "bob@example.test", password: PASSWORD }).expect(200);
    await app.t.agent().post("/login").send({ email: "bob@example.test", password: PASSWORD }).expect(200);
  });
});

describe("every entry point ends in the pending state for a 2FA account (MF-08)", () => {
  it("confirmEmailAndLogin challenges the second factor and signs in only after it", async () => {
    const app = twoFactorApp(env);
    const { agent: owner, secret } = await totpAccount(app, env);
    await call(owner, "changeEmail", "alice.new@example.test", "$callback").expect(200);
    const token = app.t.lastToken("changeEmail");
    const agent = app.t.agent();
    const res = await call(agent, "confirmEmailAndLogin", token, true);
    expectClientError(res, 401, "SECOND_FACTOR_REQUIRED");
    expect(res.body.methods).toMatchObject({ totp: true });
    await agent.get("/me").expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    expect(cookiePair(done, "remember_token")).toBeDefined();
    const me = await agent.get("/me").expect(200);
    expect(me.body.email).toBe("alice.new@example.test");
  });

  it("the password login challenges an account whose only method is email codes", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const { agent } = await startLogin(app);
    await agent.get("/me").expect(401);
  });
});
