import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  activityOf,
  call,
  codeAt,
  enrollEmail,
  enrollSms,
  expectClientError,
  methodRows,
  registerAndSignIn,
  startLogin,
  totpAccount,
  twoFactorApp,
} from "./helpers.js";

const env = useTestEnv();

async function loginIsChallenged(app: ReturnType<typeof twoFactorApp>): Promise<boolean> {
  const res = await app.t.agent().post("/login").send({ email: ALICE, password: PASSWORD });
  expect([200, 401]).toContain(res.status);
  return res.status === 401;
}

describe("disabling a two-factor method", () => {
  it("disables the last method without the password within recentAuthWindow", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await call(agent, "twoFactor.disable", 1).expect(200);
    expect((await call(agent, "twoFactor.isEnabled")).body.result).toBe(false);
    expect(await methodRows(env)).toEqual([]);
  });

  it("removes the challenge at the next login", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    expect(await loginIsChallenged(app)).toBe(true);
    await call(agent, "twoFactor.disable", 1).expect(200);
    expect(await loginIsChallenged(app)).toBe(false);
  });

  it("deletes the backup codes with the last method", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await call(agent, "twoFactor.disable", 1).expect(200);
    expect(await env.db.db.select().from(authSchema.twoFactorBackupCodes)).toEqual([]);
  });

  it("logs two_factor_disabled with the mechanism", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollSms(app, owner);
    await call(owner, "twoFactor.disable", 3).expect(200);
    const rows = await activityOf(env, "two_factor_disabled");
    expect(rows.map((r) => r.metadata)).toEqual([{ mechanism: "sms" }]);
    expect(rows[0]!.success).toBe(true);
  });

  it("requires the password for the last method after recentAuthWindow (ReauthenticationRequiredError, 401)", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    expectClientError(await call(agent, "twoFactor.disable", 1), 401, "REAUTH_REQUIRED");
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
    expect(await activityOf(env, "two_factor_disabled")).toEqual([]);
  });

  it("refuses a wrong password for the last method", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    expectClientError(await call(agent, "twoFactor.disable", 1, "not the right password"), 401, "REAUTH_REQUIRED");
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
  });

  it("disables the last method with the password after recentAuthWindow", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    await call(agent, "twoFactor.disable", 1, PASSWORD).expect(200);
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(false);
    expect(await loginIsChallenged(app)).toBe(false);
  });

  it("counts a completed two-factor login as a recent sign-in", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    env.clock.advance(20 * 60_000);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await call(agent, "twoFactor.disable", 1).expect(200);
  });

  it("disables one of two methods without the password even after recentAuthWindow, and the other still challenges", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await enrollEmail(app, agent);
    env.clock.advance(11 * 60_000);
    await call(agent, "twoFactor.disable", 2).expect(200);
    expect((await call(agent, "twoFactor.getEnabledMethods")).body.result).toEqual([1]);
    const { res } = await startLogin(app);
    expect(res.body.methods).toEqual({ totp: true, backupCode: true });
  });

  it("keeps the backup codes while another method remains", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await enrollEmail(app, agent);
    await call(agent, "twoFactor.disable", 1).expect(200);
    expect(await env.db.db.select().from(authSchema.twoFactorBackupCodes)).toHaveLength(10);
  });

  it("refuses to disable a mechanism that is not set up (TwoFactorNotSetupError)", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    expectClientError(await call(agent, "twoFactor.disable", 3), 400, "TWO_FACTOR_NOT_SETUP");
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
  });

  it.each([[0], [4], ["1"], [null], [{ mechanism: 1 }]])(
    "refuses the mechanism %j with InvalidInputError (400)",
    async (mechanism) => {
      const app = twoFactorApp(env);
      const { agent } = await totpAccount(app, env);
      expectClientError(await call(agent, "twoFactor.disable", mechanism), 400, "INVALID_INPUT");
      expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
    },
  );

  it("does not touch another account's methods", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const bob = await registerAndSignIn(app, "bob@example.test");
    expectClientError(await call(bob, "twoFactor.disable", 1), 400, "TWO_FACTOR_NOT_SETUP");
    expect(await methodRows(env)).toHaveLength(1);
  });

  it("lets a method be set up again after it was disabled", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    await call(owner, "twoFactor.disable", 2).expect(200);
    await enrollEmail(app, owner);
    expect((await call(owner, "twoFactor.emailEnabled")).body.result).toBe(true);
  });
});
