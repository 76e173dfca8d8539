import { eq } from "drizzle-orm";
import express from "express";
import express4 from "express4";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ACCOUNT_ID_START } from "../helpers/identity-offsets.js";

const env = useTestEnv();
const { sessions, remembers, accounts } = authSchema;

type Agent = ReturnType<TestApp["agent"]>;

function app4(config: AuthConfig = env.config()): TestApp {
  return createTestApp(config, { expressModule: express4 });
}

function cookieNamed(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const cookies = (res.headers["set-cookie"] ?? []) as string[];
  return cookies.find((c) => c.startsWith(`${name}=`));
}

async function registerAndLogin(
  t: TestApp,
  remember = false,
): Promise<{ agent: Agent; login: Awaited<ReturnType<Agent["post"]>> }> {
  const agent = t.agent();
  await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember });
  expect(login.status).toBe(200);
  return { agent, login };
}

describe("seed routes on Express 4", () => {
  it("the `express4` module really is Express 4", async () => {
    const pkg = await import("express4/package.json", { with: { type: "json" } });
    expect(pkg.default.version).toMatch(/^4\./);
  });

  it("`POST /register` creates an account on Express 4", async () => {
    const t = app4();
    const res = await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect(res.body).toEqual({ id: ACCOUNT_ID_START });
    const [row] = await env.db.db.select().from(accounts);
    expect(row).toMatchObject({ email: "alice@example.test", verified: true });
  });

  it("`POST /register` answers 409 EMAIL_TAKEN for a taken email on Express 4", async () => {
    const t = app4();
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const res = await t.agent().post("/register").send({ email: "ALICE@example.test", password: PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: "EMAIL_TAKEN", message: "Email address is already in use" });
    expect(t.errors).toEqual([]);
  });

  it("`POST /login` signs in and sets the session cookie on Express 4", async () => {
    const t = app4();
    const { login } = await registerAndLogin(t);
    expect(cookieNamed(login, "connect.sid")).toMatch(/HttpOnly/);
    const [row] = await env.db.db.select().from(sessions);
    expect(row!.accountId).toBe(ACCOUNT_ID_START);
  });

  it("`GET /me` returns the signed-in account on Express 4", async () => {
    const t = app4();
    const { agent } = await registerAndLogin(t);
    const me = await agent.get("/me").expect(200);
    expect(me.body).toEqual({ id: ACCOUNT_ID_START, email: "alice@example.test", roles: [], remembered: false });
  });

  it("`POST /login` with a wrong password answers 401 INVALID_CREDENTIALS on Express 4", async () => {
    const t = app4();
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const res = await t
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: "wrong horse battery staple" });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("INVALID_CREDENTIALS");
    expect(cookieNamed(res, "connect.sid")).toBeUndefined();
  });

  it("`req.auth.logout()` ends the session and deletes its row on Express 4", async () => {
    const t = app4();
    const { agent, login } = await registerAndLogin(t);
    await agent.post("/call/logout").send({ args: [] }).expect(200);
    await agent.get("/me").expect(401);
    expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, 1))).toEqual([]);
    const replay = await t.agent().get("/me").set("Cookie", cookieNamed(login, "connect.sid")!.split(";")[0]!);
    expect(replay.status).toBe(401);
  });

  it("`req.auth.logout()` deletes this device's remember-me token and clears its cookie on Express 4", async () => {
    const t = app4();
    const { agent } = await registerAndLogin(t, true);
    expect(await env.db.db.select().from(remembers)).toHaveLength(1);
    const res = await agent.post("/call/logout").send({ args: [] }).expect(200);
    expect(cookieNamed(res, "remember_token")).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(await env.db.db.select().from(remembers)).toEqual([]);
  });

  it("a remember-me cookie restores the session in a fresh agent on Express 4", async () => {
    const t = app4();
    const { login } = await registerAndLogin(t, true);
    const remember = cookieNamed(login, "remember_token")!;
    expect(remember).toMatch(/HttpOnly/);
    expect(remember).toMatch(/SameSite=Lax/);
    expect(remember).toMatch(/Path=\//);
    const fresh = t.agent();
    const restored = await fresh.get("/me").set("Cookie", remember.split(";")[0]!).expect(200);
    expect(restored.body).toMatchObject({ email: "alice@example.test", remembered: true });
    const rotated = cookieNamed(restored, "remember_token")!;
    expect(rotated.split(";")[0]).not.toBe(remember.split(";")[0]);
    expect(cookieNamed(restored, "connect.sid")).toBeDefined();
  });

  it("confirming an email and signing in works on Express 4", async () => {
    const t = app4();
    const agent = t.agent();
    await agent
      .post("/call/register")
      .send({ args: ["alice@example.test", PASSWORD, null, "$callback"] })
      .expect(200);
    await agent
      .post("/call/confirmEmailAndLogin")
      .send({ args: [t.lastToken("register")] })
      .expect(200);
    const me = await agent.get("/me").expect(200);
    expect(me.body.email).toBe("alice@example.test");
  });

  it("malformed JSON answers 400 BAD_REQUEST on Express 4", async () => {
    const t = app4();
    const res = await t.agent().post("/login").set("Content-Type", "application/json").send("{oops");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "BAD_REQUEST", message: "Malformed request" });
    expect(t.errors).toEqual([]);
  });

  it("a body over the JSON limit answers 413 on Express 4", async () => {
    const t = app4();
    const res = await t
      .agent()
      .post("/register")
      .send({ email: "alice@example.test", password: "x".repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("PAYLOAD_TOO_LARGE");
  });

  it("malformed cookies leave the request anonymous without an error on Express 4", async () => {
    const t = app4();
    const res = await t.agent().get("/me").set("Cookie", "remember_token=%E0%A4%A; connect.sid=garbage");
    expect(res.status).toBe(401);
    expect(t.errors).toEqual([]);
  });
});

describe("Express 4 and Express 5 parity", () => {
  /** Runs the seed flow and records what a client sees: statuses, bodies and cookie attributes (not values). */
  async function transcript(module: typeof express) {
    const t = createTestApp(env.config(), { expressModule: module });
    const agent = t.agent();
    const steps: unknown[] = [];
    const record = (label: string, res: { status: number; body: unknown; headers: Record<string, unknown> }) => {
      const cookies = ((res.headers["set-cookie"] ?? []) as string[]).map((c) =>
        c
          .split(";")
          .map((part) => part.trim())
          .map((part, i) => (i === 0 ? part.split("=")[0] : part.startsWith("Expires=") ? "Expires" : part))
          .sort()
          .join("; "),
      );
      steps.push({ label, status: res.status, body: res.body, cookies: cookies.sort() });
    };
    record("register", await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }));
    record("duplicate", await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }));
    record("anonymous me", await agent.get("/me"));
    record(
      "bad login",
      await agent.post("/login").send({ email: "alice@example.test", password: "nope nope nope nope" }),
    );
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember: true });
    record("login", login);
    record("me", await agent.get("/me"));
    const remember = cookieNamed(login, "remember_token")!.split(";")[0]!;
    record("restore", await t.agent().get("/me").set("Cookie", remember));
    record("logout", await agent.post("/call/logout").send({ args: [] }));
    record("me after logout", await agent.get("/me"));
    record("bad json", await agent.post("/login").set("Content-Type", "application/json").send("{"));
    expect(t.errors).toEqual([]);
    return steps;
  }

  it("the seed flow gives the same statuses, bodies and cookie attributes on Express 4 as on Express 5", async () => {
    const five = await transcript(express);
    await env.db.reset();
    const four = await transcript(express4);
    expect(four).toEqual(five);
  });
});
