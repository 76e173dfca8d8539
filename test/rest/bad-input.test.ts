/**
 * Hostile and broken input to the router: malformed and oversized bodies, fields of the wrong type,
 * prototype keys, odd query strings, and a database that fails. Every answer is a clean 4xx (or a
 * generic 5xx for a real outage), never a stack, never a hang, never a redirect loop.
 */
import express4 from "express4";
import type express from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADA,
  type Agent,
  type RestApp,
  account,
  csrfOf,
  getSessionOf,
  postJson,
  restApp,
  sessionOf,
  signIn,
  switchableDb,
} from "./helpers.js";

const env = useTestEnv();

afterEach(() => {
  vi.restoreAllMocks();
});

const POST_ROUTES = [
  "/auth/signin/credentials",
  "/auth/signin/github",
  "/auth/signout",
  "/auth/register",
  "/auth/verify-email",
  "/auth/password/forgot",
  "/auth/password/reset",
  "/auth/two-factor/verify",
  "/auth/two-factor/setup/totp",
  "/auth/two-factor/setup/totp/confirm",
];

function expectClean4xx(res: { status: number; text: string; headers: Record<string, string> }, label: string) {
  expect(res.status, `${label}: ${res.text}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label}: ${res.text}`).toBeLessThan(500);
  expect(res.text, label).not.toMatch(/at \w+ \(|node_modules|SyntaxError|TypeError/);
}

describe("malformed and oversized bodies", () => {
  it("malformed JSON is 400 BAD_REQUEST on every POST route (as authErrorHandler answers it), not 500", async () => {
    const rest = restApp(env);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    const errors = vi.spyOn(console, "error");
    for (const path of POST_ROUTES) {
      for (const body of ['{"csrfToken": ', "{'a': 1}", '{"a":1}}', "\u0000", "nul"]) {
        const res = await agent
          .post(path)
          .set("Content-Type", "application/json")
          .set("X-CSRF-Token", token)
          .send(body);
        expectClean4xx(res, `${path} ${JSON.stringify(body)}`);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: "BAD_REQUEST", message: "Malformed request" });
      }
    }
    expect(errors).not.toHaveBeenCalled();
  });

  it("a body over 16 kB is 413, JSON and form alike; a bad charset or encoding is a 4xx", async () => {
    const rest = restApp(env);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    const big = "x".repeat(17 * 1024);
    const json = await agent.post("/auth/register").send({ csrfToken: token, email: ADA, password: big });
    expect(json.status).toBe(413);
    expect(json.body).toEqual({ error: "PAYLOAD_TOO_LARGE", message: "Malformed request" });
    const form = await agent.post("/auth/register").type("form").send({ csrfToken: token, email: ADA, password: big });
    expect(form.status).toBe(413);
    const charset = await agent
      .post("/auth/register")
      .set("Content-Type", "application/json; charset=klingon")
      .send(JSON.stringify({ csrfToken: token }));
    expectClean4xx(charset, "charset");
    const encoding = await agent
      .post("/auth/register")
      .set("Content-Type", "application/json")
      .set("Content-Encoding", "gzip")
      .send("not gzip at all");
    expectClean4xx(encoding, "encoding");
    expect(await env.db.db.select().from(authSchema.accounts)).toHaveLength(0);
  });

  it("a JSON body that is not an object carries no fields (so no token): 403", async () => {
    const rest = restApp(env);
    const agent = rest.agent();
    await csrfOf(agent);
    for (const body of ["[]", '["a"]', '"string"', "42", "null", "true"]) {
      const res = await agent
        .post("/auth/signout")
        .set("Content-Type", "application/json")
        .set("Accept", "application/json")
        .send(body);
      expectClean4xx(res, body);
    }
  });

  it("prototype keys in a body change nothing", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    const res = await agent
      .post("/auth/signin/credentials")
      .set("Content-Type", "application/json")
      .send(
        `{"__proto__":{"polluted":true,"email":"${ADA}"},"constructor":{"prototype":{"polluted":true}},"csrfToken":"${token}","password":"${PASSWORD}"}`,
      );
    expectClean4xx(res, "proto");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await sessionOf(agent)).toBeNull();
  });
});

describe("fields of the wrong type are a 4xx and sign nobody in", () => {
  const WRONG: unknown[] = [["a@example.test"], { $ne: null }, 42, true, null, { toString: "x" }];

  it("credentials sign-in with a non-string email or password", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const errors = vi.spyOn(console, "error");
    for (const value of WRONG) {
      for (const fields of [
        { email: value, password: PASSWORD },
        { email: ADA, password: value },
      ]) {
        const res = await postJson(agent, "/auth/signin/credentials", fields);
        expectClean4xx(res, JSON.stringify(fields));
      }
    }
    for (const remember of [{}, [], 1, "maybe"]) {
      const res = await postJson(agent, "/auth/signin/credentials", { email: ADA, password: "wrong", remember });
      expectClean4xx(res, JSON.stringify(remember));
    }
    expect(await sessionOf(agent)).toBeNull();
    expect(errors).not.toHaveBeenCalled();
  });

  it("register, forgot, reset, verify-email and two-factor with non-string fields", async () => {
    const rest = restApp(env, { config: { twoFactor: { enabled: true } } });
    const agent = rest.agent();
    const errors = vi.spyOn(console, "error");
    for (const value of WRONG) {
      const cases: [string, Record<string, unknown>][] = [
        ["/auth/register", { email: value, password: PASSWORD }],
        ["/auth/register", { email: ADA, password: value }],
        ["/auth/password/forgot", { email: value }],
        ["/auth/password/reset", { token: value, password: PASSWORD }],
        ["/auth/password/reset", { token: "abc.def", password: value }],
        ["/auth/verify-email", { token: value }],
        ["/auth/two-factor/verify", { code: value }],
        ["/auth/two-factor/verify", { method: value, code: "123456" }],
        ["/auth/two-factor/setup/totp/confirm", { code: value }],
      ];
      for (const [path, fields] of cases) {
        const res = await postJson(agent, path, fields);
        expectClean4xx(res, `${path} ${JSON.stringify(fields)}`);
      }
    }
    expect(await env.db.db.select().from(authSchema.accounts)).toHaveLength(0);
    expect(rest.mail.verifications).toHaveLength(0);
    expect(errors).not.toHaveBeenCalled();
  });

  it("form posts with repeated fields (arrays) go back to the page with an error", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    const res = await agent
      .post("/auth/signin/credentials")
      .type("form")
      .send(
        `csrfToken=${token}&email=${encodeURIComponent(ADA)}&email=x%40y.test&password=${encodeURIComponent(PASSWORD)}`,
      );
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/auth\/signin\?error=/);
    expect(await sessionOf(agent)).toBeNull();
  });

  it("odd query strings: repeated or nested callbackUrl fall back to the default (Express 4's qs too)", async () => {
    for (const ex of [undefined, express4 as unknown as typeof express]) {
      const rest = restApp(env, { ...(ex ? { expressModule: ex } : {}) });
      await account(rest, `q${ex ? 4 : 5}@example.test`);
      for (const query of ["callbackUrl=/a&callbackUrl=/b", "callbackUrl[x]=/a", "callbackUrl[]=/a", "callbackUrl=%"]) {
        const agent = rest.agent();
        const token = await csrfOf(agent);
        const res = await agent
          .post(`/auth/signin/credentials?${query}`)
          .set("Accept", "application/json")
          .send({ csrfToken: token, email: `q${ex ? 4 : 5}@example.test`, password: PASSWORD });
        expect(res.status, `${query}: ${res.text}`).toBe(200);
        expect(res.body.url, query).toBe("/");
      }
    }
  });
});

describe("a database outage", () => {
  async function brokenApp(): Promise<{ rest: RestApp; agent: Agent; broken: { fail: boolean } }> {
    const broken = switchableDb(env.db.db);
    const rest = restApp(env, { config: { db: broken.db } });
    await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    vi.spyOn(console, "error").mockImplementation(() => {});
    broken.fail = true;
    return { rest, agent, broken };
  }

  it("JSON clients get a generic 5xx with no detail; nothing reads as signed in", async () => {
    const { agent, broken } = await brokenApp();
    const session = await agent.get("/auth/session").set("Accept", "application/json");
    expect(session.status).toBeGreaterThanOrEqual(500);
    // The last-resort handler answers like authErrorHandler: a generic code and message, no detail.
    expect([
      { error: "INTERNAL_ERROR", message: "Internal error" },
      { error: "DATABASE_UNAVAILABLE", message: "Service unavailable" },
    ]).toContainEqual(session.body);
    expect(await getSessionOf(agent)).toBeNull();
    broken.fail = false;
  });

  it("a browser is not sent round a redirect loop: the error page does not redirect to itself", async () => {
    const { agent, broken } = await brokenApp();
    let path = "/auth/signin";
    const seen: string[] = [];
    let res = await agent.get(path).set("Accept", "text/html");
    for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400; hop++) {
      seen.push(path);
      path = res.headers.location!;
      expect(seen, `redirect loop: ${[...seen, path].join(" → ")}`).not.toContain(path);
      res = await agent.get(path).set("Accept", "text/html");
    }
    // The chain ends in an answer (an error page or a 5xx), not in another redirect.
    expect(res.status >= 300 && res.status < 400, [...seen, path].join(" → ")).toBe(false);
    expect(res.text).not.toMatch(/ECONNREFUSED|connection refused/);
    broken.fail = false;
  });
});
