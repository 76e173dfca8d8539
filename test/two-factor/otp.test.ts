import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  PHONE,
  call,
  enrollEmail,
  enrollSms,
  expectClientError,
  registerAndSignIn,
  startLogin,
  tableText,
  totpAccount,
  twoFactorApp,
} from "./helpers.js";

const env = useTestEnv();

/** A code of the same length that differs from `code`. */
function other(code: string): string {
  return code.replace(/^./, (d) => String((Number(d) + 1) % 10));
}

async function emailAccount(app: ReturnType<typeof twoFactorApp>) {
  const owner = await registerAndSignIn(app);
  await enrollEmail(app, owner);
  return owner;
}

async function smsAccount(app: ReturnType<typeof twoFactorApp>) {
  const owner = await registerAndSignIn(app);
  await enrollSms(app, owner);
  return owner;
}

async function smsAccountFor(app: ReturnType<typeof twoFactorApp>, email: string) {
  const owner = await registerAndSignIn(app, email);
  await enrollSms(app, owner);
  return owner;
}

/** The selectors the pending sessions hold (read from the session store). */
async function pendingSelectors(): Promise<string[]> {
  const rows = await env.db.db.select({ sess: authSchema.sessions.sess }).from(authSchema.sessions);
  return rows.flatMap((r) => {
    const selectors = JSON.parse(r.sess)?.auth?.awaitingTwoFactor?.selectors ?? {};
    return Object.values(selectors) as string[];
  });
}

describe("email and SMS codes at login", () => {
  it("delivers a login code to the enrolled email address", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { res } = await startLogin(app);
    expect(res.body.methods).toEqual({ email: { maskedContact: "a***e@example.test" } });
    const message = app.deliveries.at(-1)!;
    expect(message).toMatchObject({ channel: "email", to: ALICE, purpose: "login" });
    expect(message.code).toMatch(/^\d{6}$/);
  });

  it("signs in with verify.email and the delivered code", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.email", app.lastCode("email", "login")).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it("delivers a login code to the enrolled phone and signs in with verify.sms", async () => {
    const app = twoFactorApp(env);
    await smsAccount(app);
    const { agent, res } = await startLogin(app);
    expect(res.body.methods).toEqual({ sms: { maskedContact: "+1********67" } });
    expect(app.deliveries.at(-1)).toMatchObject({ channel: "sms", to: PHONE, purpose: "login" });
    await call(agent, "twoFactor.verify.sms", app.lastCode("sms", "login")).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it("delivers to the address given at enrolment, not the account address", async () => {
    const app = twoFactorApp(env);
    const owner = await registerAndSignIn(app);
    await enrollEmail(app, owner, "backup@example.test");
    const { res } = await startLogin(app);
    expect(res.body.methods.email.maskedContact).toBe("b****p@example.test");
    expect(app.deliveries.at(-1)).toMatchObject({ channel: "email", to: "backup@example.test", purpose: "login" });
  });

  it("accepts the email code through verify.otp", async () => {
    const app = twoFactorApp(env);
    const owner = await emailAccount(app);
    await enrollSms(app, owner);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.otp", app.lastCode("email", "login")).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });

  it("accepts the SMS code through verify.otp", async () => {
    const app = twoFactorApp(env);
    const owner = await emailAccount(app);
    await enrollSms(app, owner);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.otp", app.lastCode("sms", "login")).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });

  it("refuses a wrong code through verify.otp with 401", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.otp", other(app.lastCode("email", "login")));
    expectClientError(res, 401, "INVALID_TWO_FACTOR_CODE");
  });

  it("does not accept the SMS code through verify.email", async () => {
    const app = twoFactorApp(env);
    const owner = await emailAccount(app);
    await enrollSms(app, owner);
    const { agent } = await startLogin(app);
    const sms = app.lastCode("sms", "login");
    if (sms !== app.lastCode("email", "login")) await call(agent, "twoFactor.verify.email", sms).expect(401);
  });

  it("refuses a wrong code with 401 INVALID_TWO_FACTOR_CODE", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.email", other(app.lastCode("email", "login")));
    expectClientError(res, 401, "INVALID_TWO_FACTOR_CODE");
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
  });

  it("refuses the older code after a resend (a new login) (MF-06)", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const first = app.lastCode("email", "login");
    await startLogin(app, { agent });
    const second = app.lastCode("email", "login");
    if (first !== second) await call(agent, "twoFactor.verify.email", first).expect(401);
    await call(agent, "twoFactor.verify.email", second).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });

  it("refuses the older code in its own session after another session's login re-issued the code (MF-06)", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const a = await startLogin(app);
    const first = app.lastCode("email", "login");
    const b = await startLogin(app);
    const second = app.lastCode("email", "login");
    await call(a.agent, "twoFactor.verify.email", first).expect(401);
    await call(a.agent, "twoFactor.verify.email", second).expect(401);
    await call(b.agent, "twoFactor.verify.email", second).expect(200);
  });

  it("accepts a code only once (single use)", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const code = app.lastCode("email", "login");
    await call(agent, "twoFactor.verify.email", code).expect(200);
    expectClientError(await call(agent, "twoFactor.verify.email", code), 401, "INVALID_TWO_FACTOR_CODE");
  });

  it("lets exactly one of two concurrent uses of one code succeed", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const code = app.lastCode("email", "login");
    const results = await Promise.all([
      call(agent, "twoFactor.verify.email", code),
      call(agent, "twoFactor.verify.email", code),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("burns the code after maxAttempts wrong tries: the right code is then refused (MF-06)", async () => {
    const app = twoFactorApp(env, { maxAttempts: 3 });
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const code = app.lastCode("email", "login");
    for (let i = 0; i < 3; i++) await call(agent, "twoFactor.verify.email", other(code)).expect(401);
    expectClientError(await call(agent, "twoFactor.verify.email", code), 401);
    await agent.get("/me").expect(401);
    const t = authSchema.twoFactorTokens;
    expect(await env.db.db.select().from(t)).toEqual([]);
  });

  it("stores the login code with an expiry of tokenExpiry", async () => {
    const app = twoFactorApp(env, { tokenExpiry: "3m" });
    await emailAccount(app);
    await startLogin(app);
    const rows = await env.db.db.select().from(authSchema.twoFactorTokens);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expiresAt.getTime()).toBe(env.clock.now().getTime() + 3 * 60_000);
  });

  it("refuses the login code after tokenExpiry (the pending state ends with it)", async () => {
    const app = twoFactorApp(env, { tokenExpiry: "3m" });
    await emailAccount(app);
    const { agent } = await startLogin(app);
    env.clock.advance(3 * 60_000 + 1000);
    expectClientError(await call(agent, "twoFactor.verify.email", app.lastCode("email", "login")), 401);
    await agent.get("/me").expect(401);
  });

  it("stores codes hashed: no column of the token table holds the code (MF-06)", async () => {
    const app = twoFactorApp(env);
    await emailAccount(app);
    await smsAccountFor(app, "bob@example.test");
    await startLogin(app);
    await startLogin(app, { email: "bob@example.test" });
    const stored = await tableText(env, "twoFactorTokens");
    expect(JSON.parse(stored)).toHaveLength(2);
    expect(stored).not.toContain(app.lastCode("email", "login"));
    expect(stored).not.toContain(app.lastCode("sms", "login"));
  });

  it("draws codes of codeLength digits", async () => {
    const app = twoFactorApp(env, { codeLength: 8 });
    await emailAccount(app);
    const { agent } = await startLogin(app);
    const code = app.lastCode("email", "login");
    expect(code).toMatch(/^\d{8}$/);
    await call(agent, "twoFactor.verify.email", code).expect(200);
  });

  it("puts only masked contacts in the prompt: never a code or a selector (seed defect 5)", async () => {
    const app = twoFactorApp(env);
    const owner = await emailAccount(app);
    await enrollSms(app, owner);
    const { res } = await startLogin(app);
    expect(res.body).toEqual({
      error: "SECOND_FACTOR_REQUIRED",
      message: "Second factor authentication required",
      methods: { email: { maskedContact: "a***e@example.test" }, sms: { maskedContact: "+1********67" } },
    });
    const raw = JSON.stringify(res.body) + JSON.stringify(res.headers);
    const selectors = await pendingSelectors();
    expect(selectors).toHaveLength(2);
    for (const secret of [app.lastCode("email", "login"), app.lastCode("sms", "login"), ...selectors]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toContain(ALICE);
    expect(raw).not.toContain(PHONE);
  });

  it("offers TOTP, email and backup codes together when all are enrolled", async () => {
    const app = twoFactorApp(env);
    const { agent: owner } = await totpAccount(app, env);
    await enrollEmail(app, owner);
    const { agent, res } = await startLogin(app);
    expect(res.body.methods).toEqual({
      totp: true,
      email: { maskedContact: "a***e@example.test" },
      backupCode: true,
    });
    await call(agent, "twoFactor.verify.email", app.lastCode("email", "login")).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });
});
