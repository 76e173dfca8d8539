/**
 * `getSession(req, config)` in a route behind the app's own express-session, whose secret and cookie
 * name are not the router's: it reads `req.session`, so a signed-in user is seen (issue: it re-read the
 * cookie with `config.secret` and returned null), and the validity decision still applies (SE-05).
 */
import express from "express";
import session from "express-session";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { AuthStatus } from "../../src/primitives/status.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { createSessionStore } from "../../src/express/session-store.js";
import { getSession } from "../../src/rest/session-view.js";
import { register, setStatusForUserBy } from "../../src/standalone.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ADA = "ada@example.test";

function appWithOwnSession(withMiddleware: boolean) {
  const config = env.config({ secret: "the auth secret, not the session's, 32+ characters" });
  const app = express();
  app.use(express.json());
  app.use(
    session({
      name: "app.sid",
      secret: "the app's own session secret, unrelated",
      store: createSessionStore(config, { pruneInterval: false }),
      resave: false,
      saveUninitialized: false,
    }),
  );
  const auth = createAuthMiddleware(config);
  app.post("/login", auth, async (req, res, next) => {
    try {
      await req.auth.login(req.body.email, req.body.password);
      res.json({ ok: true });
    } catch (err) {
      next(err);
    }
  });
  if (withMiddleware) app.use(auth);
  app.get("/view", async (req, res) => void res.json({ session: await getSession(req, config) }));
  return { app, config };
}

describe("getSession behind the app's own express-session", () => {
  it.each([
    ["with the auth middleware", true],
    ["without it on the route", false],
  ])("sees the signed-in user %s", async (_label, withMiddleware) => {
    const { app, config } = appWithOwnSession(withMiddleware);
    await register(config, ADA, PASSWORD);
    const agent = request.agent(app);
    await agent.post("/login").send({ email: ADA, password: PASSWORD }).expect(200);
    const res = await agent.get("/view").expect(200);
    expect(res.body.session.user).toMatchObject({ email: ADA, roles: [] });
  });

  it("SE-05: gives null once the account is banned, even from the loaded session", async () => {
    const { app, config } = appWithOwnSession(false);
    const ada = await register(config, ADA, PASSWORD);
    const agent = request.agent(app);
    await agent.post("/login").send({ email: ADA, password: PASSWORD }).expect(200);
    await setStatusForUserBy(config, { accountId: ada.id }, AuthStatus.Banned);
    env.clock.advance(31_000);
    expect((await agent.get("/view").expect(200)).body.session).toBeNull();
  });
});
