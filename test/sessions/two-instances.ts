/**
 * Two full app instances in one process for the session cache's coherence tests (real PostgreSQL only):
 * each with its own pool, config (so its own context, cache and listener), express-session store and
 * HTTP server on an ephemeral port, the same session secret and cookie name, behind a round-robin
 * proxy with no sticky sessions. A runs on postgres.js, B on node-postgres; every statement each sends
 * is recorded (listener probes excluded).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import express from "express";
import session from "express-session";
import pg from "pg";
import postgres from "postgres";
import type { AuthConfig } from "../../src/config.js";
import { authErrorHandler } from "../../src/express/error-handler.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { createSessionStore } from "../../src/express/session-store.js";
import type { TestDb } from "../helpers/db.js";
import { type FlakyControl, flakyPgClient } from "../invalidation/flaky-pg.js";
import "../../src/express/augment.js";

export const COOKIE = "connect.sid";
const SECRET = "cache coherence test session secret, long enough";

/** One SQL statement an instance sent. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** An HTTP answer, its body parsed as JSON when it is JSON. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Loosely typed on purpose: each test reads the fields its route answers with. */
  body: any;
  /** The instance that answered (`x-instance`). */
  instance: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Sends one request to `base` (an instance or the proxy). */
export function send(
  base: string,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      new URL(path, base),
      {
        method,
        agent,
        headers: {
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          if (String(res.headers["content-type"] ?? "").includes("json") && text) body = JSON.parse(text);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            instance: String(res.headers["x-instance"]),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The session data the app keeps next to the library's (`req.session.cart`). */
type AppSession = { cart?: unknown };

/** The test app: express + express-session with the library's store + the auth middleware. */
function buildApp(name: string, config: AuthConfig): express.Express {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader("x-instance", name);
    next();
  });
  app.use(express.json());
  app.use(
    session({
      name: COOKIE,
      store: createSessionStore(config, { pruneInterval: false }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(createAuthMiddleware(config));
  const cart = (req: express.Request) => (req.session as unknown as AppSession).cart ?? null;
  app.get("/me", (req, res) => {
    if (!req.auth.isLoggedIn()) return void res.status(401).json({ cart: cart(req) });
    res.json({
      id: req.auth.getId(),
      email: req.auth.getEmail(),
      roles: req.auth.getRoleNames(),
      status: req.auth.getStatus(),
      actorId: req.auth.getActorId(),
      cart: cart(req),
    });
  });
  app.post("/login", async (req, res) => {
    await req.auth.login(req.body.email, req.body.password);
    res.json({ ok: true });
  });
  app.post("/logout", async (req, res) => {
    await req.auth.logout();
    res.json({ ok: true });
  });
  app.post("/cart", (req, res) => {
    (req.session as unknown as AppSession).cart = req.body.value;
    res.json({ ok: true });
  });
  app.get("/sessions", async (req, res) => {
    const list = await req.auth.listSessions();
    res.json({ current: list.find((s) => s.current)?.id, others: list.filter((s) => !s.current).map((s) => s.id) });
  });
  app.post("/revoke", async (req, res) => {
    res.json({ revoked: await req.auth.revokeSession(req.body.id) });
  });
  app.post("/logout-everywhere", async (req, res) => {
    await req.auth.logoutEverywhere();
    res.json({ ok: true });
  });
  app.post("/password", async (req, res) => {
    await req.auth.changePassword(req.body.current, req.body.password);
    res.json({ ok: true });
  });
  // Test only: the confirmation token is handed back instead of being mailed.
  app.post("/email/change", async (req, res) => {
    let token = "";
    await req.auth.changeEmail(req.body.email, (t) => void (token = t));
    res.json({ token });
  });
  app.post("/email/confirm", async (req, res) => {
    res.json({ email: await req.auth.confirmEmail(req.body.token) });
  });
  app.post("/impersonate", async (req, res) => {
    await req.auth.startImpersonation({ email: req.body.email });
    res.json({ ok: true });
  });
  app.post("/impersonate/stop", async (req, res) => {
    await req.auth.stopImpersonation();
    res.json({ ok: true });
  });
  app.use(authErrorHandler());
  return app;
}

/** A running instance. */
export interface Instance {
  name: "A" | "B";
  config: AuthConfig;
  url: string;
  /** Every statement the instance's database sent, listener probes excluded. */
  statements: Statement[];
  /** `GET /me` straight to this instance, not through the proxy. */
  me(cookie: string): Promise<Answer>;
  close(): Promise<void>;
}

/** Connection settings of the worker's database (postgres project). */
function connectionOf(testDb: TestDb) {
  const o = (testDb.client as postgres.Sql).options;
  return { host: o.host[0]!, port: o.port[0]!, database: o.database, user: o.user, password: o.pass ?? undefined };
}

function recorder(statements: Statement[]) {
  return {
    logQuery(query: string, params: unknown[]) {
      if (params.some((p) => typeof p === "string" && p.startsWith("probe:"))) return;
      statements.push({ sql: query, params });
    },
  };
}

/**
 * A node-postgres `Client` for B's pool: the flaky listener of `flaky-pg.ts`, plus `hold`, which
 * delays handing the result of the next statement matching it to the caller (a slow network path:
 * the statement already ran on the server) until `release` resolves.
 */
export interface BControl extends FlakyControl {
  hold: { match: RegExp; arrived: () => void; release: Promise<void> } | null;
}

function holdingClient(): { Client: typeof pg.Client; control: BControl } {
  const flaky = flakyPgClient();
  const control = flaky.control as BControl;
  control.hold = null;
  class HoldingClient extends flaky.Client {}
  type Query = (this: pg.Client, ...args: unknown[]) => unknown;
  const base = flaky.Client.prototype as unknown as { query: Query };
  (HoldingClient.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === "string" ? first : first?.text;
    const hold = control.hold;
    if (!hold || typeof text !== "string" || !hold.match.test(text)) return base.query.apply(this, args);
    control.hold = null;
    const last = args.length - 1;
    const cb = args[last];
    if (typeof cb === "function") {
      args[last] = (...result: unknown[]) => {
        hold.arrived();
        void hold.release.then(() => (cb as (...r: unknown[]) => void)(...result));
      };
      return base.query.apply(this, args);
    }
    return (base.query.apply(this, args) as Promise<unknown>).then(
      async (r) => (hold.arrived(), await hold.release, r),
      async (e) => (hold.arrived(), await hold.release, Promise.reject(e)),
    );
  };
  return { Client: HoldingClient as unknown as typeof pg.Client, control };
}

async function startInstance(
  name: "A" | "B",
  config: AuthConfig,
  statements: Statement[],
  endPool: () => Promise<void>,
): Promise<Instance> {
  const server = http.createServer(buildApp(name, config));
  const url = await listen(server);
  return {
    name,
    config,
    url,
    statements,
    me: (cookie) => send(url, "GET", "/me", { cookie }),
    async close() {
      await closeServer(server);
      await endPool();
    },
  };
}

/** What both configs share besides the database. */
export type SharedConfig = Omit<AuthConfig, "db">;

/** A on a postgres.js pool of its own, B on a node-postgres pool of its own (with {@link BControl}). */
export async function startInstances(
  testDb: TestDb,
  shared: SharedConfig,
  bOverrides: Partial<AuthConfig> = {},
): Promise<{ a: Instance; b: Instance; bControl: BControl }> {
  const c = connectionOf(testDb);
  const statementsA: Statement[] = [];
  const sql = postgres({ ...c, username: c.user, max: 4, onnotice: () => {} });
  const configA: AuthConfig = { ...shared, db: drizzlePostgres({ client: sql, logger: recorder(statementsA) }) };
  const statementsB: Statement[] = [];
  const { Client, control } = holdingClient();
  const pool = new pg.Pool({ ...c, max: 4, Client });
  const configB: AuthConfig = {
    ...shared,
    ...bOverrides,
    db: drizzlePg({ client: pool, logger: recorder(statementsB) }),
  };
  const a = await startInstance("A", configA, statementsA, () => sql.end({ timeout: 5 }));
  const b = await startInstance("B", configB, statementsB, () => pool.end());
  return { a, b, bControl: control };
}

/** A round-robin HTTP proxy in front of the instances: A, B, A, B… per request, no stickiness. */
export class RoundRobinProxy {
  private turn = 0;
  private server: http.Server | null = null;
  url = "";

  constructor(private readonly backends: readonly Instance[]) {}

  /** The instance the next request goes to. */
  get next(): Instance {
    return this.backends[this.turn % this.backends.length]!;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const target = this.next;
      this.turn++;
      const upstream = http.request(
        new URL(req.url ?? "/", target.url),
        { method: req.method, headers: { ...req.headers, host: new URL(target.url).host }, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    this.url = await listen(this.server);
    return this;
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}

/** A browser: one cookie jar, every request through the proxy. */
export class Browser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly proxy: RoundRobinProxy) {}

  /** The `Cookie` header the browser sends now. */
  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** A request through the proxy, wherever it lands. */
  async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await send(this.proxy.url, method, path, { cookie: this.cookie, body });
    this.store(answer);
    return answer;
  }

  /**
   * A request through the proxy that lands on `name`: when the proxy's next turn is the other
   * instance, the browser first reloads `GET /me` there (as a page would).
   */
  async on(name: "A" | "B", method: string, path: string, body?: unknown): Promise<Answer> {
    if (this.proxy.next.name !== name) await this.request("GET", "/me");
    const answer = await this.request(method, path, body);
    if (answer.instance !== name) throw new Error(`expected ${name} to answer, got ${answer.instance}`);
    return answer;
  }

  /** Like {@link on}, failing unless the answer is 200. */
  async ok(name: "A" | "B", method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await this.on(name, method, path, body);
    if (answer.status !== 200)
      throw new Error(`${method} ${path} on ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }

  private store(answer: Answer): void {
    const lines = answer.headers["set-cookie"] ?? [];
    for (const line of lines) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = /;\s*expires=([^;]+)/i.exec(line)?.[1];
      const cleared =
        /;\s*max-age=0(;|$)/i.test(line) || (expires !== undefined && new Date(expires).getTime() <= Date.now());
      if (cleared) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
}
