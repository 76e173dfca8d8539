import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  activityOf,
  call,
  enrollEmail,
  expectClientError,
  registerAndSignIn,
  startLogin,
  tableText,
  totpAccount,
  twoFactorApp,
} from "./helpers.js";

const env = useTestEnv();
const FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

async function backupRows() {
  return env.db.db.select().from(authSchema.twoFactorBackupCodes);
}

/** Starts a login and answers it with a backup code; returns the verify response. */
async function useBackupCode(app: ReturnType<typeof twoFactorApp>, code: unknown) {
  const { agent } = await startLogin(app);
  return { agent, res: await call(agent, "twoFactor.verify.backupCode", code) };
}

describe("backup codes", () => {
  it("issues 10 distinct codes of 80 bits formatted XXXX-XXXX-XXXX-XXXX when TOTP is enabled (MF-07)", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    expect(backupCodes).toHaveLength(10);
    for (const code of backupCodes) expect(code).toMatch(FORMAT);
    expect(new Set(backupCodes).size).toBe(10);
  });

  it("issues backupCodesCount codes", async () => {
    const app = twoFactorApp(env, { backupCodesCount: 4 });
    const { backupCodes } = await totpAccount(app, env);
    expect(backupCodes).toHaveLength(4);
    expect(await backupRows()).toHaveLength(4);
  });

  it("stores one hashed row per code and no code in plain text (MF-07)", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const stored = await tableText(env, "twoFactorBackupCodes");
    expect(await backupRows()).toHaveLength(10);
    for (const code of backupCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ""));
    }
    const methods = await tableText(env, "twoFactorMethods");
    for (const code of backupCodes) expect(methods).not.toContain(code.replace(/-/g, ""));
  });

  it("signs in with a backup code instead of the TOTP code", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const { agent, res } = await useBackupCode(app, backupCodes[0]);
    expect(res.status).toBe(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it.each([
    ["lower case", (c: string) => c.toLowerCase()],
    ["spaces instead of dashes", (c: string) => c.replace(/-/g, " ")],
    ["no dashes", (c: string) => c.replace(/-/g, "")],
    ["surrounding whitespace and mixed case", (c: string) => `  ${c.slice(0, 9).toLowerCase()}${c.slice(9)} `],
  ])("accepts a code typed in %s (normalisation)", async (_, typed) => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const { res } = await useBackupCode(app, typed(backupCodes[3]!));
    expect(res.status).toBe(200);
  });

  it("accepts each code only once (MF-07)", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const first = await useBackupCode(app, backupCodes[0]);
    expect(first.res.status).toBe(200);
    const second = await useBackupCode(app, backupCodes[0]);
    expectClientError(second.res, 401, "INVALID_BACKUP_CODE");
    expectClientError(await call(second.agent, "completeTwoFactorLogin"), 401);
    expect(await backupRows()).toHaveLength(9);
  });

  it("lets exactly one of two concurrent uses of one code succeed (MF-07)", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const a = await startLogin(app);
    const b = await startLogin(app);
    const results = await Promise.all([
      call(a.agent, "twoFactor.verify.backupCode", backupCodes[5]),
      call(b.agent, "twoFactor.verify.backupCode", backupCodes[5]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(await backupRows()).toHaveLength(9);
    expect(await activityOf(env, "backup_code_used")).toHaveLength(1);
    expect(app.t.errors).toEqual([]);
  });

  it("refuses a wrong code with 401 INVALID_BACKUP_CODE and logs two_factor_failed", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { res } = await useBackupCode(app, "AAAA-BBBB-CCCC-DDDD");
    expectClientError(res, 401, "INVALID_BACKUP_CODE");
    const failed = await activityOf(env, "two_factor_failed");
    expect(failed.at(-1)!.metadata).toEqual({ mechanism: "backup_code", reason: "invalid_code" });
    expect(failed.at(-1)!.success).toBe(false);
    expect(await backupRows()).toHaveLength(10);
  });

  it("logs backup_code_used with the remaining count after each use", async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    await useBackupCode(app, backupCodes[0]);
    await useBackupCode(app, backupCodes[1]);
    const used = await activityOf(env, "backup_code_used");
    expect(used.map((r) => r.metadata)).toEqual([{ remaining_codes: 9 }, { remaining_codes: 8 }]);
  });

  it("does not accept another account's backup code", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const bob = await totpAccount(app, env, "bob@example.test");
    const { res } = await useBackupCode(app, bob.backupCodes[0]);
    expectClientError(res, 401, "INVALID_BACKUP_CODE");
  });

  it("does not offer backup codes to an account that has only email codes", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const { agent, res } = await startLogin(app);
    expect(res.body.methods.backupCode).toBeUndefined();
    expectClientError(await call(agent, "twoFactor.verify.backupCode", "AAAA-BBBB-CCCC-DDDD"), 401);
  });
});

describe("regenerating backup codes", () => {
  it("returns a new set within recentAuthWindow without the password, and the old set stops working (MF-07)", async () => {
    const app = twoFactorApp(env);
    const { agent, backupCodes } = await totpAccount(app, env);
    const res = await call(agent, "twoFactor.generateNewBackupCodes").expect(200);
    const fresh = res.body.result as string[];
    expect(fresh).toHaveLength(10);
    for (const code of fresh) expect(code).toMatch(FORMAT);
    expect(fresh.filter((c) => backupCodes.includes(c))).toEqual([]);
    expect(await backupRows()).toHaveLength(10);
    const old = await useBackupCode(app, backupCodes[0]);
    expectClientError(old.res, 401, "INVALID_BACKUP_CODE");
    const renewed = await useBackupCode(app, fresh[0]);
    expect(renewed.res.status).toBe(200);
  });

  it("logs backup_codes_regenerated with the count only", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    await call(agent, "twoFactor.generateNewBackupCodes").expect(200);
    const rows = await activityOf(env, "backup_codes_regenerated");
    expect(rows.map((r) => r.metadata)).toEqual([{ count: 10 }]);
  });

  it("requires the password once the sign-in is older than recentAuthWindow (ReauthenticationRequiredError, 401)", async () => {
    const app = twoFactorApp(env);
    const { agent, backupCodes } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    expectClientError(await call(agent, "twoFactor.generateNewBackupCodes"), 401, "REAUTH_REQUIRED");
    const still = await useBackupCode(app, backupCodes[0]);
    expect(still.res.status).toBe(200);
  });

  it("refuses a wrong password with ReauthenticationRequiredError", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    const res = await call(agent, "twoFactor.generateNewBackupCodes", "not the right password");
    expectClientError(res, 401, "REAUTH_REQUIRED");
    expect(await activityOf(env, "backup_codes_regenerated")).toEqual([]);
  });

  it("works with the password once the sign-in is older than recentAuthWindow", async () => {
    const app = twoFactorApp(env);
    const { agent, backupCodes } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    const res = await call(agent, "twoFactor.generateNewBackupCodes", PASSWORD).expect(200);
    expect(res.body.result).toHaveLength(10);
    const old = await useBackupCode(app, backupCodes[0]);
    expectClientError(old.res, 401, "INVALID_BACKUP_CODE");
  });

  it("honours a configured recentAuthWindow", async () => {
    const app = twoFactorApp(env, { recentAuthWindow: "1m" });
    const { agent } = await totpAccount(app, env);
    env.clock.advance(60_000);
    expectClientError(await call(agent, "twoFactor.generateNewBackupCodes"), 401, "REAUTH_REQUIRED");
  });

  it("refuses without any enabled method (TwoFactorNotSetupError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.generateNewBackupCodes"), 400, "TWO_FACTOR_NOT_SETUP");
    expect(await backupRows()).toEqual([]);
  });
});
