/**
 * Cross-instance invalidation delay on a real PostgreSQL server: instance A (postgres.js pool) bans an
 * account; instance B (node-postgres pool, an HTTP server, `invalidation: { listen: true }`,
 * `resyncInterval: "1h"`) must refuse that account's session. B runs twice, with two session stores:
 * - the library's own store (`createSessionStore`), whose session cache is on with LISTEN: B's
 *   authenticated requests read no row, so the cache's coherence is what refuses the session;
 * - a store the library does not own (express-session's MemoryStore): the account's invalidation makes
 *   B re-read the account at its next request.
 *
 * Measures:
 * - NOTIFY round trip: `pg_notify` sent through A's pool until B's listener has it;
 * - ban call: `setStatusForUserBy` on A, until its transaction has committed and returned;
 * - received on B: from the ban call's return until B's listener has the notification (negative when
 *   the notification beat the COMMIT reply);
 * - refused on B (ban-to-refusal, goal < 100 ms at p99): from the ban call's return until a request to
 *   B gets 401 (requests back to back);
 * - whether B's very first request after the ban call returned was refused, and (library store) how
 *   many pool checkouts B's authenticated request made before the ban (0: served from the cache).
 *
 * Run alone: `npx tsx bench/invalidation.ts`, or from bench/run.ts through `runInvalidationBench()`.
 * Env: BENCH_DATABASE_URL or DATABASE_URL (admin URL; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_INVALIDATION_ROUNDS (default 100). Uses and then drops the scratch database `eda_bench_invalidation`.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sql as rawSql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import session from "express-session";
import pg from "pg";
import postgres from "postgres";
import type { AuthConfig } from "../src/config.js";
import { closeAuth, getAuthContext } from "../src/core/context.js";
import { createAuthTables, createSessionStore } from "../src/index.js";
import { CLOCK_SKEW_ALLOWANCE_MS } from "../src/invalidation/hub.js";
import { databaseUrl } from "./db.js";
import {
  type BanRounds,
  banRounds,
  REFUSAL_GOAL_MS,
  type Rig,
  type Summary,
  startB,
  summary,
} from "./invalidation-rounds.js";

const DATABASE = "eda_bench_invalidation";

/** Creates (or, with `drop`, only drops) the scratch database and returns its URL. */
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

/** The B variants, in the order they run: the library's own store (the cache path) first. */
const VARIANTS = [
  { tag: "store", label: "library store, session cache on" },
  { tag: "memory", label: "MemoryStore (not the library's)" },
] as const;

function printResults(notify: number[], results: [string, BanRounds][], rounds: number): void {
  const cell = (s: Summary) => [s.p50, s.p95, s.p99, s.max].map((v) => v.toFixed(1)).join(" | ");
  console.log("| measurement | B's store | p50 ms | p95 ms | p99 ms | max ms | goal |");
  console.log("|---|---|---:|---:|---:|---:|---|");
  console.log(`| NOTIFY sent on A → received on B | | ${cell(summary(notify))} | |`);
  for (const [label, r] of results) {
    console.log(`| ban call on A (until committed) | ${label} | ${cell(summary(r.banCall))} | |`);
    console.log(`| ban returned on A → received on B | ${label} | ${cell(summary(r.received))} | |`);
    console.log(
      `| ban returned on A → refused on B | ${label} | ${cell(summary(r.refused))} | < ${REFUSAL_GOAL_MS} ms |`,
    );
  }
  for (const [label, r] of results) {
    const p99 = summary(r.refused).p99;
    console.log(
      `refused on B (${label}): p50 ${summary(r.refused).p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms ` +
        `(goal < ${REFUSAL_GOAL_MS} ms: ${p99 < REFUSAL_GOAL_MS ? "met" : "NOT met"}); first request after the ban ` +
        `refused in ${r.nextRefused}/${rounds} rounds; B's pool checkouts per signed-in request before the ban: ` +
        `${(r.checkouts / rounds).toFixed(2)}`,
    );
  }
  console.log(
    "(without invalidation B would serve the session until resyncInterval, here 1 h. Pool checkouts: 0 with " +
      "the library store means B served the session from its cache; the MemoryStore never queries)",
  );
}

/**
 * Runs the measurement and prints its table. Resolves with the p99 of "refused on B" in ms for the
 * library-store variant (the session cache path); the goal is {@link REFUSAL_GOAL_MS}.
 * @example await runInvalidationBench() // from bench/run.ts
 */
export async function runInvalidationBench(
  adminUrl = process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres",
  rounds = Number(process.env.BENCH_INVALIDATION_ROUNDS || 100),
): Promise<number> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_INVALIDATION_ROUNDS must be ≥ 1, not ${rounds}`);
  console.log(`\ninvalidation bench: ${rounds} rounds on ${DATABASE} (A: postgres.js pool, B: node-postgres pool)`);
  const url = await recreate(adminUrl);
  const sqlA = postgres(url, { max: 4, onnotice: () => {} });
  const poolB = new pg.Pool({ connectionString: url, max: 4 });
  let checkouts = 0;
  poolB.on("acquire", () => void checkouts++);
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
  const storeB = createSessionStore(configB);
  const servers: Awaited<ReturnType<typeof startB>>[] = [];
  const notify: number[] = [];
  const results: [string, BanRounds][] = [];
  try {
    await createAuthTables(configA);
    const ctxA = await getAuthContext(configA);
    const ctxB = await getAuthContext(configB);
    const hubB = ctxB.invalidation!;
    if (!(await ctxA.invalidation!.ready) || !(await hubB.ready))
      throw new Error("LISTEN is not available on this server");
    if (!ctxB.sessionCache) throw new Error("B's session cache is off although LISTEN is on");
    // A session signed in within the clock-skew allowance of the listener's connect is re-read on each
    // request (notifications sent before the LISTEN may be lost): past it, B is in its steady state.
    await new Promise((resolve) => setTimeout(resolve, CLOCK_SKEW_ALLOWANCE_MS + 200));
    const rig: Rig = { configA, hubB, checkoutsB: () => checkouts, rounds };
    for (let i = 0; i < rounds; i++) {
      const payload = `roles:${1_000_000 + i}`;
      const got = new Promise<number>((resolve) => {
        const stop = hubB.subscribe((e) => e.accountId === 1_000_000 + i && (stop(), resolve(performance.now())));
      });
      const sent = performance.now();
      await ctxA.db.execute(rawSql`select pg_notify(${hubB.channel}, ${payload})`);
      notify.push((await got) - sent);
    }
    for (const v of VARIANTS) {
      const b = await startB(configB, v.tag === "store" ? storeB : new session.MemoryStore());
      servers.push(b);
      results.push([v.label, await banRounds(rig, v.tag, b.base)]);
    }
  } finally {
    await Promise.all(servers.map((b) => b.close()));
    storeB.close();
    await Promise.all([closeAuth(configA), closeAuth(configB)]);
    await Promise.all([sqlA.end({ timeout: 5 }), poolB.end()]);
    await recreate(adminUrl, true);
  }
  printResults(notify, results, rounds);
  return summary(results[0]![1].refused).p99;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runInvalidationBench().catch((err) => {
    console.error("invalidation bench failed:", err);
    process.exitCode = 1;
  });
}
