/**
 * Hostile JSON shapes (checklist IN-01, IN-02, IN-05): a body nested 3,000 levels deep, a 1 MB string and
 * a very wide object, posted to every REST route and to the `req.auth` routes of the test app. Each gets a
 * 4xx with a stable code, and nothing deep ever reaches a session row: not through the library, and not
 * through an app route that copies the body into `req.session` (which, unbounded, leaves express-session
 * hashing a value that can overflow the stack after the response was committed: no answer at all).
 */
import express from "express";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  type Agent,
  type RestApp,
  DEADLINE,
  TWO_FACTOR,
  account,
  csrfOf,
  restApp,
  signIn,
  withDeadline,
} from "./helpers.js";

const env = useTestEnv();
const DEPTH = 3000;
const deepArray = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
const deepObject = `${'{"":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;
const megabyte = "x".repeat(1024 * 1024);
/** About 14 kB: 1,200 members, under the 16 kB body limit. */
const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i])));

const ROUTES: ["get" | "post", string][] = [
  ...(
    [
      "/signin/credentials",
      "/callback/credentials",
      "/signin/github",
      "/signout",
      "/register",
      "/verify-email",
      "/password/forgot",
      "/password/reset",
      "/two-factor/verify",
      "/two-factor/setup/totp",
      "/two-factor/setup/totp/confirm",
    ] as const
  ).map((p): ["post", string] => ["post", `/auth${p}`]),
  ...(["/csrf", "/providers", "/session", "/signin", "/register", "/reset", "/error", "/callback/github"] as const).map(
    (p): ["get", string] => ["get", `/auth${p}`],
  ),
];

/** Each hostile body, as raw JSON text: the hostile part beside the fields a route reads (and a valid token). */
function hostileBodies(csrfToken: string): [string, string][] {
  const fields = `"csrfToken":${JSON.stringify(csrfToken)},"email":"ada@example.test","password":${JSON.stringify(PASSWORD)}`;
  return [
    ["3,000-deep array beside the fields", `{${fields},"extra":${deepArray}}`],
    ["3,000-deep object beside the fields", `{${fields},"extra":${deepObject}}`],
    ["3,000-deep array as the email", `{${fields.replace('"email":"ada@example.test"', `"email":${deepArray}`)}}`],
    ["3,000-deep array as the whole body", deepArray],
    ["a 1 MB string", `{${fields},"extra":"${megabyte}"}`],
    ["a very wide object", `{${fields},${wide.slice(1)}`],
  ];
}

/** Nesting depth of a parsed value (iterative: the value may be deep). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    max = Math.max(max, d);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Every stored session is small and shallow: nothing from a hostile body got into one. */
async function expectNoDeepSession(): Promise<void> {
  const rows = await env.db.db.select({ sess: authSchema.sessions.sess }).from(authSchema.sessions);
  for (const { sess } of rows) {
    expect(sess.length, "a session row holding a hostile body").toBeLessThan(8 * 1024);
    expect(depthOf(JSON.parse(sess)), "a deep structure in a session row").toBeLessThanOrEqual(6);
  }
}

function expectStable4xx(res: { status: number; text: string; body: Record<string, unknown> }, label: string) {
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  expect(String(res.body?.error), label).toMatch(/^[A-Z][A-Z_]+$/);
  expect(res.text, label).not.toMatch(/\bat \S+ \(|node_modules|RangeError|SyntaxError|TypeError/);
}

describe("the REST router", () => {
  async function signedIn(): Promise<{ rest: RestApp; agent: Agent }> {
    const rest = restApp(env, { config: TWO_FACTOR });
    await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    return { rest, agent };
  }

  it("answers every route 400 BAD_REQUEST or 413 PAYLOAD_TOO_LARGE for deep, huge and wide JSON; the session stays signed in and shallow", async () => {
    const { agent } = await signedIn();
    const csrfToken = await csrfOf(agent);
    for (const [method, path] of ROUTES)
      for (const [label, body] of hostileBodies(csrfToken)) {
        const res = await agent[method](path)
          .set("Content-Type", "application/json")
          .set("Accept", "application/json")
          .send(body);
        expectStable4xx(res, `${method.toUpperCase()} ${path} with ${label}`);
        expect(res.body.error, `${path} with ${label}`).toBe(res.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST");
      }
    const session = await agent.get("/auth/session");
    expect(session.body?.user?.email, "a hostile body changed the session").toBe("ada@example.test");
    await expectNoDeepSession();
  });

  it("refuses a form with more fields than any route reads; drops deep values of a body the app parsed", async () => {
    const { agent } = await signedIn();
    const csrfToken = await csrfOf(agent);
    const form = new URLSearchParams({
      csrfToken,
      ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, "v"])),
    });
    const res = await agent.post("/auth/signout").type("form").set("Accept", "application/json").send(form.toString());
    expectStable4xx(res, "wide form");
    // An app that parsed the body itself (default limit) hands the router a deep value: it is dropped.
    const parsedFirst = restApp(env, { before: (a) => a.use(express.json()) });
    const other = parsedFirst.agent();
    const token = await csrfOf(other);
    const deep = await other
      .post("/auth/signout")
      .set("Content-Type", "application/json")
      .set("Accept", "application/json")
      .send(`{"csrfToken":"${token}","callbackUrl":${deepArray},"extra":${deepArray}}`);
    expect(deep.status, deep.text).toBe(200);
    expect(deep.body.url, "a deep callbackUrl was used").toBe("/");
    await expectNoDeepSession();
  });
});

describe("req.auth routes of the test app", () => {
  /** The test app, plus a route that copies the JSON body into the session (what an app might do). */
  function app() {
    return createTestApp(env.config(), {
      routes: (a) =>
        a.post("/prefs", (req, res) => {
          (req.session as unknown as Record<string, unknown>).prefs = req.body;
          res.json({ ok: true });
        }),
    });
  }

  it("answers register, login and each token/email method 4xx with a stable code for deep, huge and wide input", async () => {
    await register(env.config(), "ada@example.test", PASSWORD);
    const t = app();
    const agent = withDeadline(t.agent(), DEADLINE);
    const hostile: [string, string][] = [
      ["deep array", deepArray],
      ["deep object", deepObject],
      ["wide object", wide],
      ["1 MB string", JSON.stringify(megabyte)],
    ];
    const methods = [
      "login",
      "register",
      "resetPassword",
      "confirmEmail",
      "confirmResetPassword",
      "resendConfirmation",
    ];
    for (const [label, value] of hostile) {
      for (const path of ["/register", "/login"])
        for (const body of [
          `{"email":${value},"password":"${PASSWORD}"}`,
          `{"email":"ada@example.test","password":${value}}`,
        ])
          expectStable4xx(
            await agent.post(path).set("Content-Type", "application/json").send(body),
            `${path} ${label}`,
          );
      for (const method of methods) {
        const res = await agent
          .post(`/call/${method}`)
          .set("Content-Type", "application/json")
          .send(`{"args":[${value}]}`);
        expectStable4xx(res, `${method} with ${label}`);
      }
    }
    await expectNoDeepSession();
  });

  it("never stores a deep body an app route copied into the session: 413 SESSION_TOO_LARGE, the session intact", async () => {
    await register(env.config(), "ada@example.test", PASSWORD);
    const agent = withDeadline(app().agent(), { response: 10_000, deadline: 15_000 });
    expect((await agent.post("/login").send({ email: "ada@example.test", password: PASSWORD })).status).toBe(200);
    for (const body of [deepObject, deepArray, `[${"[".repeat(7000)}${"]".repeat(7000)}]`]) {
      const res = await agent.post("/prefs").set("Content-Type", "application/json").send(body);
      expect(res.status, res.text.slice(0, 200)).toBe(413);
      expect(res.body).toEqual({ error: "SESSION_TOO_LARGE", message: expect.any(String) });
      const me = await agent.get("/me");
      expect(me.status, "the session did not survive a refused write").toBe(200);
      expect(me.body.email).toBe("ada@example.test");
    }
    const shallow = await agent.post("/prefs").send({ theme: "dark" });
    expect(shallow.status).toBe(200);
    await expectNoDeepSession();
  });
});
