/**
 * Password hash scheduling: how fast can logins be, and what do they cost an authenticated GET?
 *
 * `npx tsx bench/hash-ceiling.ts` prints argon2id hashes/s with 1, 2, 4 and 8 hashes in flight at the
 * library's default parameters (m=19456 KiB, t=2, p=1), called straight on @node-rs/argon2's async
 * functions (libuv's thread pool, no semaphore): the ceiling a login rate is compared with.
 *
 * `npx tsx bench/hash-ceiling.ts --login [--configs=default,1/0,2/19] [--repeat=3]` also runs the demo app
 * (bench/server.ts, on the local PostgreSQL like `npm run bench`) once per configuration
 * `<maxConcurrent>[/<threadPriority>]` (`default` for the library's default), rounds interleaved, and
 * prints per run and as medians over the rounds: the ceilings; login req/s (autocannon, 10 connections)
 * and its ratio to the 8-in-flight ceiling, measured in alternating blocks; the bound the machine sets
 * (machine CPU per hash ÷ per login, from /proc/stat: the database and the load generator share the
 * cores); and the p99 of a paced authenticated GET (bench/load.ts `probe`) at idle and while the logins
 * saturate the CPU, also alternating, and that ratio. `npm run bench` prints the same figures for the
 * defaults. `UV_THREADPOOL_SIZE` applies to this process (the ceilings) and to the server.
 * Env: BENCH_DATABASE_URL, BENCH_DURATION (seconds of each measurement, default 8),
 * BENCH_CEILING_SECONDS (seconds per ceiling without --login, default 3).
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { hash } from "@node-rs/argon2";
import { DEFAULT_THREAD_PRIORITY, defaultMaxConcurrent } from "../src/crypto/password-hasher.js";
import { recreateBenchDatabase } from "./db.js";
import {
  combineProbes,
  fire,
  JSON_HEADERS,
  type Measured,
  type Probed,
  probe,
  ServerProcess,
  sessionCookie,
} from "./load.js";

/** The library's default argon2id parameters (the OWASP minimum, src/crypto/password-hasher.ts). */
export const DEFAULT_ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hashes per second with `inFlight` hashes always pending, over about `seconds`. */
export async function hashCeiling(inFlight: number, seconds: number): Promise<number> {
  const password = "bench hash ceiling passphrase, long enough";
  await Promise.all(Array.from({ length: inFlight }, () => hash(password, DEFAULT_ARGON2))); // warm-up
  const start = performance.now();
  const end = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await hash(password, DEFAULT_ARGON2);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Busy CPU time of the whole machine so far (all cores, ms), from /proc/stat; null off Linux. */
export function machineBusyMs(): number | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    return ((fields.reduce((a, b) => a + b, 0) - idle) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The hash ceilings, measured in this process. */
export interface Ceilings {
  /** argon2id hashes/s with 1 and 8 hashes in flight. */
  ceiling1: number;
  ceiling8: number;
  /** Machine CPU (all processes) per hash with 8 in flight, in ms; null off Linux. */
  busyPerHash: number | null;
}

/** argon2id hashes/s with 1 and then 8 in flight, `seconds` each. */
export async function measureCeilings(seconds: number): Promise<Ceilings> {
  const ceiling1 = await hashCeiling(1, seconds);
  const b0 = machineBusyMs();
  const t0 = performance.now();
  const ceiling8 = await hashCeiling(8, seconds);
  const b1 = machineBusyMs();
  const hashes = (ceiling8 * (performance.now() - t0)) / 1000;
  return { ceiling1, ceiling8, busyPerHash: b0 === null || b1 === null ? null : (b1 - b0) / hashes };
}

/** An authenticated GET's latency at idle and while logins saturate the CPU. */
export interface GetUnderLogins {
  /** Paced GET /me with nothing else running. */
  idle: Probed;
  /** The same probe while `connections` connections of POST /login run. */
  loaded: Probed;
  /** The logins that ran alongside the probe. */
  loginAlongside: Measured;
  /** The server's event-loop delay during the login bursts (the worst burst's p99 and max), in ms. */
  loop: { p99: number; max: number };
}

/**
 * The paced GET /me probe (bench/load.ts `probe`) at idle and during `connections` connections of logins,
 * in alternating blocks (2 s idle, then 2 s in the middle of a 3 s login burst) for about `duration`
 * seconds of each: on a shared machine the load of other processes drifts, and alternating puts both
 * halves under the same drift.
 */
export async function measureGetUnderLogins(
  server: ServerProcess,
  account: { email: string; password: string },
  duration: number,
  connections = 10,
): Promise<GetUnderLogins> {
  const url = server.url("library");
  const loginLoad = { app: "library" as const, method: "POST" as const, path: "/login", body: JSON.stringify(account) };
  await server.settled();
  const cookie = await sessionCookie(url, account.email, account.password);
  const idle: Probed[] = [];
  const loaded: Probed[] = [];
  const logins: Measured[] = [];
  const loops: { p99: number; max: number }[] = [];
  for (let block = 0; block < Math.max(2, Math.round(duration / 2)); block++) {
    await server.settled();
    idle.push(await probe(`${url}/me`, { cookie }, 2000));
    await server.resetLoop();
    // The probe starts once the logins have filled the hash slots and stops before they wind down.
    const [login, during] = await Promise.all([
      fire(server, loginLoad, 3, connections),
      new Promise((r) => setTimeout(r, 500)).then(() => probe(`${url}/me`, { cookie }, 2000)),
    ]);
    loops.push((await server.settled()).loop);
    loaded.push(during);
    logins.push(login);
  }
  const sum = (f: (m: Measured) => number) => logins.reduce((n, m) => n + f(m), 0);
  const loginAlongside: Measured = {
    rps: sum((m) => m.rps) / logins.length,
    p50: Math.max(...logins.map((m) => m.p50)),
    p99: Math.max(...logins.map((m) => m.p99)),
    completed: sum((m) => m.completed),
    bad: sum((m) => m.bad),
  };
  const loop = { p99: Math.max(...loops.map((l) => l.p99)), max: Math.max(...loops.map((l) => l.max)) };
  return { idle: combineProbes(idle), loaded: combineProbes(loaded), loginAlongside, loop };
}

/** Everything the sweep measures for one server configuration. */
export interface Scheduling extends Ceilings, GetUnderLogins {
  /** POST /login alone, 10 connections. */
  login: Measured;
  /** Machine CPU per login (ms) during `login`; null off Linux. */
  busyPerLogin: number | null;
}

/**
 * POST /login alone (`connections` connections) against the 8-in-flight ceiling, in alternating blocks
 * (2 s of hashing in this process, then 3 s of logins) for about `duration` seconds of logins, so both
 * see the same drift of the machine's other load; with the machine CPU each took per hash and per login.
 */
export async function measureLoginVsCeiling(
  server: ServerProcess,
  account: { email: string; password: string },
  duration: number,
  connections = 10,
): Promise<Ceilings & { login: Measured; busyPerLogin: number | null }> {
  const ceiling1 = await hashCeiling(1, 2);
  const logins: Measured[] = [];
  const rates: number[] = [];
  let hashes = 0;
  let hashBusy: number | null = 0;
  let loginBusy: number | null = 0;
  const add = (total: number | null, b0: number | null, b1: number | null) =>
    total === null || b0 === null || b1 === null ? null : total + b1 - b0;
  for (let block = 0; block < Math.max(2, Math.round(duration / 3)); block++) {
    await server.settled();
    let b0 = machineBusyMs();
    const t0 = performance.now();
    const rate = await hashCeiling(8, 2);
    hashBusy = add(hashBusy, b0, machineBusyMs());
    hashes += (rate * (performance.now() - t0)) / 1000;
    rates.push(rate);
    b0 = machineBusyMs();
    const login = await fire(
      server,
      { app: "library", method: "POST", path: "/login", body: JSON.stringify(account) },
      3,
      connections,
    );
    loginBusy = add(loginBusy, b0, machineBusyMs());
    logins.push(login);
  }
  const sum = (f: (m: Measured) => number) => logins.reduce((n, m) => n + f(m), 0);
  const completed = sum((m) => m.completed);
  return {
    ceiling1,
    ceiling8: rates.reduce((a, b) => a + b, 0) / rates.length,
    busyPerHash: hashBusy === null ? null : hashBusy / hashes,
    login: {
      rps: sum((m) => m.rps) / logins.length,
      p50: Math.max(...logins.map((m) => m.p50)),
      p99: Math.max(...logins.map((m) => m.p99)),
      completed,
      bad: sum((m) => m.bad),
    },
    busyPerLogin: loginBusy === null ? null : loginBusy / completed,
  };
}

const pct = (n: number) => `${(n * 100).toFixed(0)} %`;
const ms = (n: number) => `${n.toFixed(2)} ms`;

/**
 * The figures as markdown table rows (`| figure | value | target |`). `busyPerLogin` (machine CPU per
 * login) gives the bound on this machine: a login can go no faster than its whole CPU cost allows, and
 * the hash is only part of it when the database and the load generator share the cores.
 */
export function schedulingRows(
  c: Ceilings,
  login: { rps: number; busyPerLogin: number | null },
  g: GetUnderLogins,
): [string, string, string][] {
  const bound = c.busyPerHash !== null && login.busyPerLogin !== null ? c.busyPerHash / login.busyPerLogin : null;
  return [
    ["argon2id hashes/s, 1 in flight", c.ceiling1.toFixed(1), ""],
    ["argon2id hashes/s, 8 in flight (the ceiling)", c.ceiling8.toFixed(1), ""],
    ["POST /login req/s", login.rps.toFixed(1), ""],
    ["login req/s ÷ ceiling", pct(login.rps / c.ceiling8), "≥ 85 %"],
    [
      "machine CPU per hash ÷ per login (the bound on this machine)",
      bound === null
        ? "—"
        : `${c.busyPerHash!.toFixed(1)} ms ÷ ${login.busyPerLogin!.toFixed(1)} ms: at most ${pct(bound)}`,
      "",
    ],
    ["GET /me p99, idle (paced probe)", ms(g.idle.p99), ""],
    ["GET /me p99 while logins saturate the CPU", ms(g.loaded.p99), ""],
    ["GET p99 under logins ÷ idle", `${(g.loaded.p99 / g.idle.p99).toFixed(2)}×`, "≤ 2×"],
  ];
}

/** Prints rows as a markdown table. */
export function printMarkdown(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return hit === undefined ? undefined : (hit.split("=")[1] ?? "");
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION ?? 8);
  const ceilingSeconds = Number(process.env.BENCH_CEILING_SECONDS ?? 3);
  const pool = process.env.UV_THREADPOOL_SIZE ?? "4 (default)";
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)}, UV_THREADPOOL_SIZE=${pool}; ` +
      `argon2id m=${DEFAULT_ARGON2.memoryCost} t=${DEFAULT_ARGON2.timeCost} p=${DEFAULT_ARGON2.parallelism}`,
  );
  if (arg("login") === undefined) {
    for (const n of [1, 2, 4, 8])
      console.log(`${n} in flight: ${(await hashCeiling(n, ceilingSeconds)).toFixed(1)} hashes/s`);
    return;
  }
  // A configuration is `<maxConcurrent>[/<threadPriority>]`, `default` for the library's default of either.
  const configs = (arg("configs") || "default,1/0,default/0,4").split(",");
  const repeat = Number(arg("repeat") || 3);
  const account = { email: "bench-login@example.com", password: "bench login passphrase, long enough" };
  const benchUrl = await recreateBenchDatabase();
  const results = new Map<string, Scheduling[]>(configs.map((c) => [c, []]));
  for (let round = 1; round <= repeat; round++) {
    for (const config of configs) {
      const [mc, priority] = config.split("/");
      const env: Record<string, string> = {
        ...(mc && mc !== "default" && { BENCH_MAX_CONCURRENT: mc }),
        ...(priority && priority !== "default" && { BENCH_THREAD_PRIORITY: priority }),
      };
      const server = await ServerProcess.start(benchUrl, env);
      try {
        if (round === 1 && config === configs[0]) {
          const reg = await fetch(`${server.url("library")}/register`, {
            method: "POST",
            headers: JSON_HEADERS,
            body: JSON.stringify(account),
          });
          if (!reg.ok) throw new Error(`registering the bench account failed: ${reg.status} ${await reg.text()}`);
        }
        // Warm-up: JIT, pool connections, the hashing threads, the dummy hash.
        await fire(server, { app: "library", method: "POST", path: "/login", body: JSON.stringify(account) }, 2);
        await server.settled();
        const s: Scheduling = {
          ...(await measureLoginVsCeiling(server, account, duration)),
          ...(await measureGetUnderLogins(server, account, duration)),
        };
        results.get(config)!.push(s);
        const bound = s.busyPerHash && s.busyPerLogin ? ` (bound ${pct(s.busyPerHash / s.busyPerLogin)})` : "";
        console.log(
          `round ${round}, ${label(config)}: ceiling 1/8 in flight ${s.ceiling1.toFixed(1)}/` +
            `${s.ceiling8.toFixed(1)} hashes/s, login ${s.login.rps.toFixed(1)} req/s = ` +
            `${pct(s.login.rps / s.ceiling8)}${bound}, login p99 ${s.login.p99} ms, ${s.login.bad} bad; ` +
            `GET p50/p99 idle ${ms(s.idle.p50)}/${ms(s.idle.p99)}, under logins ${ms(s.loaded.p50)}/` +
            `${ms(s.loaded.p99)} (${(s.loaded.p99 / s.idle.p99).toFixed(2)}×; ${s.loaded.samples} samples, ` +
            `${s.loaded.bad + s.idle.bad} bad), logins alongside ${s.loginAlongside.rps.toFixed(1)} req/s, ` +
            `event loop p99 ${s.loop.p99.toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(2)}`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  console.log(`\nmedians over ${repeat} rounds (${availableParallelism()} cores, UV_THREADPOOL_SIZE=${pool}):\n`);
  const rows = configs.map((config) => {
    const rs = results.get(config)!;
    const m = (f: (s: Scheduling) => number) => median(rs.map(f));
    const bounded = rs.filter((s) => s.busyPerHash && s.busyPerLogin);
    return [
      label(config),
      m((s) => s.ceiling1).toFixed(1),
      m((s) => s.ceiling8).toFixed(1),
      m((s) => s.login.rps).toFixed(1),
      pct(m((s) => s.login.rps / s.ceiling8)),
      bounded.length ? pct(median(bounded.map((s) => s.busyPerHash! / s.busyPerLogin!))) : "—",
      ms(m((s) => s.idle.p99)),
      ms(m((s) => s.loaded.p99)),
      `${m((s) => s.loaded.p99 / s.idle.p99).toFixed(2)}×`,
      m((s) => s.loop.p99).toFixed(1),
    ];
  });
  printMarkdown(
    [
      "configuration",
      "hashes/s 1 in flight",
      "hashes/s 8 in flight",
      "login req/s",
      "login ÷ ceiling",
      "bound (CPU/hash ÷ CPU/login)",
      "GET p99 idle",
      "GET p99 under logins",
      "GET ratio",
      "event loop p99 ms",
    ],
    rows,
  );
}

function label(config: string): string {
  const [mc = "default", priority = "default"] = config.split("/");
  const threads = `threadPriority ${priority === "default" ? `default (${DEFAULT_THREAD_PRIORITY})` : priority}`;
  return `maxConcurrent ${mc === "default" ? `default (${defaultMaxConcurrent()})` : mc}, ${threads}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error("hash-ceiling failed:", err);
    process.exitCode = 1;
  });
}
