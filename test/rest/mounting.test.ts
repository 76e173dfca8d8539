/**
 * Mounting `ExpressAuth(config)` the way apps really do (field notes §3 items 1, 3, 4, 18): on Express 5
 * and Express 4, under `/auth` or a nested path, with the app's body parsers before or after it, and
 * with the app's own express-session and auth middleware. Every request has a deadline, so a request
 * left pending (the Better Auth / Lucia body-parser bug) fails instead of hanging.
 */
import { eq } from "drizzle-orm";
import express from "express";
import express4 from "express4";
import session from "express-session";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { createAuthMiddleware, createSessionStore, ExpressAuth, getSession } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADA,
  type Agent,
  COOKIE,
  type RestApp,
  type RestAppOptions,
  account,
  cookiePair,
  csrfOf,
  getSessionOf,
  pageCsrf,
  postJson,
  restApp,
  restConfig,
  sessionOf,
  setCookies,
  signIn,
  withDeadline,
} from "./helpers.js";

const env = useTestEnv();
const APP_COOKIE = "app.sid";
const APP_SECRET = "the application's own session secret, 32+ chars";

type ExpressModule = typeof express;
const MODULES: [string, ExpressModule][] = [
  ["Express 5", express],
  ["Express 4", express4 as unknown as ExpressModule],
];

/**
 * Register (JSON), confirm (form), sign in (form, then JSON), read the session three ways, sign out.
 * Exercises both body kinds on every route kind the router has.
 */
async function fullLifecycle(rest: RestApp, agent: Agent = rest.agent(), base = "/auth"): Promise<void> {
  const token = await csrfOf(agent);
  const reg = await agent
    .post(`${base}/register`)
    .set("Accept", "application/json")
    .send({ csrfToken: token, email: ADA, password: PASSWORD });
  expect(reg.status, reg.text).toBe(200);
  expect(reg.body).toEqual({ ok: true, url: `${base}/verify-request` });
  expect(rest.mail.verifications).toHaveLength(1);
  const verify = await agent
    .post(`${base}/verify-email`)
    .type("form")
    .send({ csrfToken: token, token: rest.mail.verifications[0]!.token });
  expect(verify.status, verify.text).toBe(303);
  expect(verify.headers.location).toBe(`${base}/signin?notice=verified`);

  const page = await agent.get(`${base}/signin`);
  expect(page.status).toBe(200);
  const signin = await agent
    .post(`${base}/signin/credentials`)
    .type("form")
    .send({ csrfToken: pageCsrf(page.text), email: ADA, password: PASSWORD, callbackUrl: "/dashboard" });
  expect(signin.status, signin.text).toBe(303);
  expect(signin.headers.location).toBe("/dashboard");
  const view = await agent.get(`${base}/session`);
  expect(view.status).toBe(200);
  expect(view.body.user.email).toBe(ADA);
  expect((await getSessionOf(agent))?.user).toMatchObject({ email: ADA });

  // JSON sign-out with the rotated token.
  const fresh = (await agent.get(`${base}/csrf`)).body.csrfToken as string;
  expect(fresh).not.toBe(token);
  const out = await agent.post(`${base}/signout`).send({ csrfToken: fresh });
  expect(out.status, out.text).toBe(200);
  expect(out.body).toEqual({ ok: true, url: "/" });
  expect((await agent.get(`${base}/session`)).body).toBeNull();
  expect(await getSessionOf(agent)).toBeNull();
}

const PARSERS: [string, (ex: ExpressModule) => NonNullable<RestAppOptions["before"]>][] = [
  ["nothing", () => () => {}],
  ["express.json()", (ex) => (app) => void app.use(ex.json())],
  ["express.urlencoded({ extended: true })", (ex) => (app) => void app.use(ex.urlencoded({ extended: true }))],
  [
    "express.json() and express.urlencoded()",
    (ex) => (app) => void app.use(ex.json(), ex.urlencoded({ extended: false })),
  ],
  ['express.text({ type: "*/*" })', (ex) => (app) => void app.use(ex.text({ type: "*/*" }))],
  ['express.raw({ type: "*/*" })', (ex) => (app) => void app.use(ex.raw({ type: "*/*" }))],
  ["express.raw() (octet-stream only)", (ex) => (app) => void app.use(ex.raw())],
];

describe.each(MODULES)("ExpressAuth mounted on %s (field §3 items 1 and 3)", (_name, ex) => {
  it.each(PARSERS)(
    "with %s mounted before the router: the whole lifecycle works and nothing hangs",
    async (_parser, before) => {
      const rest = restApp(env, { expressModule: ex, before: before(ex) });
      await fullLifecycle(rest);
    },
  );

  it("with the app's parsers mounted after the router, the app's own routes still get their bodies", async () => {
    const rest = restApp(env, {
      expressModule: ex,
      after: (app) => {
        app.use(ex.json(), ex.urlencoded({ extended: false }), ex.text());
        app.post("/echo", (req, res) => void res.json({ body: req.body }));
      },
    });
    await fullLifecycle(rest);
    const agent = rest.agent();
    expect((await agent.post("/echo").send({ a: 1 })).body).toEqual({ body: { a: 1 } });
    expect((await agent.post("/echo").type("form").send({ b: "2" })).body).toEqual({ body: { b: "2" } });
    expect((await agent.post("/echo").type("text").send("plain")).body).toEqual({ body: "plain" });
  });

  it("under a nested mount path every URL the router gives out carries that path", async () => {
    const rest = restApp(env, {
      expressModule: ex,
      before: (app, config) => void app.use("/api/v1/auth", ExpressAuth(config)),
    });
    const agent = rest.agent();
    await fullLifecycle(rest, agent, "/api/v1/auth");
    const providers = await agent.get("/api/v1/auth/providers");
    expect(providers.body.credentials.signinUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/auth\/signin\/credentials$/,
    );
    const page = await agent.get("/api/v1/auth/signin");
    const actions = [...page.text.matchAll(/action="([^"]*)"/g)].map((m) => m[1]);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).toMatch(/^\/api\/v1\/auth\//);
  });

  it("routes the router does not have fall through to the app (nothing is swallowed)", async () => {
    const rest = restApp(env, {
      expressModule: ex,
      after: (app) => {
        app.get("/auth/custom", (_req, res) => void res.json({ custom: true }));
        app.post("/auth/custom", (_req, res) => void res.json({ customPost: true }));
      },
    });
    const agent = rest.agent();
    expect((await agent.get("/auth/custom")).body).toEqual({ custom: true });
    expect((await agent.post("/auth/custom").send({ x: 1 })).body).toEqual({ customPost: true });
    const unknown = await agent.get("/auth/no-such-route");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ fellThrough: true, method: "GET", path: "/auth/no-such-route" });
    const unknownPost = await agent.post("/auth/no/such/route").send({});
    expect(unknownPost.body).toMatchObject({ fellThrough: true, method: "POST" });
    // A method the route does not have: PUT /auth/signout is not an endpoint.
    expect((await agent.put("/auth/signout").send({})).body).toMatchObject({ fellThrough: true, method: "PUT" });
  });

  it("with the app's own express-session and auth middleware before it, the router uses that session", async () => {
    const rest = restApp(env, {
      expressModule: ex,
      config: { sessionCookieName: APP_COOKIE, sessionSecret: APP_SECRET },
      before: (app, config) => {
        app.use(
          session({
            name: APP_COOKIE,
            secret: APP_SECRET,
            store: createSessionStore(config, { pruneInterval: false }),
            resave: false,
            saveUninitialized: false,
          }),
        );
        app.use(createAuthMiddleware(config));
        app.get("/app/whoami", (req, res) => void res.json({ email: req.auth.getEmail() }));
      },
    });
    await account(rest);
    const agent = rest.agent();
    const token = await agent.get("/auth/csrf");
    expect(cookiePair(token, APP_COOKIE)).toBeDefined();
    expect(cookiePair(token, COOKIE)).toBeUndefined();
    const res = await signIn(agent);
    expect(setCookies(res).map((c) => c.split("=")[0])).toEqual([APP_COOKIE]);
    // The app's own routes and the router see one session; getSession reads it.
    expect((await agent.get("/app/whoami")).body).toEqual({ email: ADA });
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    expect((await getSessionOf(agent))?.user).toMatchObject({ email: ADA });
    // Sign-out through the router ends the app's session too.
    expect((await postJson(agent, "/auth/signout")).status).toBe(200);
    expect((await agent.get("/app/whoami")).body).toEqual({ email: null });
    expect(await getSessionOf(agent)).toBeNull();
  });

  it("a request the router answers from its own session never reaches the app's session", async () => {
    // The router brings its own session: the app has none, and its routes see no `req.session`.
    const rest = restApp(env, {
      expressModule: ex,
      after: (app) => void app.get("/app/has-session", (req, res) => void res.json({ has: req.session !== undefined })),
    });
    const agent = await (async () => {
      await account(rest);
      const a = rest.agent();
      await signIn(a);
      return a;
    })();
    expect((await agent.get("/app/has-session")).body).toEqual({ has: false });
    expect((await getSessionOf(agent))?.user).toMatchObject({ email: ADA });
  });
});

describe("requests that used to hang elsewhere (field §3 item 1)", () => {
  it.each([
    ['express.text({ type: "*/*" })', (app: express.Express) => void app.use(express.text({ type: "*/*" }))],
    ["express.json()", (app: express.Express) => void app.use(express.json())],
    ['express.raw({ type: "*/*" })', (app: express.Express) => void app.use(express.raw({ type: "*/*" }))],
  ])("with %s before, every POST answers within 5 s, JSON and form alike", async (_name, before) => {
    const rest = restApp(env, { before });
    const agent = withDeadline(request.agent(rest.app), { response: 5_000, deadline: 5_000 });
    const token = await csrfOf(agent);
    for (const path of ["/auth/signout", "/auth/password/forgot", "/auth/verify-email", "/auth/two-factor/verify"]) {
      const asJson = await agent.post(path).send({ csrfToken: token, email: "x@example.test", token: "t" });
      expect(asJson.status, `${path} ${asJson.text}`).toBeLessThan(500);
      const asForm = await agent.post(path).type("form").send({ csrfToken: token, email: "x@example.test" });
      expect(asForm.status, `${path} ${asForm.text}`).toBeLessThan(500);
      const bare = await agent.post(path).type("form").send({});
      expect(bare.status, `${path} ${bare.text}`).toBeLessThan(500);
    }
  });

  it("a multipart body (not read by the router) answers 403 CSRF_FAILED at once", async () => {
    const rest = restApp(env);
    const agent = withDeadline(request.agent(rest.app), { response: 5_000, deadline: 5_000 });
    const token = await csrfOf(agent);
    const res = await agent
      .post("/auth/register")
      .set("Accept", "application/json")
      .field("csrfToken", token)
      .field("email", ADA)
      .field("password", PASSWORD);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("CSRF_FAILED");
  });

  it("a POST with an empty body and no content type answers (403 CSRF_FAILED), never hangs", async () => {
    const rest = restApp(env);
    const agent = withDeadline(request.agent(rest.app), { response: 5_000, deadline: 5_000 });
    const res = await agent.post("/auth/signout").set("Accept", "application/json");
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("CSRF_FAILED");
  });
});

describe("database sessions for credentials sign-in (field §3 item 18) and getSession without cookies to forward (item 4)", () => {
  it("a credentials sign-in is a server-side session row; deleting the row signs the browser out at once", async () => {
    const rest = restApp(env);
    const id = await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    const rows = await env.db.db.select().from(authSchema.sessions).where(eq(authSchema.sessions.accountId, id));
    expect(rows).toHaveLength(1);
    await env.db.db.delete(authSchema.sessions).where(eq(authSchema.sessions.accountId, id));
    // No cookie cache, no Set-Cookie to forward: both readers see the revocation on the next request.
    expect(await getSessionOf(agent)).toBeNull();
    expect(await sessionOf(agent)).toBeNull();
  });

  it("getSession needs no response: it reads the cookie and the database, and sets no cookie", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    const res = await agent.get("/me").expect(200);
    expect(res.body.session.user.email).toBe(ADA);
    expect(setCookies(res)).toEqual([]);
  });

  it("getSession works in a plain Express 4 app that mounted neither the router nor express-session", async () => {
    const rest = restApp(env);
    await account(rest);
    const signin = await signIn(rest.agent());
    const cookie = cookiePair(signin, COOKIE)!;
    expect(cookie).toBeDefined();
    const plain = express4();
    const config = rest.config;
    plain.get("/who", async (req, res) => void res.json({ session: await getSession(req, config) }));
    const res = await request(plain).get("/who").set("Cookie", cookie).timeout(5_000);
    expect(res.body.session?.user?.email).toBe(ADA);
    const anonymous = await request(plain).get("/who").timeout(5_000);
    expect(anonymous.body).toEqual({ session: null });
  });
});

describe("router creation", () => {
  it("refuses a short session secret at creation (INVALID_CONFIG)", () => {
    expect(() => ExpressAuth(restConfig(env, null, { secret: "short", sessionSecret: "too short" }))).toThrow(
      /sessionSecret/,
    );
  });

  it("`createAuthRouter` is the same router factory", async () => {
    const { createAuthRouter } = await import("../../src/index.js");
    expect(createAuthRouter).toBe(ExpressAuth);
  });
});
