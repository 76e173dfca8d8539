import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const HOUR = 3_600_000;

async function signedInAgent(config: ReturnType<typeof env.config>, remember = false) {
  const t = createTestApp(config);
  const agent = t.agent();
  await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember }).expect(200);
  return agent;
}

describe("session lifetime", () => {
  it("keeps an active session until the absolute lifetime, then ends it however active (SE-03)", async () => {
    const agent = await signedInAgent(env.config({ sessionLifetime: "12h" }));
    // A request every 20 minutes keeps the 30-minute idle timeout from ending it first.
    for (let i = 0; i < 35; i++) {
      env.clock.advance(HOUR / 3);
      await agent.get("/me").expect(200);
    }
    env.clock.advance(HOUR / 3);
    await agent.get("/me").expect(401);
  });

  it("restores a fresh session from the remember-me cookie after the lifetime ends", async () => {
    const agent = await signedInAgent(env.config({ sessionLifetime: "1h" }), true);
    env.clock.advance(HOUR + 1);
    const me = await agent.get("/me");
    expect(me.body).toMatchObject({ remembered: true });
  });

  it("never ends a session for its age when sessionLifetime is false", async () => {
    const agent = await signedInAgent(env.config({ sessionLifetime: false }));
    for (let i = 0; i < 60; i++) {
      env.clock.advance(HOUR / 3);
      await agent.get("/me").expect(200);
    }
  });
});
