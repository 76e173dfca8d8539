import { describe, expect, it } from "vitest";
import { AuthRole, addRoleForUserBy, register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ADMIN = "admin@example.test";
const BOB = "bob@example.test";

async function setup() {
  const config = env.config({ impersonation: { enabled: true, canImpersonate: () => true } });
  await register(config, ADMIN, PASSWORD);
  await register(config, BOB, PASSWORD);
  await addRoleForUserBy(config, { email: ADMIN }, AuthRole.Admin);
  const t = createTestApp(config);
  const agent = t.agent();
  await agent.post("/login").send({ email: ADMIN, password: PASSWORD }).expect(200);
  return { t, agent, config };
}

describe("impersonation: start and stop", () => {
  it("an admin acts as Bob, every row names the admin, and stopping returns to the admin's own session", async () => {
    const { agent } = await setup();
    const before = await agent.get("/me");
    const started = await agent
      .post("/call/startImpersonation")
      .send({ args: [{ email: BOB }, { reason: "ticket 42" }] });
    expect(started.status, started.text).toBe(200);
    expect((await agent.get("/me")).body.email).toBe(BOB);
    const info = await agent.post("/call/getImpersonationInfo").send({ args: [] });
    expect(info.body.result).toMatchObject({ actorEmail: ADMIN, targetEmail: BOB, reason: "ticket 42" });
    const refused = await agent.post("/call/changePassword").send({ args: [PASSWORD, "a whole new passphrase here"] });
    expect(refused.status).toBe(403);
    await agent.post("/call/stopImpersonation").send({ args: [] }).expect(200);
    expect((await agent.get("/me")).body).toMatchObject({ id: before.body.id, email: ADMIN });
  });
});
