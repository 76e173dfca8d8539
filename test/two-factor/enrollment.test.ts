import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "../../src/crypto/secret-box.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  PHONE,
  SECRET,
  activityOf,
  call,
  codeAt,
  enrollEmail,
  enrollSms,
  enrollTotp,
  expectClientError,
  methodRows,
  registerAndSignIn,
  twoFactorApp,
  wrongCode,
} from "./helpers.js";

const env = useTestEnv();

describe("TOTP enrolment", () => {
  it("returns a 32-character base32 secret, its otpauth URI and an SVG QR code, and no backup codes yet", async () => {
    const app = twoFactorApp(env, { issuer: "Example Co" });
    const agent = await registerAndSignIn(app);
    const { body } = await call(agent, "twoFactor.setup.totp").expect(200);
    const { secret, uri, qrCode, backupCodes } = body.result;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32IgnorePadding(secret)).toHaveLength(20);
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(uri).searchParams.get("secret")).toBe(secret);
    expect(new URL(uri).searchParams.get("issuer")).toBe("Example Co");
    expect(decodeURIComponent(uri)).toContain(ALICE);
    expect(qrCode).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(backupCodes ?? null).toBeNull();
  });

  it("does not enable TOTP until complete.totp accepts a code (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.totp").expect(200);
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(false);
    expect((await call(agent, "twoFactor.isEnabled")).body.result).toBe(false);
    expect((await call(agent, "twoFactor.getEnabledMethods")).body.result).toEqual([]);
    const [row] = await methodRows(env);
    expect(row!.verified).toBe(false);
  });

  it("does not challenge the login while TOTP enrolment is unconfirmed (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.totp").expect(200);
    const other = app.t.agent();
    await other.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    await other.get("/me").expect(200);
  });

  it("enables TOTP with a valid code and returns the backup codes", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { backupCodes } = await enrollTotp(agent, env.clock.now);
    expect(backupCodes).toHaveLength(10);
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
    expect((await call(agent, "twoFactor.isEnabled")).body.result).toBe(true);
    expect((await call(agent, "twoFactor.getEnabledMethods")).body.result).toEqual([1]);
  });

  it("refuses a wrong enrolment code with 401 and leaves TOTP off", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { body } = await call(agent, "twoFactor.setup.totp").expect(200);
    const res = await call(agent, "twoFactor.complete.totp", wrongCode(body.result.secret, env.clock.now()));
    expectClientError(res, 401, "INVALID_TWO_FACTOR_CODE");
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(false);
    const failed = await activityOf(env, "two_factor_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.success).toBe(false);
    expect(failed[0]!.metadata).toMatchObject({ mechanism: "totp", reason: "invalid_code" });
  });

  it("replaces the pending key when enrolment is restarted", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const first = (await call(agent, "twoFactor.setup.totp").expect(200)).body.result.secret as string;
    const second = (await call(agent, "twoFactor.setup.totp").expect(200)).body.result.secret as string;
    expect(second).not.toBe(first);
    expect(await methodRows(env)).toHaveLength(1);
    await call(agent, "twoFactor.complete.totp", codeAt(first, env.clock.now())).expect(401);
    await call(agent, "twoFactor.complete.totp", codeAt(second, env.clock.now())).expect(200);
  });

  it("stores the TOTP key sealed: the column is not, and does not contain, the base32 secret (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { secret } = await enrollTotp(agent, env.clock.now);
    const [row] = await methodRows(env);
    expect(row!.secret).not.toBe(secret);
    expect(row!.secret).not.toContain(secret);
    expect(row!.secret!.toUpperCase()).not.toContain(secret.slice(0, 16));
    expect(row!.secret).toMatch(/^v1\./);
  });

  it("stores a ciphertext that the app key decrypts to the enrolled secret (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { secret } = await enrollTotp(agent, env.clock.now);
    const [row] = await methodRows(env);
    expect(createSecretBox(SECRET).open(row!.secret!)).toEqual(decodeBase32IgnorePadding(secret));
  });

  it("never returns the TOTP secret from getContact (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const secret = (await call(agent, "twoFactor.setup.totp").expect(200)).body.result.secret as string;
    expect((await call(agent, "twoFactor.getContact", 1).expect(200)).body.result).toBeNull();
    await call(agent, "twoFactor.complete.totp", codeAt(secret, env.clock.now())).expect(200);
    expect((await call(agent, "twoFactor.getContact", 1).expect(200)).body.result).toBeNull();
  });

  it("returns the otpauth URI from getTotpUri only while enrolment is pending (MF-04)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expect((await call(agent, "twoFactor.getTotpUri").expect(200)).body.result).toBeNull();
    const { body } = await call(agent, "twoFactor.setup.totp").expect(200);
    expect((await call(agent, "twoFactor.getTotpUri").expect(200)).body.result).toBe(body.result.uri);
    await call(agent, "twoFactor.complete.totp", codeAt(body.result.secret, env.clock.now())).expect(200);
    expect((await call(agent, "twoFactor.getTotpUri").expect(200)).body.result).toBeNull();
  });

  it("refuses to set up TOTP again once enabled (TwoFactorAlreadyEnabledError, 409)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollTotp(agent, env.clock.now);
    expectClientError(await call(agent, "twoFactor.setup.totp"), 409, "TWO_FACTOR_ALREADY_ENABLED");
    expect(await methodRows(env)).toHaveLength(1);
    expect((await methodRows(env))[0]!.verified).toBe(true);
  });

  it("refuses complete.totp once enabled (TwoFactorAlreadyEnabledError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const { secret } = await enrollTotp(agent, env.clock.now);
    env.clock.advance(30_000);
    const res = await call(agent, "twoFactor.complete.totp", codeAt(secret, env.clock.now()));
    expectClientError(res, 409, "TWO_FACTOR_ALREADY_ENABLED");
  });

  it("refuses complete.totp without setup (TwoFactorNotSetupError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.complete.totp", "123456"), 400, "TWO_FACTOR_NOT_SETUP");
  });

  it("logs two_factor_setup with the mechanism when TOTP is enabled", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollTotp(agent, env.clock.now);
    const rows = await activityOf(env, "two_factor_setup");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toEqual({ mechanism: "totp" });
    expect(rows[0]!.success).toBe(true);
  });
});

describe("email enrolment", () => {
  it("delivers a setup code to the account address and returns only the masked address", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const res = await call(agent, "twoFactor.setup.email").expect(200);
    expect(res.body.result).toEqual({ maskedContact: "a***e@example.test" });
    expect(app.deliveries).toHaveLength(1);
    const [message] = app.deliveries;
    expect(message).toMatchObject({ channel: "email", to: ALICE, purpose: "setup" });
    expect(message!.code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(res.body)).not.toContain(message!.code);
  });

  it("delivers to another address when one is given, and getContact returns it", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollEmail(app, agent, "Second@Example.test");
    expect(app.deliveries[0]!.to).toBe("second@example.test");
    expect((await call(agent, "twoFactor.getContact", 2).expect(200)).body.result).toBe("second@example.test");
  });

  it("does not enable email codes until the delivered code is entered", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    expect((await call(agent, "twoFactor.emailEnabled")).body.result).toBe(false);
    const other = app.t.agent();
    await other.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
  });

  it("enables email codes with complete.email and the delivered code", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollEmail(app, agent);
    expect((await call(agent, "twoFactor.emailEnabled")).body.result).toBe(true);
    expect((await call(agent, "twoFactor.getEnabledMethods")).body.result).toEqual([2]);
    const rows = await activityOf(env, "two_factor_setup");
    expect(rows.map((r) => r.metadata)).toEqual([{ mechanism: "email" }]);
  });

  it("refuses a wrong code and leaves email codes off", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    const wrong = app.lastCode("email") === "000000" ? "000001" : "000000";
    expectClientError(await call(agent, "twoFactor.complete.email", wrong), 401, "INVALID_TWO_FACTOR_CODE");
    expect((await call(agent, "twoFactor.emailEnabled")).body.result).toBe(false);
  });

  it("refuses the setup code after tokenExpiry", async () => {
    const app = twoFactorApp(env, { tokenExpiry: "2m" });
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    env.clock.advance(2 * 60_000 + 1000);
    await call(agent, "twoFactor.complete.email", app.lastCode("email")).expect(401);
    expect((await call(agent, "twoFactor.emailEnabled")).body.result).toBe(false);
  });

  it("burns the setup code after maxAttempts wrong tries", async () => {
    const app = twoFactorApp(env, { maxAttempts: 3 });
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    const code = app.lastCode("email");
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < 3; i++) await call(agent, "twoFactor.complete.email", wrong).expect(401);
    await call(agent, "twoFactor.complete.email", code).expect(401);
    expect((await call(agent, "twoFactor.emailEnabled")).body.result).toBe(false);
  });

  it("refuses the first setup code after setup is started again (resend)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    const first = app.lastCode("email");
    await call(agent, "twoFactor.setup.email").expect(200);
    const second = app.lastCode("email");
    if (first !== second) await call(agent, "twoFactor.complete.email", first).expect(401);
    await call(agent, "twoFactor.complete.email", second).expect(200);
  });

  it("binds the setup code to the session that requested it", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    const other = app.t.agent();
    await other.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    await call(other, "twoFactor.complete.email", app.lastCode("email")).expect(401);
    await call(agent, "twoFactor.complete.email", app.lastCode("email")).expect(200);
  });

  it("refuses complete.email without setup (TwoFactorNotSetupError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.complete.email", "123456"), 400, "TWO_FACTOR_NOT_SETUP");
  });

  it("refuses to set up email codes again once enabled (TwoFactorAlreadyEnabledError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollEmail(app, agent);
    expectClientError(await call(agent, "twoFactor.setup.email"), 409, "TWO_FACTOR_ALREADY_ENABLED");
    expect(app.deliveries).toHaveLength(1);
  });

  it("refuses an invalid address with 400", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    expectClientError(await call(agent, "twoFactor.setup.email", "not an email"), 400);
    expect(app.deliveries).toEqual([]);
  });

  it("fails with INVALID_CONFIG when no delivery callback is configured", async () => {
    const app = twoFactorApp(env, { deliver: undefined });
    const agent = await registerAndSignIn(app);
    const res = await call(agent, "twoFactor.setup.email");
    expect(res.status).toBe(500);
    expect(res.body.error).toBe("INVALID_CONFIG");
    expect(await methodRows(env)).toEqual([]);
  });

  it("uses sendEmailCode when it is configured instead of deliver", async () => {
    const sent: [string, string][] = [];
    const app = twoFactorApp(env, { deliver: undefined, sendEmailCode: (to, code) => void sent.push([to, code]) });
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toBe(ALICE);
    await call(agent, "twoFactor.complete.email", sent[0]![1]).expect(200);
  });
});

describe("SMS enrolment", () => {
  it("delivers a setup code to the phone and returns the masked number", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const res = await call(agent, "twoFactor.setup.sms", PHONE).expect(200);
    expect(res.body.result).toEqual({ maskedContact: "+1********67" });
    expect(app.deliveries[0]).toMatchObject({ channel: "sms", to: PHONE, purpose: "setup" });
  });

  it("enables SMS codes with complete.sms and the delivered code", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollSms(app, agent);
    expect((await call(agent, "twoFactor.smsEnabled")).body.result).toBe(true);
    expect((await call(agent, "twoFactor.getContact", 3)).body.result).toBe(PHONE);
    expect((await activityOf(env, "two_factor_setup")).map((r) => r.metadata)).toEqual([{ mechanism: "sms" }]);
  });

  it("does not enable SMS codes with a wrong code (MF-06)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.sms", PHONE).expect(200);
    const wrong = app.lastCode("sms") === "000000" ? "000001" : "000000";
    expectClientError(await call(agent, "twoFactor.complete.sms", wrong), 401, "INVALID_TWO_FACTOR_CODE");
    expect((await call(agent, "twoFactor.smsEnabled")).body.result).toBe(false);
  });

  it("does not accept the email setup code for SMS", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.email").expect(200);
    await call(agent, "twoFactor.setup.sms", PHONE).expect(200);
    const emailCode = app.lastCode("email");
    if (emailCode !== app.lastCode("sms")) await call(agent, "twoFactor.complete.sms", emailCode).expect(401);
    await call(agent, "twoFactor.complete.sms", app.lastCode("sms")).expect(200);
    await call(agent, "twoFactor.complete.email", emailCode).expect(200);
  });

  it.each(["5551234567", "+1 555 123 4567", "+0123456789", "", "+1234"])(
    "refuses the invalid phone %j with InvalidInputError (400)",
    async (phone) => {
      const app = twoFactorApp(env);
      const agent = await registerAndSignIn(app);
      expectClientError(await call(agent, "twoFactor.setup.sms", phone), 400, "INVALID_INPUT");
      expect(app.deliveries).toEqual([]);
      expect(await methodRows(env)).toEqual([]);
    },
  );

  it("refuses to set up SMS codes again once enabled (TwoFactorAlreadyEnabledError)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollSms(app, agent);
    expectClientError(await call(agent, "twoFactor.setup.sms", "+15557654321"), 409, "TWO_FACTOR_ALREADY_ENABLED");
  });
});

describe("enrolment needs a fully signed-in session", () => {
  it.each([
    ["twoFactor.setup.totp", []],
    ["twoFactor.setup.email", []],
    ["twoFactor.setup.sms", [PHONE]],
    ["twoFactor.complete.totp", ["123456"]],
    ["twoFactor.complete.email", ["123456"]],
    ["twoFactor.complete.sms", ["123456"]],
    ["twoFactor.disable", [1, PASSWORD]],
    ["twoFactor.generateNewBackupCodes", [PASSWORD]],
  ])("%s without a login throws UserNotLoggedInError (401)", async (path, args) => {
    const app = twoFactorApp(env);
    const res = await call(app.t.agent(), path, ...args);
    expectClientError(res, 401, "NOT_LOGGED_IN");
    expect(app.deliveries).toEqual([]);
  });

  it("reports nothing enabled and no contact when signed out", async () => {
    const app = twoFactorApp(env);
    const agent = app.t.agent();
    expect((await call(agent, "twoFactor.isEnabled").expect(200)).body.result).toBe(false);
    expect((await call(agent, "twoFactor.getEnabledMethods").expect(200)).body.result).toEqual([]);
    expect((await call(agent, "twoFactor.getContact", 2).expect(200)).body.result).toBeNull();
    expect((await call(agent, "twoFactor.getTotpUri").expect(200)).body.result).toBeNull();
  });
});
