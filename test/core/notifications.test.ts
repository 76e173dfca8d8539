import { describe, expect, it } from "vitest";
import type { AuthNotification } from "../../src/index.js";
import { changePasswordForUserBy, createAuthMiddleware, register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { call, enrollTotp, registerAndSignIn, twoFactorApp } from "../two-factor/helpers.js";

const env = useTestEnv();

function notifier() {
  const sent: AuthNotification[] = [];
  return { sent, notify: (n: AuthNotification) => void sent.push(n) };
}

describe("config.notify", () => {
  it("tells the account holder when the password was changed (PW-08)", async () => {
    const { sent, notify } = notifier();
    const t = createTestApp(env.config({ notify }));
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await call(agent, "changePassword", PASSWORD, NEW_PASSWORD).expect(200);
    expect(sent).toEqual([
      expect.objectContaining({ type: "password_changed", email: "alice@example.test", details: { by: "self" } }),
    ]);
  });

  it("tells the account holder when a password reset completed (TK-06)", async () => {
    const { sent, notify } = notifier();
    const t = createTestApp(env.config({ notify }));
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await call(agent, "resetPassword", "alice@example.test", null, null, "$callback").expect(200);
    await call(agent, "confirmResetPassword", t.lastToken("resetPassword"), NEW_PASSWORD).expect(200);
    expect(sent.map((n) => n.type)).toEqual(["password_reset"]);
  });

  it("writes to the old address when the email changed (LG-01)", async () => {
    const { sent, notify } = notifier();
    const t = createTestApp(env.config({ notify }));
    const agent = t.agent();
    await agent.post("/register").send({ email: "old@example.test", password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: "old@example.test", password: PASSWORD }).expect(200);
    await call(agent, "changeEmail", "new@example.test", "$callback").expect(200);
    await call(agent, "confirmEmail", t.lastToken("changeEmail")).expect(200);
    expect(sent).toEqual([
      expect.objectContaining({
        type: "email_changed",
        email: "old@example.test",
        details: { newEmail: "new@example.test" },
      }),
    ]);
  });

  it("reports remember-me theft (RM-03)", async () => {
    const { sent, notify } = notifier();
    const t = createTestApp(env.config({ notify }));
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const login = await t
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: PASSWORD, remember: true });
    const cookies = login.headers["set-cookie"] as unknown as string[];
    const first = cookies.find((c) => c.startsWith("remember_token="))!.split(";")[0]!;
    await t.agent().get("/me").set("Cookie", first).expect(200);
    env.clock.advance(60_000);
    await t.agent().get("/me").set("Cookie", first).expect(401);
    expect(sent.map((n) => n.type)).toEqual(["remember_theft_detected"]);
    expect(sent[0]!.email).toBe("alice@example.test");
  });

  it("reports two-factor changes and backup code use (MF-07)", async () => {
    const { sent, notify } = notifier();
    const app = twoFactorApp(env, {}, { notify });
    const agent = await registerAndSignIn(app);
    const { backupCodes } = await enrollTotp(agent, env.clock.now);
    const other = app.t.agent();
    await other.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(401);
    await call(other, "twoFactor.verify.backupCode", backupCodes[0]).expect(200);
    await call(agent, "twoFactor.generateNewBackupCodes").expect(200);
    await call(agent, "twoFactor.disable", 1).expect(200);
    expect(sent.map((n) => n.type)).toEqual([
      "two_factor_enabled",
      "backup_code_used",
      "backup_codes_regenerated",
      "two_factor_disabled",
    ]);
    expect(sent[1]!.details).toEqual({ remaining_codes: 9 });
    expect(JSON.stringify(sent)).not.toContain(backupCodes[0]);
  });

  it("never fails or undoes the change when the hook throws", async () => {
    const config = env.config({ notify: () => Promise.reject(new Error("mail server down")) });
    const account = await register(config, "alice@example.test", PASSWORD);
    await expect(changePasswordForUserBy(config, { accountId: account.id }, NEW_PASSWORD)).resolves.toBeUndefined();
  });

  it("is validated at creation", () => {
    expect(() => createAuthMiddleware(env.config({ notify: "yes" as never }))).toThrow(/notify/);
  });
});
