/**
 * Cross-instance invalidation delay on a real PostgreSQL server: instance A (postgres.js pool) bans an
 * account; instance B (node-postgres pool, an HTTP server, a session store the library does not own,
 * `resyncInterval: "1h"`) must refuse that account's session. Measures:
 * - NOTIFY round trip: `pg_notify` sent through A's pool until B's listener has it;
 * - ban call: `setStatusForUserBy` on A, until its transaction has committed and returned;
 * - received on B: from the ban call's return until B's listener has the notification (negative when
 *   the notification beat the COMMIT reply);
 * - refused on B: from the ban call's return until a request to B gets 401 (requests back to back);
 * - and whether B's very first request after the ban call returned was refused.
 *
 * Run alone: `npx tsx bench/invalidation.ts`, or from bench/run.ts through `runInvalidationBench()`.
 * Env: BENCH_DATABASE_URL or DATABASE_URL (admin URL; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_INVALIDATION_ROUNDS (default 100). Uses and then drops the scratch database `eda_bench_invalidation`.
 */
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sql as rawSql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import express from "express";
import session from "express-session";
import pg from "pg";
import postgres from "postgres";
import type { AuthConfig } from "../src/config.js";
import { closeAuth, getAuthContext } from "../src/core/context.js";
import { AuthStatus, createAuthMiddleware, createAuthTables, register, setStatusForUserBy } from "../src/index.js";
import { databaseUrl } from "./db.js";

const DATABASE = "eda_bench_invalidation";
const PASSWORD = "bench invalidation passphrase, long enough";

/** p50, p95 and max of a sample, in ms. */
function summary(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}

async function recreate(adminUrl: string, drop = false): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
    if (!drop) await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return databaseUrl(adminUrl, DATABASE);
}

/** Instance B: an HTTP server whose `/me` answers 200 or 401. */
async function startB(config: AuthConfig, store: session.Store) {
  const app = express();
  app.use(express.json());
  app.use(session({ store, secret: "bench invalidation session secret", resave: false, saveUninitialized: false }));
  app.use(createAuthMiddleware(config));
  app.post("/login", async (req, res) => {
    await req.auth.login(req.body.email, req.body.password);
    res.json({ ok: true });
  });
  app.get("/me", (req, res) => void res.status(req.auth.isLoggedIn() ? 200 : 401).end());
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Runs the measurement and prints its table. Resolves with the p50 of "refused on B" in ms.
 * @example await runInvalidationBench() // from bench/run.ts
 */
export async function runInvalidationBench(
  adminUrl = process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres",
  rounds = Number(process.env.BENCH_INVALIDATION_ROUNDS ?? 100),
): Promise<number> {
  console.log(`\ninvalidation bench: ${rounds} rounds on ${DATABASE} (A: postgres.js pool, B: node-postgres pool)`);
  const url = await recreate(adminUrl);
  const sqlA = postgres(url, { max: 4, onnotice: () => {} });
  const poolB = new pg.Pool({ connectionString: url, max: 4 });
  const configA: AuthConfig = {
    db: drizzlePostgres({ client: sqlA }),
    invalidation: { listen: true },
    resyncInterval: "1h",
  };
  const configB: AuthConfig = {
    db: drizzlePg({ client: poolB }),
    invalidation: { listen: true },
    resyncInterval: "1h",
  };
  await createAuthTables(configA);
  const ctxA = await getAuthContext(configA);
  const hubB = (await getAuthContext(configB)).invalidation!;
  if (!(await ctxA.invalidation!.ready) || !(await hubB.ready))
    throw new Error("LISTEN is not available on this server");
  const b = await startB(configB, new session.MemoryStore());
  const notify: number[] = [];
  const banCall: number[] = [];
  const received: number[] = [];
  const refused: number[] = [];
  let nextRefused = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const payload = `roles:${1_000_000 + i}`;
      const got = new Promise<number>((resolve) => {
        const stop = hubB.subscribe((e) => e.accountId === 1_000_000 + i && (stop(), resolve(performance.now())));
      });
      const sent = performance.now();
      await ctxA.db.execute(rawSql`select pg_notify(${hubB.channel}, ${payload})`);
      notify.push((await got) - sent);
    }
    for (let i = 0; i < rounds; i++) {
      const email = `bench-${i}@example.test`;
      const account = await register(configA, email, PASSWORD);
      const login = await fetch(`${b.base}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const me = () => fetch(`${b.base}/me`, { headers: { cookie } });
      if ((await me()).status !== 200) throw new Error("B refused a fresh session");
      const got = new Promise<number>((resolve) => {
        const stop = hubB.subscribe((e) => e.accountId === account.id && (stop(), resolve(performance.now())));
      });
      const start = performance.now();
      await setStatusForUserBy(configA, { accountId: account.id }, AuthStatus.Banned);
      const returned = performance.now();
      let status = (await me()).status;
      if (status === 401) nextRefused++;
      while (status !== 401) status = (await me()).status;
      refused.push(performance.now() - returned);
      banCall.push(returned - start);
      received.push((await got) - returned);
    }
  } finally {
    await b.close();
    await Promise.all([closeAuth(configA), closeAuth(configB)]);
    await Promise.all([sqlA.end({ timeout: 5 }), poolB.end()]);
    await recreate(adminUrl, true);
  }
  const rows: [string, number[]][] = [
    ["NOTIFY sent on A → received on B", notify],
    ["ban call on A (until committed)", banCall],
    ["ban returned on A → received on B", received],
    ["ban returned on A → B refuses", refused],
  ];
  console.log("| measurement | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|");
  for (const [name, values] of rows) {
    const s = summary(values);
    console.log(`| ${name} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} |`);
  }
  console.log(
    `B's first request after the ban call returned was refused in ${nextRefused}/${rounds} rounds ` +
      "(without invalidation B would serve the session until resyncInterval, here 1 h)",
  );
  return summary(refused).p50;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runInvalidationBench().catch((err) => {
    console.error("invalidation bench failed:", err);
    process.exitCode = 1;
  });
}
