import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { ExpressAuth, getSession, type AuthLink, type ExpressAuthConfig } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const SECRET = "a session secret that is at least thirty-two characters";

function app(overrides: Partial<ExpressAuthConfig> = {}) {
  const mails: AuthLink[] = [];
  const config: ExpressAuthConfig = env.config({
    secret: SECRET,
    sessionStore: { pruneInterval: false },
    mail: {
      sendVerification: (l: AuthLink) => void mails.push(l),
      sendPasswordReset: (l: AuthLink) => void mails.push(l),
    },
    ...overrides,
  });
  const a = express();
  a.use("/auth", ExpressAuth(config));
  a.get("/me", async (req, res) => void res.json(await getSession(req, config)));
  return { a, mails, config };
}

async function csrf(agent: ReturnType<typeof request.agent>): Promise<string> {
  const res = await agent.get("/auth/csrf").expect(200);
  return res.body.csrfToken as string;
}

describe("REST handler: the whole account lifecycle over JSON", () => {
  it("registers, confirms, signs in, reads the session, signs out", async () => {
    const { a, mails } = app();
    const agent = request.agent(a);
    let token = await csrf(agent);
    await agent
      .post("/auth/register")
      .send({ csrfToken: token, email: "ada@example.test", password: PASSWORD })
      .expect(200);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.url).toContain("/auth/verify-request?token=");
    await agent.post("/auth/verify-email").send({ csrfToken: token, token: mails[0]!.token }).expect(200);
    const signin = await agent
      .post("/auth/signin/credentials")
      .send({ csrfToken: token, email: "ada@example.test", password: PASSWORD, callbackUrl: "/home" });
    expect(signin.status, signin.text).toBe(200);
    expect(signin.body.url).toBe("/home");
    const session = await agent.get("/auth/session").expect(200);
    expect(session.body.user).toMatchObject({ email: "ada@example.test", roles: [] });
    expect((await agent.get("/me")).body.user.email).toBe("ada@example.test");
    // The token rotated with the session id at sign-in.
    await agent.post("/auth/signout").send({ csrfToken: token }).expect(403);
    token = await csrf(agent);
    await agent.post("/auth/signout").send({ csrfToken: token }).expect(200);
    expect((await agent.get("/auth/session")).body).toBeNull();
    expect((await agent.get("/me")).body).toBeNull();
  });

  it("browser form posts get redirects and the pages render", async () => {
    const { a } = app();
    const agent = request.agent(a);
    const page = await agent.get("/auth/signin").expect(200);
    const token = /name="csrfToken" value="([^"]+)"/.exec(page.text)?.[1];
    expect(token).toBeTruthy();
    const res = await agent
      .post("/auth/signin/credentials")
      .type("form")
      .send({ csrfToken: token, email: "nobody@example.test", password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/auth/signin?error=CredentialsSignin&code=credentials");
  });

  it("a refused new password sends the browser back to the same reset form, token kept", async () => {
    const { a, mails } = app();
    const agent = request.agent(a);
    const token = await csrf(agent);
    await agent.post("/auth/register").send({ csrfToken: token, email: "ada@example.test", password: PASSWORD });
    await agent.post("/auth/verify-email").send({ csrfToken: token, token: mails[0]!.token }).expect(200);
    await agent.post("/auth/password/forgot").send({ csrfToken: token, email: "ada@example.test" }).expect(200);
    const reset = mails[1]!.token;
    const res = await agent
      .post("/auth/password/reset")
      .type("form")
      .send({ csrfToken: token, token: reset, password: "short" });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!, "http://x");
    expect(location.pathname).toBe("/auth/reset");
    expect(location.searchParams.get("error")).toBe("INVALID_PASSWORD");
    expect(location.searchParams.get("token")).toBe(reset);
  });
});
