import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const WRONG = "wrong horse battery staple";

describe("brute-force limits", () => {
  it("a burst of parallel wrong passwords gets at most maxFailures password checks (BF-01)", async () => {
    const t = createTestApp(env.config());
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => t.agent().post("/login").send({ email: "alice@example.test", password: WRONG })),
    );
    const checked = burst.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(10);
    expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(429);
  });

  it("wrong current passwords in changePassword count towards the lockout (BF-01)", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    for (let i = 0; i < 10; i++) {
      await agent
        .post("/call/changePassword")
        .send({ args: [WRONG, NEW_PASSWORD] })
        .expect(401);
    }
    const locked = await agent.post("/call/changePassword").send({ args: [PASSWORD, NEW_PASSWORD] });
    expect(locked.status).toBe(429);
    expect(locked.headers["retry-after"]).toBeDefined();
  });

  it("verifyPassword() answers false for a wrong password and writes a failed_login row", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const wrong = await agent
      .post("/call/verifyPassword")
      .send({ args: [WRONG] })
      .expect(200);
    expect(wrong.body.result).toBe(false);
    const right = await agent
      .post("/call/verifyPassword")
      .send({ args: [PASSWORD] })
      .expect(200);
    expect(right.body.result).toBe(true);
  });
});
