import { ACCOUNT_ID_START } from "../helpers/identity-offsets.js";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  activityOf,
  activityRows,
  call,
  codeAt,
  enrollEmail,
  enrollSms,
  methodRows,
  registerAndSignIn,
  startLogin,
  tableText,
  totpAccount,
  twoFactorApp,
  wrongCode,
} from "./helpers.js";

const env = useTestEnv();

async function pendingSelectors(): Promise<string[]> {
  const rows = await env.db.db.select({ sess: authSchema.sessions.sess }).from(authSchema.sessions);
  return rows.flatMap((r) => Object.values(JSON.parse(r.sess)?.auth?.awaitingTwoFactor?.selectors ?? {}) as string[]);
}

describe("two-factor audit rows", () => {
  it("logs two_factor_verified with the mechanism after a TOTP answer", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const rows = await activityOf(env, "two_factor_verified");
    expect(rows.map((r) => r.metadata)).toEqual([{ mechanism: "totp" }]);
    expect(rows[0]!.success).toBe(true);
    expect(rows[0]!.accountId).toBe(ACCOUNT_ID_START);
  });

  it("logs two_factor_verified with the mechanism after an email answer", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.email", app.lastCode("email", "login")).expect(200);
    expect((await activityOf(env, "two_factor_verified")).map((r) => r.metadata)).toEqual([{ mechanism: "email" }]);
  });

  it("logs two_factor_failed with success false, the mechanism and the reason, but not the code", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const wrong = wrongCode(secret, env.clock.now());
    await call(agent, "twoFactor.verify.totp", wrong).expect(401);
    const rows = await activityOf(env, "two_factor_failed");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.success).toBe(false);
    expect(rows[0]!.metadata).toEqual({ mechanism: "totp", reason: "invalid_code" });
    expect(JSON.stringify(rows)).not.toContain(wrong);
  });

  it("logs a login row marked as completed by the second factor", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const before = (await activityOf(env, "login")).length;
    const { agent } = await startLogin(app);
    expect(await activityOf(env, "login")).toHaveLength(before);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    const logins = await activityOf(env, "login");
    expect(logins).toHaveLength(before + 1);
    expect(logins.at(-1)!.metadata).toMatchObject({ twoFactorCompleted: true });
  });

  it("writes every two-factor action under the seed's names and never a code, secret or selector", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    const setup = await call(owner, "twoFactor.setup.totp").expect(200);
    const secret = setup.body.result.secret as string;
    const secrets: string[] = [secret, setup.body.result.uri];
    const enrolCode = codeAt(secret, env.clock.now());
    const backupCodes = (await call(owner, "twoFactor.complete.totp", enrolCode).expect(200)).body.result as string[];
    secrets.push(enrolCode, ...backupCodes, ...backupCodes.map((c) => c.replace(/-/g, "")));
    await enrollEmail(app, owner);
    await enrollSms(app, owner);
    const [totpRow] = await methodRows(env);
    secrets.push(totpRow!.secret!);

    // Login 1: a wrong TOTP code, then the right one.
    env.clock.advance(30_000);
    const one = await startLogin(app);
    secrets.push(...(await pendingSelectors()));
    await call(one.agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now())).expect(401);
    const totpLogin = codeAt(secret, env.clock.now());
    secrets.push(totpLogin);
    await call(one.agent, "twoFactor.verify.totp", totpLogin).expect(200);
    await call(one.agent, "completeTwoFactorLogin").expect(200);

    // Login 2: the email code. Login 3: a backup code.
    const two = await startLogin(app);
    secrets.push(...(await pendingSelectors()));
    await call(two.agent, "twoFactor.verify.email", app.lastCode("email", "login")).expect(200);
    const three = await startLogin(app);
    secrets.push(...(await pendingSelectors()));
    await call(three.agent, "twoFactor.verify.backupCode", backupCodes[0]).expect(200);
    await call(three.agent, "completeTwoFactorLogin").expect(200);

    const fresh = (await call(three.agent, "twoFactor.generateNewBackupCodes", PASSWORD).expect(200)).body.result;
    secrets.push(...fresh);
    await call(three.agent, "twoFactor.disable", 3).expect(200);

    secrets.push(...app.deliveries.map((d) => d.code));
    const tokenHashes = JSON.parse(await tableText(env, "twoFactorTokens")).map(
      (r: { tokenHash: string }) => r.tokenHash,
    );
    const codeHashes = JSON.parse(await tableText(env, "twoFactorBackupCodes")).map(
      (r: { codeHash: string }) => r.codeHash,
    );
    secrets.push(...tokenHashes, ...codeHashes);

    const actions = new Set((await activityRows(env)).map((r) => r.action));
    for (const action of [
      "two_factor_setup",
      "two_factor_verified",
      "two_factor_failed",
      "two_factor_disabled",
      "backup_code_used",
    ]) {
      expect(actions).toContain(action);
    }
    const log = await tableText(env, "activityLog");
    expect(secrets.length).toBeGreaterThan(30);
    for (const value of secrets) expect(log, `activity_log holds ${value}`).not.toContain(value);
    expect(log).not.toContain(PASSWORD);
  });

  it("logs two_factor_setup for each mechanism", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await enrollEmail(app, agent);
    await enrollSms(app, agent);
    const rows = await activityOf(env, "two_factor_setup");
    expect(rows.map((r) => r.metadata)).toEqual([{ mechanism: "totp" }, { mechanism: "email" }, { mechanism: "sms" }]);
  });
});
