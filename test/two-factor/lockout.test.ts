import { describe, expect, it } from "vitest";
import { useTestEnv } from "../helpers/setup.js";
import {
  type Agent,
  activityOf,
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

/** Submits `n` wrong TOTP codes on a pending agent. */
async function failTotp(agent: Agent, secret: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await call(agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now())).expect(401);
}

/** With maxAttempts 5 and lockoutThreshold 7: five wrong codes, a new login, two more → locked. */
async function lockedAccount() {
  const app = twoFactorApp(env, { lockoutThreshold: 7 });
  const { secret, backupCodes } = await totpAccount(app, env);
  const first = await startLogin(app);
  await failTotp(first.agent, secret, 5);
  const second = await startLogin(app);
  await failTotp(second.agent, secret, 2);
  return { app, secret, backupCodes, agent: second.agent };
}

describe("account-wide second-factor lockout", () => {
  it("refuses even the correct code with 429 and Retry-After once lockoutThreshold failures accumulate across logins (MF-05)", async () => {
    const { secret, agent } = await lockedAccount();
    const res = await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now()));
    expectClientError(res, 429, "RATE_LIMITED");
    const retryAfter = Number(res.headers["retry-after"]);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
    await agent.get("/me").expect(401);
  });

  it("logs two_factor_locked once when the threshold is reached", async () => {
    await lockedAccount();
    const rows = await activityOf(env, "two_factor_locked");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.success).toBe(false);
    expect(rows[0]!.metadata).toMatchObject({ reason: "too_many_failures" });
    expect(await activityOf(env, "two_factor_failed")).toHaveLength(7);
  });

  it("survives a new login: the password step still prompts, the second step stays locked (MF-05)", async () => {
    const { app, secret } = await lockedAccount();
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now()));
    expectClientError(res, 429, "RATE_LIMITED");
    expect(res.headers["retry-after"]).toBeDefined();
  });

  it("covers backup codes too", async () => {
    const { app, backupCodes } = await lockedAccount();
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "twoFactor.verify.backupCode", backupCodes[0]), 429, "RATE_LIMITED");
    expect(await activityOf(env, "backup_code_used")).toEqual([]);
  });

  it("lifts after lockoutDuration", async () => {
    const { app, secret } = await lockedAccount();
    env.clock.advance(15 * 60_000 + 1000);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it("is still locked just before lockoutDuration ends", async () => {
    const { app, secret } = await lockedAccount();
    env.clock.advance(15 * 60_000 - 5000);
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())), 429, "RATE_LIMITED");
  });

  it("honours a configured lockoutDuration", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 2, lockoutDuration: "2m" });
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await failTotp(agent, secret, 2);
    expectClientError(await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())), 429);
    env.clock.advance(2 * 60_000 + 1000);
    const next = await startLogin(app);
    await call(next.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
  });

  it("locks with the default threshold of 20 after four restarted logins of five failures each (MF-05)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    for (let i = 0; i < 4; i++) {
      const { agent } = await startLogin(app);
      await failTotp(agent, secret, 5);
    }
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())), 429, "RATE_LIMITED");
  });

  it("resets the failure count after a successful second factor", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 5 });
    const { secret } = await totpAccount(app, env);
    const first = await startLogin(app);
    await failTotp(first.agent, secret, 4);
    await call(first.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    env.clock.advance(30_000);
    const second = await startLogin(app);
    await failTotp(second.agent, secret, 4);
    await call(second.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
  });

  it("counts failures across mechanisms: TOTP, backup code and email code (MF-05)", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 3 });
    const { agent: owner, secret, backupCodes } = await totpAccount(app, env);
    await enrollEmail(app, owner);
    const { agent } = await startLogin(app);
    const email = app.lastCode("email", "login");
    await call(agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now())).expect(401);
    await call(agent, "twoFactor.verify.backupCode", "AAAA-BBBB-CCCC-DDDD").expect(401);
    await call(agent, "twoFactor.verify.email", email === "000000" ? "000001" : "000000").expect(401);
    expectClientError(await call(agent, "twoFactor.verify.backupCode", backupCodes[0]), 429, "RATE_LIMITED");
  });

  it("does not reset the count when an email code is resent (MF-06)", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 6 });
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const first = await startLogin(app);
    const c1 = app.lastCode("email", "login");
    for (let i = 0; i < 5; i++)
      await call(first.agent, "twoFactor.verify.email", c1 === "000000" ? "000001" : "000000").expect(401);
    const second = await startLogin(app);
    const c2 = app.lastCode("email", "login");
    await call(second.agent, "twoFactor.verify.email", c2 === "000000" ? "000001" : "000000").expect(401);
    expectClientError(await call(second.agent, "twoFactor.verify.email", c2), 429, "RATE_LIMITED");
  });

  it("delivers no email or SMS code while the second step is locked, and delivers again once it lifts", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 2 });
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const first = await startLogin(app);
    const code = app.lastCode("email", "login");
    const wrong = code === "000000" ? "000001" : "000000";
    await call(first.agent, "twoFactor.verify.email", wrong).expect(401);
    await call(first.agent, "twoFactor.verify.email", wrong).expect(401);
    const sent = app.deliveries.length;
    const { res } = await startLogin(app);
    expect(res.body.methods).toEqual({});
    expect(app.deliveries).toHaveLength(sent);
    env.clock.advance(15 * 60_000 + 1000);
    const later = await startLogin(app);
    expect(app.deliveries).toHaveLength(sent + 1);
    await call(later.agent, "twoFactor.verify.email", app.lastCode("email", "login")).expect(200);
  });

  it("keeps each account's lockout separate", async () => {
    const { app } = await lockedAccount();
    const bob = await totpAccount(app, env, "bob@example.test");
    const { agent } = await startLogin(app, { email: "bob@example.test" });
    await call(agent, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())).expect(200);
  });

  it("blocks confirming a new enrolment while locked", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 2 });
    const { agent: owner, secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await failTotp(agent, secret, 2);
    await call(owner, "twoFactor.setup.email").expect(200);
    expectClientError(
      await call(owner, "twoFactor.complete.email", app.lastCode("email", "setup")),
      429,
      "RATE_LIMITED",
    );
    expect((await call(owner, "twoFactor.emailEnabled")).body.result).toBe(false);
  });
});
