import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../src/two-factor/totp.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const SECRET = "an application secret of at least thirty-two characters";

function codeAt(secret: string, at: Date, offset = 0): string {
  return totpCode(decodeBase32IgnorePadding(secret), totpStep(at) + offset);
}

async function enrolledAgent() {
  const t = createTestApp(env.config({ secret: SECRET, twoFactor: { enabled: true } }));
  const agent = t.agent();
  await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  const setup = await agent.post("/call/twoFactor.setup.totp").send({ args: [] }).expect(200);
  const secret = setup.body.result.secret as string;
  const done = await agent.post("/call/twoFactor.complete.totp").send({ args: [codeAt(secret, env.clock.now())] }).expect(200);
  return { t, agent, secret, backupCodes: done.body.result as string[] };
}

describe("two-factor login with TOTP", () => {
  it("asks for the second factor after the password and signs in after a valid code", async () => {
    const { t, secret, backupCodes } = await enrolledAgent();
    expect(backupCodes).toHaveLength(10);
    env.clock.advance(30_000);
    const agent = t.agent();
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD });
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error: "SECOND_FACTOR_REQUIRED", methods: { totp: true, backupCode: true } });
    await agent.get("/me").expect(401);
    await agent.post("/call/twoFactor.verify.totp").send({ args: [codeAt(secret, env.clock.now())] }).expect(200);
    await agent.post("/call/completeTwoFactorLogin").send({ args: [] }).expect(200);
    await agent.get("/me").expect(200);
  });

  it("refuses completion without a successful verify", async () => {
    const { t } = await enrolledAgent();
    const agent = t.agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(401);
    await agent.post("/call/completeTwoFactorLogin").send({ args: [] }).expect(401);
    await agent.get("/me").expect(401);
  });
});
