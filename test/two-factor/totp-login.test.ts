import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  call,
  codeAt,
  expectClientError,
  methodRows,
  registerAndSignIn,
  startLogin,
  totpAccount,
  twoFactorApp,
  wrongCode,
} from "./helpers.js";

const env = useTestEnv();

describe("two-factor login with TOTP", () => {
  it("asks for the second factor after the password and signs in after a valid code", async () => {
    const app = twoFactorApp(env);
    const { secret, backupCodes } = await totpAccount(app, env);
    expect(backupCodes).toHaveLength(10);
    const { agent, res } = await startLogin(app);
    expect(res.body).toMatchObject({ error: "SECOND_FACTOR_REQUIRED", methods: { totp: true, backupCode: true } });
    await agent.get("/me").expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    const me = await agent.get("/me").expect(200);
    expect(me.body.email).toBe(ALICE);
  });

  it("refuses completion without a successful verify (seed defect 4)", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401, "INVALID_TWO_FACTOR_CODE");
    await agent.get("/me").expect(401);
  });

  it("refuses completion after a failed verify", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now())).expect(401);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401, "INVALID_TWO_FACTOR_CODE");
    await agent.get("/me").expect(401);
  });

  it("also finishes through twoFactor.completeLogin", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "twoFactor.completeLogin").expect(200);
    await agent.get("/me").expect(200);
  });

  it("accepts a code with surrounding and inner spaces", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const code = codeAt(secret, env.clock.now());
    await call(agent, "twoFactor.verify.totp", ` ${code.slice(0, 3)} ${code.slice(3)} `).expect(200);
  });

  it("rejects a wrong code with 401 INVALID_TWO_FACTOR_CODE", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.totp", wrongCode(secret, env.clock.now()));
    expectClientError(res, 401, "INVALID_TWO_FACTOR_CODE");
  });

  it("accepts the previous and next step's code with the default window (MF-02)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    env.clock.advance(60_000);
    const first = await startLogin(app);
    await call(first.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), -1)).expect(200);
    const second = await startLogin(app);
    await call(second.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), 1)).expect(200);
  });

  it("rejects a code two steps old or two steps ahead (MF-02)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    env.clock.advance(90_000);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), -2)).expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), 2)).expect(401);
  });

  it("with totpWindow 0, rejects the previous step's code and accepts the current one (MF-02)", async () => {
    const app = twoFactorApp(env, { totpWindow: 0 });
    const { secret } = await totpAccount(app, env);
    env.clock.advance(30_000);
    const { agent } = await startLogin(app);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), -1)).expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), 1)).expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
  });

  it("with totpWindow 0, refuses to enrol with the next step's code (MF-02)", async () => {
    const app = twoFactorApp(env, { totpWindow: 0 });
    const agent = await registerAndSignIn(app);
    const setup = await call(agent, "twoFactor.setup.totp").expect(200);
    const secret = setup.body.result.secret as string;
    await call(agent, "twoFactor.complete.totp", codeAt(secret, env.clock.now(), 1)).expect(401);
    await call(agent, "twoFactor.complete.totp", codeAt(secret, env.clock.now())).expect(200);
  });

  it("refuses a code already accepted at login in a second login from another agent (MF-03)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const code = codeAt(secret, env.clock.now());
    const first = await startLogin(app);
    await call(first.agent, "twoFactor.verify.totp", code).expect(200);
    await call(first.agent, "completeTwoFactorLogin").expect(200);
    const second = await startLogin(app);
    expectClientError(await call(second.agent, "twoFactor.verify.totp", code), 401, "INVALID_TWO_FACTOR_CODE");
    expectClientError(await call(second.agent, "completeTwoFactorLogin"), 401);
    await second.agent.get("/me").expect(401);
  });

  it("refuses the code the enrolment was confirmed with (MF-03)", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    const setup = await call(agent, "twoFactor.setup.totp").expect(200);
    const code = codeAt(setup.body.result.secret, env.clock.now());
    await call(agent, "twoFactor.complete.totp", code).expect(200);
    const { agent: other } = await startLogin(app);
    await call(other, "twoFactor.verify.totp", code).expect(401);
  });

  it("refuses an earlier step's code after a later step was accepted (MF-03)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const first = await startLogin(app);
    await call(first.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), 1)).expect(200);
    const second = await startLogin(app);
    await call(second.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(401);
    await call(second.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now(), -1)).expect(401);
  });

  it("accepts the next step's code after the clock moves on (replay protection is per step)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const first = await startLogin(app);
    await call(first.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    env.clock.advance(30_000);
    const second = await startLogin(app);
    await call(second.agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(second.agent, "completeTwoFactorLogin").expect(200);
  });

  it("lets exactly one of two concurrent verifications of one fresh code succeed (MF-03)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const a = await startLogin(app);
    const b = await startLogin(app);
    const code = codeAt(secret, env.clock.now());
    const results = await Promise.all([
      call(a.agent, "twoFactor.verify.totp", code),
      call(b.agent, "twoFactor.verify.totp", code),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results[0]!.status === 200 ? a.agent : b.agent;
    const loser = winner === a.agent ? b.agent : a.agent;
    await call(winner, "completeTwoFactorLogin").expect(200);
    await call(loser, "completeTwoFactorLogin").expect(401);
    await loser.get("/me").expect(401);
    expect(app.t.errors).toEqual([]);
  });

  it("fails closed with a 4xx and no login when the sealed TOTP key was tampered with (MF-04)", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const [row] = await methodRows(env);
    const parts = row!.secret!.split(".");
    const data = decodeBase64urlIgnorePadding(parts[3]!);
    data[0] = data[0]! ^ 0x01;
    parts[3] = encodeBase64urlNoPadding(data);
    const m = authSchema.twoFactorMethods;
    await env.db.db
      .update(m)
      .set({ secret: parts.join(".") })
      .where(eq(m.id, row!.id));
    const { agent } = await startLogin(app);
    const res = await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now()));
    expectClientError(res, 401, "INVALID_TWO_FACTOR_CODE");
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
    await agent.get("/me").expect(401);
    expect(app.t.errors).toEqual([]);
  });

  it("does not challenge the login when twoFactor.enabled is false, even with a verified method", async () => {
    const app = twoFactorApp(env, { enabled: false });
    const { agent } = await totpAccount(app, env);
    const enabled = await call(agent, "twoFactor.totpEnabled").expect(200);
    expect(enabled.body.result).toBe(true);
    const other = app.t.agent();
    await other.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    await other.get("/me").expect(200);
  });
});
