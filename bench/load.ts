/** The parent side of the bench: the forked server, autocannon runs and statement deltas. */
import { type ChildProcess, fork } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { AppName, AppSnapshot, Command, Snapshot } from "./server.js";

/** The forked server process (bench/server.ts). */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: { snapshot?: Snapshot }) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ports: Record<AppName, number>,
  ) {
    child.on("message", (msg: { id?: number; snapshot?: Snapshot }) => {
      if (msg.id === undefined) return;
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    });
  }

  /**
   * Forks bench/server.ts on the bench database and resolves once both apps listen. `env` adds to this
   * process's environment (e.g. `BENCH_MAX_CONCURRENT`, `UV_THREADPOOL_SIZE`); `execArgv` adds Node
   * options (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
   */
  static start(benchUrl: string, env: Record<string, string> = {}, execArgv: string[] = []): Promise<ServerProcess> {
    const child = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), {
      env: { ...process.env, ...env, BENCH_URL: benchUrl },
      execArgv: [...execArgv, "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
      child.once("message", (msg: { ready?: boolean; ports: Record<AppName, number> }) => {
        if (msg.ready) resolve(new ServerProcess(child, msg.ports));
      });
    });
  }

  /** The base URL of one app. */
  url(app: AppName): string {
    return `http://127.0.0.1:${this.ports[app]}`;
  }

  private command(cmd: Command["cmd"]): Promise<{ snapshot?: Snapshot }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, cmd } satisfies Command);
    });
  }

  /**
   * Counters once both apps are idle: nothing in flight and no statement sent for 300 ms. (A request that
   * autocannon aborted at the end still runs its handler and its statements; they belong to this run.)
   */
  async settled(): Promise<Snapshot> {
    let last = "";
    for (let i = 0; i < 100; i++) {
      const { snapshot } = await this.command("snapshot");
      const { library, baseline } = snapshot!.apps;
      const key = `${library.total}/${baseline.total}`;
      if (library.inFlight === 0 && baseline.inFlight === 0 && key === last) return snapshot!;
      last = key;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error("the bench server did not settle within 30 s");
  }

  /** Restarts the server's event-loop delay histogram. */
  async resetLoop(): Promise<void> {
    await this.command("reset-loop");
  }

  /** Closes both apps (and the library's LISTEN connection) and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.removeAllListeners("exit");
    const exited = new Promise((r) => this.child.once("exit", r));
    await this.command("stop");
    await exited;
  }
}

/** One load: a request (or a request generator) fired at one app. */
export interface Load {
  app: AppName;
  method?: "GET" | "POST";
  path: string;
  body?: string;
  /** A new body for every request (e.g. a unique email). */
  bodyFor?: () => string;
  headers?: Record<string, string>;
}

/** What one load measured. */
export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  bad: number;
}

/** Headers of a JSON request body. */
export const JSON_HEADERS = { "content-type": "application/json" };

/** Runs autocannon for one load. */
export async function fire(server: ServerProcess, load: Load, duration: number, connections = 10): Promise<Measured> {
  const headers = { ...(load.body || load.bodyFor ? JSON_HEADERS : {}), ...load.headers };
  const request: autocannon.Request = { method: load.method ?? "GET", path: load.path, headers };
  if (load.body) request.body = load.body;
  if (load.bodyFor) {
    const bodyFor = load.bodyFor;
    request.setupRequest = (req) => ({ ...req, body: bodyFor() });
  }
  const result = await autocannon({
    url: server.url(load.app),
    connections,
    duration,
    timeout: 10,
    requests: [request],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    completed: result.requests.total,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/** What a {@link probe} measured: latencies in ms, with sub-millisecond resolution. */
export interface Probed {
  /** Every latency, sorted. */
  latencies: number[];
  samples: number;
  p50: number;
  p99: number;
  max: number;
  bad: number;
}

/**
 * A light, paced GET over one keep-alive connection: one request every `intervalMs` (the next starts at
 * once when one took longer), for `durationMs`. Unlike an autocannon run it does not load the server
 * itself, so its p99 is what one more user's request waits while whatever else runs. Latency is measured
 * with `performance.now()`, not autocannon's whole milliseconds.
 */
export async function probe(
  url: string,
  headers: Record<string, string>,
  durationMs: number,
  intervalMs = 10,
): Promise<Probed> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const latencies: number[] = [];
  let bad = 0;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const start = performance.now();
      const req = httpRequest(target, { agent, headers }, (res) => {
        if (res.statusCode !== 200) bad++;
        res.resume();
        res.once("end", () => resolve(performance.now() - start));
        res.once("error", reject);
      });
      req.once("error", reject);
      req.end();
    });
  const end = performance.now() + durationMs;
  try {
    let next = performance.now();
    while (performance.now() < end) {
      try {
        latencies.push(await once());
      } catch {
        bad++;
      }
      next += intervalMs;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else next = performance.now();
    }
  } finally {
    agent.destroy();
  }
  return probed(latencies, bad);
}

/** Several probes' latencies as one. */
export function combineProbes(probes: Probed[]): Probed {
  return probed(
    probes.flatMap((p) => p.latencies),
    probes.reduce((n, p) => n + p.bad, 0),
  );
}

function probed(latencies: number[], bad: number): Probed {
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
  const max = latencies.at(-1) ?? Number.NaN;
  return { latencies, samples: latencies.length, p50: at(0.5), p99: at(0.99), max, bad };
}

/** What one app cost per finished request between two snapshots (see {@link perRequest}). */
export interface PerRequest {
  /** Requests the app finished (or saw aborted) in between. */
  requests: number;
  /** SQL statements per request, BEGIN/COMMIT included. */
  sql: number;
  /** Of which transaction control. */
  tx: number;
  /** Server CPU (user + system) per request, in ms: the whole server process, meant for one app under load. */
  cpuMs: number;
  /** Unexpected (5xx) errors in between. */
  errors: number;
}

/**
 * Statements and server CPU per finished request of one app between two snapshots. The CPU figure is
 * the server process's delta divided by this app's requests, so it is that app's only while the other is
 * idle (as in every bench scenario).
 */
export function perRequest(before: Snapshot, after: Snapshot, app: AppName): PerRequest {
  const a: AppSnapshot = after.apps[app];
  const b: AppSnapshot = before.apps[app];
  const requests = a.finished - b.finished;
  const per = (n: number) => (requests > 0 ? n / requests : Number.NaN);
  return {
    requests,
    sql: per(a.total - b.total),
    tx: per(a.transaction - b.transaction),
    cpuMs: per(after.cpuMs - before.cpuMs),
    errors: a.errors - b.errors,
  };
}

/** Signs in over HTTP and returns the session cookie (`name=value`). */
export async function sessionCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ email, password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("sid="));
  if (!res.ok || !cookie) throw new Error(`login for the bench failed: ${res.status} ${await res.text()}`);
  return cookie.split(";")[0]!;
}
