/**
 * `npm run bench`: the demo app (express-drizzle-auth) next to bare express-session with the same store,
 * on a scratch database `eda_bench` of the local PostgreSQL. The library app runs with LISTEN invalidation,
 * so with its session cache. Prints req/s, latency, SQL statements and server CPU per request, with the
 * design targets alongside (informational: the process does not fail on them), then the cross-instance
 * invalidation bench (bench/invalidation.ts). The password hashing table puts (a)'s login rate next to
 * argon2id's own ceiling (bench/hash-ceiling.ts, measured just before (a)) and (e) a paced authenticated
 * GET's p99 at idle next to its p99 while logins saturate the CPU.
 * Env: BENCH_DATABASE_URL (admin URL), BENCH_DURATION (seconds per scenario, default 8),
 * BENCH_CEILING_SECONDS (seconds per hash ceiling, default 3).
 */
import { runInvalidationBench } from "./invalidation.js";
import { availableParallelism, loadavg } from "node:os";
import { DEFAULT_THREAD_PRIORITY, defaultMaxConcurrent } from "../src/crypto/password-hasher.js";
import {
  machineBusyMs,
  measureCeilings,
  measureGetUnderLogins,
  printMarkdown,
  schedulingRows,
} from "./hash-ceiling.js";
import { BENCH_DATABASE, recreateBenchDatabase } from "./db.js";
import { fire, JSON_HEADERS, type Load, type Measured, perRequest, ServerProcess, sessionCookie } from "./load.js";
import type { AppName } from "./server.js";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CEILING_SECONDS = Number(process.env.BENCH_CEILING_SECONDS ?? 3);
const CONNECTIONS = 10;
const ACCOUNT = { email: "bench-login@example.com", password: "bench login passphrase, long enough" };
const RUN = Date.now().toString(36);

interface Row {
  scenario: string;
  app: AppName;
  m: Measured | null;
  sql: number | null;
  tx: number | null;
  /** Server CPU ms per request; `cpuMixed` when it covers both loads of (d) together. */
  cpu: number | null;
  cpuMixed?: boolean;
  target: string;
  errors: number;
}

const rows: Row[] = [];
let loginRow: Row | undefined;

async function measure(server: ServerProcess, scenario: string, load: Load, target: string): Promise<Row> {
  const before = await server.settled();
  const m = await fire(server, load, DURATION, CONNECTIONS);
  const after = await server.settled();
  const { sql, tx, cpuMs, errors } = perRequest(before, after, load.app);
  const row: Row = { scenario, app: load.app, m, sql, tx, cpu: cpuMs, target, errors };
  rows.push(row);
  progress(row);
  return row;
}

/** (d): authenticated GETs and logins at the same time, two autocannon instances. */
async function concurrent(server: ServerProcess, app: AppName) {
  const cookie = await sessionCookie(server.url(app), ACCOUNT.email, ACCOUNT.password);
  const before = await server.settled();
  await server.resetLoop();
  const [get, login] = await Promise.all([
    fire(server, { app, path: "/me", headers: { cookie } }, DURATION, CONNECTIONS),
    fire(server, { app, method: "POST", path: "/login", body: JSON.stringify(ACCOUNT) }, DURATION, CONNECTIONS),
  ]);
  const after = await server.settled();
  const { loop } = after;
  // One server process serves both loads: its CPU splits between them only as a mix.
  const mixed = perRequest(before, after, app);
  for (const [scenario, m] of [
    ["(d) GET /me during logins", get],
    ["(d) POST /login alongside", login],
  ] as const) {
    const row: Row = { scenario, app, m, sql: null, tx: null, cpu: mixed.cpuMs, cpuMixed: true, target: "", errors: 0 };
    rows.push(row);
    progress(row);
  }
  return { during: get, loop };
}

function progress(row: Row): void {
  const m = row.m!;
  console.log(
    `  ${row.scenario} [${row.app}]: ${m.rps.toFixed(0)} req/s, p99 ${m.p99} ms${m.bad ? `, ${m.bad} non-2xx/errors` : ""}`,
  );
}

function fmt(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || Number.isNaN(n) ? "—" : n.toFixed(digits);
}

function printTable(): void {
  const header = [
    "scenario",
    "app",
    "req/s",
    "p50 ms",
    "p99 ms",
    "SQL/request (of which tx control)",
    "target",
    "CPU ms/req",
    "non-2xx",
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.app,
    fmt(r.m?.rps, 0),
    fmt(r.m?.p50, 0),
    fmt(r.m?.p99, 0),
    r.sql === null ? "—" : `${fmt(r.sql, 2)} (${fmt(r.tx, 2)})`,
    r.target,
    r.cpu === null ? "—" : `${fmt(r.cpu, 2)}${r.cpuMixed ? " (mix)" : ""}`,
    r.m ? String(r.m.bad + r.errors) : "—",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const numeric = (i: number) => (i >= 2 && i <= 4) || i === 7;
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  console.log(`\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`bench: recreating database ${BENCH_DATABASE}; ${DURATION}s per scenario, ${CONNECTIONS} connections`);
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)}, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}; password hashing: ` +
      `maxConcurrent ${defaultMaxConcurrent()}, threadPriority ${DEFAULT_THREAD_PRIORITY} (the defaults)`,
  );
  const server = await ServerProcess.start(await recreateBenchDatabase());
  try {
    const lib = server.url("library");
    const reg = await fetch(`${lib}/register`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(ACCOUNT),
    });
    if (!reg.ok) throw new Error(`registering the bench account failed: ${reg.status} ${await reg.text()}`);

    // Both apps warm up first; each scenario then runs on both apps back to back, so they are compared
    // under the same conditions.
    for (const app of ["library", "baseline"] as const) {
      const warm = await sessionCookie(server.url(app), ACCOUNT.email, ACCOUNT.password);
      await fire(server, { app, path: "/me", headers: { cookie: warm } }, 1, CONNECTIONS);
    }
    const login = JSON.stringify(ACCOUNT);
    // argon2id's own rate, right before the logins it bounds (in this process, on libuv's pool).
    await server.settled();
    const ceilings = await measureCeilings(CEILING_SECONDS);
    console.log(
      `  argon2id: ${ceilings.ceiling1.toFixed(1)} hashes/s with 1 in flight, ${ceilings.ceiling8.toFixed(1)} with 8`,
    );
    let loginBusy: number | null = null;
    for (const app of ["library", "baseline"] as const) {
      const b0 = machineBusyMs();
      const row = await measure(
        server,
        "(a) POST /login",
        { app, method: "POST", path: "/login", body: login },
        app === "library" ? "≤ 3" : "",
      );
      const b1 = machineBusyMs();
      if (app === "library" && b0 !== null && b1 !== null) loginBusy = (b1 - b0) / row.m!.completed;
      if (app === "library") loginRow = row;
    }
    let n = 0;
    const bodyFor = () =>
      JSON.stringify({ email: `bench-${RUN}-${n++}@example.com`, password: "bench register passphrase, long enough" });
    await measure(server, "(b) POST /register", { app: "library", method: "POST", path: "/register", bodyFor }, "≤ 3");
    rows.push({
      scenario: "(b) POST /register",
      app: "baseline",
      m: null,
      sql: null,
      tx: null,
      cpu: null,
      target: "n/a: no auth logic",
      errors: 0,
    });
    const gets: Partial<Record<AppName, Row>> = {};
    for (const app of ["library", "baseline"] as const) {
      const cookie = await sessionCookie(server.url(app), ACCOUNT.email, ACCOUNT.password);
      gets[app] = await measure(
        server,
        "(c) GET /me (signed in)",
        { app, path: "/me", headers: { cookie } },
        app === "library" ? "0" : "",
      );
    }
    const results: Partial<Record<AppName, { get: Row; during: Measured; loop: { p99: number; max: number } }>> = {};
    for (const app of ["library", "baseline"] as const)
      results[app] = { get: gets[app]!, ...(await concurrent(server, app)) };

    // (e): a paced GET (not a load of its own) at idle, then while 10 connections of logins run.
    const getLoad = await measureGetUnderLogins(server, ACCOUNT, DURATION, CONNECTIONS);
    console.log(
      `  (e) paced GET /me [library]: p99 ${getLoad.idle.p99.toFixed(2)} ms idle, ` +
        `${getLoad.loaded.p99.toFixed(2)} ms during ${getLoad.loginAlongside.rps.toFixed(0)} logins/s`,
    );

    rows.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.app.localeCompare(b.app) * -1);
    printTable();
    console.log("\npassword hashing [library] (login rate from (a); GET probe (e)):\n");
    printMarkdown(
      ["figure", "value", "target"],
      schedulingRows(ceilings, { rps: loginRow!.m!.rps, busyPerLogin: loginBusy }, getLoad),
    );
    console.log(
      "hashes/s: @node-rs/argon2 at the default cost (m=19456 KiB, t=2, p=1) in the bench process, 8 in flight " +
        "being the most this machine hashes. The bound: machine CPU (all processes, /proc/stat) per hash over " +
        "per login; the database, the load generator and the login's own work share the cores with the hash. " +
        `(e): one GET every 10 ms on one connection, ${DURATION} s, idle and then during 10 connections of ` +
        `logins (${getLoad.loginAlongside.rps.toFixed(0)} logins/s; server event-loop delay meanwhile p99 ` +
        `${fmt(getLoad.loop.p99)} ms).`,
    );
    const lib_ = results.library!;
    const base = results.baseline!;
    console.log(
      `\nauthenticated GET, library / baseline: req/s ${fmt(lib_.get.m!.rps / base.get.m!.rps, 2)}×, ` +
        `p50 ${fmt(lib_.get.m!.p50 / base.get.m!.p50, 2)}×, p99 ${fmt(lib_.get.m!.p99 / base.get.m!.p99, 2)}×; ` +
        `SQL/request ${fmt(lib_.get.sql, 2)} vs ${fmt(base.get.sql, 2)}; ` +
        `server CPU/request ${fmt(lib_.get.cpu, 3)} vs ${fmt(base.get.cpu, 3)} ms ` +
        `(${fmt(lib_.get.cpu! / base.get.cpu!, 2)}×)`,
    );
    for (const [name, r] of [
      ["library", lib_],
      ["baseline", base],
    ] as const) {
      console.log(
        `(d) ${name}: GET /me p99 ${r.during.p99} ms while logins run (alone: ${r.get.m!.p99} ms); ` +
          `server event-loop delay meanwhile: p99 ${fmt(r.loop.p99)} ms, max ${fmt(r.loop.max)} ms`,
      );
    }
    console.log(
      "targets (design.md): authenticated GET 0 statements (with LISTEN: the session cache), login ≤ 3, " +
        "register ≤ 3; SQL/request counts every statement the app's pool sent, BEGIN/COMMIT included (shown in " +
        "parentheses). CPU ms/req: the server process's user + system time over the scenario, divided by the " +
        "app's requests ((mix): both loads of (d) together).",
    );
    console.log(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await server.stop();
  }
  await runInvalidationBench();
}

main().catch((err) => {
  console.error("bench failed:", err);
  process.exitCode = 1;
});
