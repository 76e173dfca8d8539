import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

describe("req.auth.login()", () => {
  it("signs in with the seed README routes and regenerates the session id (SE-01)", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect(login.headers["set-cookie"]?.[0]).toMatch(/^connect\.sid=/);
    const me = await agent.get("/me").expect(200);
    expect(me.body).toMatchObject({ email: "alice@example.test", roles: [] });
  });

  it("fails identically for an unknown email and a wrong password (EN-01)", async () => {
    const t = createTestApp(env.config());
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const unknown = await t.agent().post("/login").send({ email: "nobody@example.test", password: PASSWORD });
    const wrong = await t.agent().post("/login").send({ email: "alice@example.test", password: "wrong horse battery staple" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(Object.keys(unknown.headers)).toEqual(Object.keys(wrong.headers));
  });

  it("remembers the device and restores the session from the cookie (RM-02)", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember: true }).expect(200);
    const remember = login.headers["set-cookie"]!.find((c: string) => c.startsWith("remember_token="))!;
    expect(remember).toMatch(/HttpOnly/);
    const fresh = t.agent();
    const restored = await fresh.get("/me").set("Cookie", remember.split(";")[0]!).expect(200);
    expect(restored.body.remembered).toBe(true);
    const rotated = restored.headers["set-cookie"]!.find((c: string) => c.startsWith("remember_token="))!;
    expect(rotated.split(";")[0]).not.toEqual(remember.split(";")[0]);
  });
});
