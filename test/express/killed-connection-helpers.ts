/**
 * Steps of the killed-connection tests (a real server only): an app pool whose backends carry their own
 * `application_name`, so an admin connection can terminate exactly those while requests are in flight,
 * and the classification of what each request got back.
 */
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import postgres from "postgres";
import type { RequestHandler } from "express";
import type { Response, Test } from "supertest";
import { expect, inject } from "vitest";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import { sessionKey } from "../../src/core/session-records.js";
import { withDatabase } from "../helpers/paths.js";
import type { TestEnv } from "../helpers/setup.js";

/** The `application_name` of the app's pool: what the killer terminates. */
const APP_NAME = "eda killed-connection app";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app's own pool on the worker database, and an admin connection that can kill its backends. */
export interface KillablePool {
  /** The database the app under test is given. */
  db: AnyPgDatabase;
  /** Terminates every backend of the app's pool; resolves with how many were killed. */
  killAll(): Promise<number>;
  /** Resolves right after the killer's next round (at once when nothing is being killed). */
  nextKill(): Promise<void>;
  /** Runs `work` while the app's backends are terminated every few milliseconds; stops when it settles. */
  whileKilling<T>(work: () => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

/**
 * Opens the app pool (node-postgres) and the admin connection. The pool is configured as an app facing
 * killed connections should configure it, because of two driver defects outside the library:
 * - drizzle-orm 0.45 leaks the pool client when `BEGIN` fails on a dead connection (drizzle-orm#6241),
 *   so the pool has room to spare, and `connectionTimeoutMillis` turns an exhausted pool into an error
 *   (a 503) instead of a request waiting forever;
 * - a lost connection is an `error` event, on the pool for an idle client and on the client itself while
 *   a Drizzle transaction holds it; unhandled, it is an uncaught exception (drizzle-orm#3908).
 * postgres.js 3.4.9 is not used here: a backend killed mid-write crashes the process from a timer
 * (porsager/postgres#1154, #1208) and can leave a connection that never flushes again.
 */
export async function killablePool(env: TestEnv): Promise<KillablePool> {
  const [{ name }] = (await env.db.db.execute(sql`select current_database() as name`)) as unknown as [{ name: string }];
  const url = withDatabase(inject("databaseUrl")!, name);
  const app = new pg.Pool({
    connectionString: url,
    max: 20,
    connectionTimeoutMillis: 5_000,
    application_name: APP_NAME,
  });
  app.on("error", () => {});
  app.on("connect", (client) => client.on("error", () => {}));
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const killAll = async () => {
    const rows = await admin`select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and application_name = ${APP_NAME} and pid <> pg_backend_pid()`;
    return rows.length;
  };
  let killing = false;
  let waiting: (() => void)[] = [];
  const wake = () => {
    for (const resolve of waiting) resolve();
    waiting = [];
  };
  return {
    db: drizzle({ client: app }),
    killAll,
    nextKill: () => (killing ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()),
    async whileKilling(work) {
      killing = true;
      const killer = (async () => {
        // First kill at once (mid-hash for most requests), then every 5-25 ms until the work settles.
        while (killing) {
          await killAll();
          wake();
          await sleep(5 + Math.floor(Math.random() * 20));
        }
      })();
      try {
        return await work();
      } finally {
        killing = false;
        wake();
        await killer;
      }
    },
    // A client leaked by the driver (above) is never released, so `end` is not awaited past a second.
    end: async () => void (await Promise.all([Promise.race([app.end(), sleep(1_000)]), admin.end({ timeout: 1 })])),
  };
}

/** What one request got: an HTTP response, or a transport failure (reset socket, no answer). */
export type Outcome = { res: Response; error?: undefined } | { res?: undefined; error: string };

/** Sends a request with a deadline and records a transport failure instead of throwing. */
export async function outcome(test: Test): Promise<Outcome> {
  try {
    return { res: await test.timeout({ response: 10_000, deadline: 15_000 }) };
  } catch (err) {
    const e = err as { code?: string; message?: string; response?: Response };
    if (e.response) return { res: e.response };
    return { error: `${e.code ?? ""} ${e.message ?? String(err)}` };
  }
}

/**
 * Every request got an HTTP answer, each a success (`ok` statuses) or a clean 503 `DATABASE_UNAVAILABLE`
 * with no stack, SQL or driver detail. Returns the responses, successes first marked.
 */
export function expectAnswered(outcomes: Outcome[], ok: number[] = [200]): { res: Response; ok: boolean }[] {
  return outcomes.map((o, i) => {
    expect(o.error, `request ${i} got no HTTP response`).toBeUndefined();
    const res = o.res!;
    if (ok.includes(res.status)) return { res, ok: true };
    expect(res.status, `request ${i}: ${res.text}`).toBe(503);
    expect(res.body.error, res.text).toBe("DATABASE_UNAVAILABLE");
    expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|select |insert |update |delete |terminat|Postgres|57P01/i);
    return { res, ok: false };
  });
}

/** The sessions-table key of the session cookie `name` a response set, if it set one. */
export function sessionRowKey(res: Response, name: string): string | undefined {
  const header = res.headers["set-cookie"] as string[] | string | undefined;
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const raw = lines
    .find((c) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);
  if (!raw) return undefined;
  const value = decodeURIComponent(raw);
  return value.startsWith("s:") ? sessionKey(value.slice(2, value.lastIndexOf("."))) : undefined;
}

/** Middleware that holds every JSON answer until right after the killer's next round. */
export function answerAfterKill(pool: KillablePool): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => (void pool.nextKill().then(() => json(body)), res);
    next();
  };
}
