import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { cookiePair } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  call,
  codeAt,
  enrollEmail,
  enrollTotp,
  registerAndSignIn,
  startLogin,
  totpAccount,
  twoFactorApp,
} from "./helpers.js";

const env = useTestEnv();

describe("remember-me and two-factor (MF-08)", () => {
  it("restores a session from a remember-me token minted by a completed two-factor login", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app, { remember: true });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    const remember = cookiePair(done, "remember_token")!;
    await app.t.agent().get("/me").set("Cookie", remember).expect(200);
  });

  it("does not let a remember-me token minted before 2FA was enabled skip the second factor", async () => {
    const app = twoFactorApp(env);
    const agent = app.t.agent();
    await agent.post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    const login = await agent.post("/login").send({ email: ALICE, password: PASSWORD, remember: true }).expect(200);
    const remember = cookiePair(login, "remember_token")!;
    expect(remember).toBeDefined();
    await enrollTotp(agent, env.clock.now);
    await app.t.agent().get("/me").set("Cookie", remember).expect(401);
    expect(await env.db.db.select().from(authSchema.remembers)).toHaveLength(0);
  });

  it("does not count a session restored from remember-me as a recent sign-in for two-factor changes", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app, { remember: true });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const remember = cookiePair(await call(agent, "completeTwoFactorLogin").expect(200), "remember_token")!;
    const restored = app.t.agent();
    await restored.get("/me").set("Cookie", remember).expect(200);
    const res = await call(restored, "twoFactor.generateNewBackupCodes");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("REAUTH_REQUIRED");
    const disable = await call(restored, "twoFactor.disable", 1);
    expect(disable.body.error).toBe("REAUTH_REQUIRED");
    await call(restored, "twoFactor.disable", 1, PASSWORD).expect(200);
  });

  it("keeps remember-me tokens minted after a second factor when another method is enabled", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app, { remember: true });
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const remember = cookiePair(await call(agent, "completeTwoFactorLogin").expect(200), "remember_token")!;
    await enrollEmail(app, agent);
    await app.t.agent().get("/me").set("Cookie", remember).expect(200);
  });

  it("restores a session from remember-me as usual for an account without two-factor", async () => {
    const app = twoFactorApp(env);
    await registerAndSignIn(app);
    const login = await app.t.agent().post("/login").send({ email: ALICE, password: PASSWORD, remember: true });
    await app.t.agent().get("/me").set("Cookie", cookiePair(login, "remember_token")!).expect(200);
  });
});
