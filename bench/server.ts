/**
 * The bench's server process (forked by run.ts, so load generation and serving do not share an event
 * loop). Serves the demo app (with LISTEN invalidation, hence the session cache) and the baseline on
 * ephemeral ports of 127.0.0.1, each with its own statement-counting postgres.js pool, and answers
 * snapshots (counters, the process's CPU time, event-loop delay) over IPC.
 */
import type { Server } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type express from "express";
import type { AuthConfig } from "../src/config.js";
import { closeAuth, getAuthContext } from "../src/core/context.js";
import { createDemoApp } from "../examples/demo/app.js";
import { createBaselineApp } from "./baseline.js";
import { countingClient, type StatementCounts } from "./db.js";

/** What the server reports for one app. */
export interface AppSnapshot extends StatementCounts {
  /** Responses finished or aborted. */
  finished: number;
  inFlight: number;
  /** Errors that reached the error handler as unexpected (5xx). */
  errors: number;
}

/** Reply to a `snapshot` command. */
export interface Snapshot {
  apps: Record<AppName, AppSnapshot>;
  /**
   * CPU time (user + system, `process.cpuUsage()`) this process has used since it started, in ms. Both
   * apps share the process; the bench loads one app at a time, so a delta over a scenario is that app's.
   */
  cpuMs: number;
  /** Event-loop delay since the last `reset-loop`, in ms. */
  loop: { p99: number; max: number };
}

/** The two apps the server serves. */
export type AppName = "library" | "baseline";
/** A request from run.ts (bench/load.ts) to this process; each is answered with the same `id`. */
export type Command = { id: number; cmd: "snapshot" | "reset-loop" | "stop" };

const url = process.env.BENCH_URL;
if (!url || !process.send) throw new Error("bench/server.ts is started by bench/run.ts");
const secret = "bench session secret, long enough to be realistic";
const maxConcurrent = process.env.BENCH_MAX_CONCURRENT ? Number(process.env.BENCH_MAX_CONCURRENT) : undefined;
const threadPriority = process.env.BENCH_THREAD_PRIORITY ? Number(process.env.BENCH_THREAD_PRIORITY) : undefined;

interface Running {
  server: Server;
  counts: StatementCounts;
  close(): Promise<void>;
  /** The library's auth config (its LISTEN connection is released with closeAuth on stop). */
  config?: AuthConfig;
  stats: { finished: number; inFlight: number; errors: number };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
    server.once("error", reject);
  });
}

async function start(name: AppName): Promise<Running> {
  const client = countingClient(url!);
  const stats = { finished: 0, inFlight: 0, errors: 0 };
  const app =
    name === "library"
      ? createDemoApp({
          db: client.db,
          sessionSecret: secret,
          outbox: false,
          logError: () => void stats.errors++,
          // Every bench request comes from 127.0.0.1: the per-IP limiter would answer 429 (as the peer bench does).
          // LISTEN invalidation turns the session cache on: what the bench measures (docs/sessions.md).
          // BENCH_MAX_CONCURRENT and BENCH_THREAD_PRIORITY override passwordHashing (bench/hash-ceiling.ts sweeps them).
          authConfig: {
            rateLimits: false,
            invalidation: { listen: true },
            passwordHashing: {
              ...(maxConcurrent !== undefined && { maxConcurrent }),
              ...(threadPriority !== undefined && { threadPriority }),
            },
          },
        })
      : createBaselineApp(client.db, secret);
  const server = await listen(app);
  server.on("request", (_req, res) => {
    stats.inFlight++;
    res.once("close", () => {
      stats.inFlight--;
      stats.finished++;
    });
  });
  const config: AuthConfig | undefined = name === "library" ? app.locals.authConfig : undefined;
  // The cache serves only once the listener is confirmed; a bench without it would measure the cold path.
  if (config && !(await (await getAuthContext(config)).invalidation?.ready))
    console.warn("bench: LISTEN is not working on this server; the library app runs without its session cache");
  return { server, counts: client.counts, close: client.close, stats, ...(config && { config }) };
}

const apps: Record<AppName, Running> = { library: await start("library"), baseline: await start("baseline") };
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

function port(r: Running): number {
  const address = r.server.address();
  return typeof address === "object" && address ? address.port : 0;
}

function snapshot(): Snapshot {
  const cpu = process.cpuUsage();
  const one = (r: Running): AppSnapshot => ({ ...r.counts, ...r.stats });
  return {
    apps: { library: one(apps.library), baseline: one(apps.baseline) },
    cpuMs: (cpu.user + cpu.system) / 1000,
    loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

process.on("message", async (message: Command) => {
  if (message.cmd === "snapshot") process.send!({ id: message.id, snapshot: snapshot() });
  if (message.cmd === "reset-loop") {
    loop.reset();
    process.send!({ id: message.id });
  }
  if (message.cmd === "stop") {
    for (const r of Object.values(apps)) {
      r.server.closeAllConnections();
      r.server.close();
      if (r.config) await closeAuth(r.config);
      await r.close();
    }
    process.send!({ id: message.id }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ ready: true, ports: { library: port(apps.library), baseline: port(apps.baseline) } });
