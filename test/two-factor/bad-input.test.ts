import { describe, expect, it } from "vitest";
import { useTestEnv } from "../helpers/setup.js";
import {
  PHONE,
  call,
  codeAt,
  enrollEmail,
  enrollSms,
  expectClientError,
  registerAndSignIn,
  startLogin,
  totpAccount,
  twoFactorApp,
} from "./helpers.js";

const env = useTestEnv();

/** Codes of the wrong type or size. Four of them, fewer than maxAttempts (5). */
const BAD_CODES: [string, unknown][] = [
  ["a number", 123456],
  ["an array", ["123456"]],
  ["an object", { $ne: null }],
  ["a 10 KB string", "1".repeat(10 * 1024)],
];

const EXTRA_BAD_CODES: [string, unknown][] = [
  ["null", null],
  ["a boolean", true],
  ["an empty string", ""],
  ["a nested object", { code: { $gt: "" } }],
];

describe("wrong-typed codes are refused with a 4xx, never a 500", () => {
  it.each(["totp", "backupCode"])("verify.%s", async (method) => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    for (const [, code] of BAD_CODES) expectClientError(await call(agent, `twoFactor.verify.${method}`, code), 401);
    expect(app.t.errors).toEqual([]);
    await agent.get("/me").expect(401);
  });

  it.each(["email", "otp"])("verify.%s", async (method) => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner);
    const { agent } = await startLogin(app);
    for (const [, code] of BAD_CODES) expectClientError(await call(agent, `twoFactor.verify.${method}`, code), 401);
    expect(app.t.errors).toEqual([]);
  });

  it("verify.sms", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollSms(app, owner);
    const { agent } = await startLogin(app);
    for (const [, code] of BAD_CODES) expectClientError(await call(agent, "twoFactor.verify.sms", code), 401);
    expect(app.t.errors).toEqual([]);
  });

  it("verify.totp with null, a boolean, an empty string and a nested object", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    for (const [, code] of EXTRA_BAD_CODES) expectClientError(await call(agent, "twoFactor.verify.totp", code), 401);
    expect(app.t.errors).toEqual([]);
  });

  it("verify.backupCode with null, a boolean, an empty string and a nested object", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    for (const [, code] of EXTRA_BAD_CODES) {
      expectClientError(await call(agent, "twoFactor.verify.backupCode", code), 401, "INVALID_BACKUP_CODE");
    }
    expect(app.t.errors).toEqual([]);
  });

  it("complete.totp", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { body } = await call(agent, "twoFactor.setup.totp").expect(200);
    for (const [, code] of [...BAD_CODES, ...EXTRA_BAD_CODES]) {
      expectClientError(await call(agent, "twoFactor.complete.totp", code), 401, "INVALID_TWO_FACTOR_CODE");
    }
    expect(app.t.errors).toEqual([]);
    // A correct code still works afterwards (the wrong ones are not an enrolment lock-out by themselves).
    await call(agent, "twoFactor.complete.totp", codeAt(body.result.secret, env.clock.now())).expect(200);
  });

  it.each(["email", "sms"])("complete.%s", async (channel) => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, `twoFactor.setup.${channel}`, ...(channel === "sms" ? [PHONE] : [])).expect(200);
    for (const [, code] of BAD_CODES) expectClientError(await call(agent, `twoFactor.complete.${channel}`, code), 401);
    expect(app.t.errors).toEqual([]);
  });

  it.each<[string, unknown]>([
    ["a number", 15551234567],
    ["an object", { phone: PHONE }],
    ["an array", [PHONE]],
    ["a 10 KB string", `+1${"5".repeat(10 * 1024)}`],
  ])("setup.sms with %s is InvalidInputError (400)", async (_, phone) => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.setup.sms", phone), 400, "INVALID_INPUT");
    expect(app.deliveries).toEqual([]);
    expect(app.t.errors).toEqual([]);
  });

  it.each<[string, unknown]>([
    ["a number", 42],
    ["an object", { $ne: null }],
    ["an array", ["alice@example.test"]],
  ])("setup.email with %s is a 400", async (_, email) => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.setup.email", email), 400);
    expect(app.deliveries).toEqual([]);
    expect(app.t.errors).toEqual([]);
  });

  it("generateNewBackupCodes and disable with a non-string password are refused with a 4xx", async () => {
    const app = twoFactorApp(env);
    const { agent } = await totpAccount(app, env);
    env.clock.advance(11 * 60_000);
    for (const password of [12345678, { $ne: null }, ["x"], "p".repeat(10 * 1024)]) {
      expectClientError(await call(agent, "twoFactor.generateNewBackupCodes", password));
      expectClientError(await call(agent, "twoFactor.disable", 1, password));
    }
    expect(app.t.errors).toEqual([]);
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
  });
});
