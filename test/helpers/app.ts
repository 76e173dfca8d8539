import express from "express";
import session from "express-session";
import request from "supertest";
import type { AuthConfig } from "../../src/config.js";
import { authErrorHandler } from "../../src/express/error-handler.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { createSessionStore } from "../../src/express/session-store.js";
import "../../src/express/augment.js";

/** A token the app "sent": what a real app would mail or text. */
export interface OutboxMessage {
  method: string;
  token: string;
}

/** A running test app and what it sent. */
export interface TestApp {
  app: express.Express;
  outbox: OutboxMessage[];
  /** The last token sent, for a given method. */
  lastToken(method?: string): string;
  agent(): ReturnType<typeof request.agent>;
  /** Errors the error handler saw (for asserting that nothing unexpected happened). */
  errors: unknown[];
}

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  /** The express module to build the app with (Express 4 or 5). */
  expressModule?: typeof express;
  /** Extra routes mounted before the generic ones. */
  routes?: (app: express.Express) => void;
  /** express-session cookie options. */
  cookie?: session.CookieOptions;
}

/**
 * The seed README's app (`/register`, `/login`, `/me`) plus `POST /call/:method`, which runs
 * `req.auth[method](...args)` in a real request and session. An argument `"$callback"` becomes a
 * callback that records the token in the outbox.
 */
export function createTestApp(config: AuthConfig, options: TestAppOptions = {}): TestApp {
  const ex = options.expressModule ?? express;
  const app = ex() as express.Express;
  const outbox: OutboxMessage[] = [];
  const errors: unknown[] = [];
  app.use(ex.json({ limit: "16kb" }));
  app.use(
    session({
      store: createSessionStore(config, { pruneInterval: false }),
      secret: "test session secret that is long enough",
      resave: false,
      saveUninitialized: false,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    }),
  );
  app.use(createAuthMiddleware(config));
  options.routes?.(app);
  app.post("/register", async (req, res, next) => {
    try {
      const account = await req.auth.register(req.body?.email, req.body?.password);
      res.json({ id: account.id });
    } catch (err) {
      next(err);
    }
  });
  app.post("/login", async (req, res, next) => {
    try {
      await req.auth.login(req.body?.email, req.body?.password, req.body?.remember);
      res.json({ ok: true });
    } catch (err) {
      next(err);
    }
  });
  app.get("/me", (req, res) => {
    if (!req.auth.isLoggedIn()) return void res.status(401).json({ error: "not logged in" });
    res.json({
      id: req.auth.getId(),
      email: req.auth.getEmail(),
      roles: req.auth.getRoleNames(),
      remembered: req.auth.isRemembered(),
    });
  });
  app.post("/call/:method", async (req, res, next) => {
    try {
      // `method` may be a path such as `twoFactor.setup.totp`; `this` is the object holding the function.
      const path = String(req.params.method).split(".");
      let target: unknown = req.auth;
      let holder: unknown = req.auth;
      for (const key of path) {
        if (key === "constructor" || key === "__proto__" || typeof target !== "object" || target === null)
          return void res.status(404).json({ error: "no such method" });
        holder = target;
        target = (target as Record<string, unknown>)[key];
      }
      if (typeof target !== "function") return void res.status(404).json({ error: "no such method" });
      const method = String(req.params.method);
      const args = (Array.isArray(req.body?.args) ? req.body.args : []).map((arg: unknown) =>
        arg === "$callback" ? (token: string) => void outbox.push({ method, token }) : arg,
      );
      const result = await (target as (...a: unknown[]) => unknown).apply(holder, args);
      res.json({ result: result ?? null });
    } catch (err) {
      next(err);
    }
  });
  const handler = authErrorHandler({ log: (err) => errors.push(err) });
  app.use(((err, req, res, next) => {
    handler(err, req, res, next);
  }) as express.ErrorRequestHandler);
  return {
    app,
    outbox,
    errors,
    lastToken(method) {
      const found = [...outbox].reverse().find((m) => method === undefined || m.method === method);
      if (!found) throw new Error(`no token sent${method ? ` by ${method}` : ""}`);
      return found.token;
    },
    agent: () => request.agent(app),
  };
}
