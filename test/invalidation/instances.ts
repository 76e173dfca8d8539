import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import express from "express";
import session from "express-session";
import pg from "pg";
import postgres from "postgres";
import request from "supertest";
import type { AuthConfig } from "../../src/config.js";
import { getAuthContext } from "../../src/core/context.js";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import { authErrorHandler } from "../../src/express/error-handler.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { createSessionStore } from "../../src/express/session-store.js";
import type { InvalidationEvent, InvalidationHub } from "../../src/invalidation/hub.js";
import type { TestDb } from "../helpers/db.js";
import { cookiePair } from "../helpers/cookies.js";
import "../../src/express/augment.js";

const SECRET = "invalidation test session secret, long enough";

/** One app instance: its own config (so its own context and listener) over its own pool. */
export interface Instance {
  name: string;
  config: AuthConfig;
  app: express.Express;
  /** The instance's invalidation hub (throws when invalidation is off). */
  hub(): Promise<InvalidationHub>;
  /** `GET /me` with a session cookie: 200 `{ id, roles, status }` or 401. */
  me(cookie: string): Promise<request.Response>;
  /** Signs in and returns the session cookie (`connect.sid=…`). */
  login(email: string, password: string): Promise<string>;
  /** Forces a resync of the session now (`req.auth.resyncSession(true)`). */
  resync(cookie: string): Promise<void>;
  /** `req.auth.revokeSession(id)` for the signed-in session. */
  revokeSession(cookie: string, id: string): Promise<boolean>;
  /** `req.auth.logoutEverywhereElse()`. */
  logoutEverywhereElse(cookie: string): Promise<request.Response>;
  /** `req.auth.listSessions()` ids, current first. */
  sessionIds(cookie: string): Promise<{ current: string; others: string[] }>;
}

/**
 * Builds an instance. `store` defaults to the library's store over the instance's own pool; pass one
 * shared `session.MemoryStore` to stand in for a store the library does not own (Redis, say), where
 * deleting session rows cannot end a session and only a resync can.
 */
export function createInstance(name: string, config: AuthConfig, store?: session.Store): Instance {
  const app = express();
  app.use(express.json());
  app.use(
    session({
      store: store ?? createSessionStore(config, { pruneInterval: false }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(createAuthMiddleware(config));
  app.post("/login", async (req, res) => {
    await req.auth.login(req.body.email, req.body.password);
    res.json({ ok: true });
  });
  app.get("/me", (req, res) => {
    if (!req.auth.isLoggedIn()) return void res.status(401).json({ error: "not logged in" });
    res.json({ id: req.auth.getId(), roles: req.auth.getRoleNames(), status: req.auth.getStatus() });
  });
  app.post("/resync", async (req, res) => {
    await req.auth.resyncSession(true);
    res.status(204).end();
  });
  app.post("/revoke", async (req, res) => {
    res.json({ revoked: await req.auth.revokeSession(req.body.id) });
  });
  app.post("/logout-everywhere-else", async (req, res) => {
    await req.auth.logoutEverywhereElse();
    res.status(204).end();
  });
  app.get("/sessions", async (req, res) => {
    const list = await req.auth.listSessions();
    res.json({ current: list.find((s) => s.current)?.id, others: list.filter((s) => !s.current).map((s) => s.id) });
  });
  app.use(authErrorHandler());
  const send = (method: "get" | "post", path: string, cookie: string) =>
    request(app)[method](path).set("Cookie", cookie);
  return {
    name,
    config,
    app,
    async hub() {
      const hub = (await getAuthContext(config)).invalidation;
      if (!hub) throw new Error(`${name} has invalidation off`);
      return hub;
    },
    me: (cookie) => send("get", "/me", cookie),
    async login(email, password) {
      const res = await request(app).post("/login").send({ email, password });
      if (res.status !== 200) throw new Error(`login on ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return cookiePair(res, "connect.sid")!;
    },
    async resync(cookie) {
      const res = await send("post", "/resync", cookie);
      if (res.status !== 204) throw new Error(`resync on ${name} failed: ${res.status}`);
    },
    async revokeSession(cookie, id) {
      return (await send("post", "/revoke", cookie).send({ id })).body.revoked === true;
    },
    logoutEverywhereElse: (cookie) => send("post", "/logout-everywhere-else", cookie),
    async sessionIds(cookie) {
      return (await send("get", "/sessions", cookie)).body;
    },
  };
}

/** Resolves with the next invalidation the hub receives for `accountId` (and `kind`, when given). */
export function nextInvalidation(
  hub: InvalidationHub,
  accountId: number,
  kind?: InvalidationEvent["kind"],
  timeoutMs = 5_000,
): Promise<InvalidationEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${kind ?? "invalidation"} of account ${accountId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = hub.subscribe((event) => {
      if (event.accountId !== accountId || (kind !== undefined && event.kind !== kind)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** A second, independent connection pool to the worker's database, with the driver of choice. */
export interface SecondPool {
  db: AnyPgDatabase;
  close(): Promise<void>;
}

/** The connection settings of the worker's postgres.js client (postgres project only). */
function connectionOf(testDb: TestDb) {
  const o = (testDb.client as postgres.Sql).options;
  return { host: o.host[0]!, port: o.port[0]!, database: o.database, user: o.user, password: o.pass ?? undefined };
}

/** Opens a node-postgres pool to the worker database; `Client` replaces pg's client class (a pooler stand-in). */
export function openPgPool(testDb: TestDb, Client?: typeof pg.Client): SecondPool {
  const pool = new pg.Pool({ ...connectionOf(testDb), max: 4, ...(Client ? { Client } : {}) });
  return { db: drizzlePg({ client: pool }), close: () => pool.end() };
}

/** Opens a postgres.js pool to the worker database. */
export function openPostgresJsPool(testDb: TestDb): SecondPool {
  const c = connectionOf(testDb);
  const sql = postgres({ ...c, username: c.user, max: 4, onnotice: () => {} });
  return { db: drizzlePostgres({ client: sql }), close: () => sql.end({ timeout: 5 }) };
}
