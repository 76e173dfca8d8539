import { createRequire } from "node:module";
import { availableParallelism, constants } from "node:os";
import { Worker } from "node:worker_threads";
import { hash, verify } from "@node-rs/argon2";
import { AuthConfigError } from "../errors.js";
import { normalizePassword } from "./password-policy.js";
import { createSemaphore } from "./semaphore.js";

/** argon2id cost parameters. The defaults are the OWASP minimum; lower values are refused. */
export interface PasswordHashingOptions {
  /** Memory in KiB. @default 19456 */
  memoryCost?: number;
  /** Iterations. @default 2 */
  timeCost?: number;
  /** Lanes. @default 1 */
  parallelism?: number;
  /**
   * Hashes computed at once; the rest queue in order. The default is one per core, so that logins can use
   * every core. The former default left one core out to keep other requests fast: a 2-core server then
   * hashed one password at a time, and logins reached 50 % of argon2id's own rate, against 57 % now (the
   * most its CPU allowed with the database on the same cores). Other requests now keep priority through
   * `threadPriority`. More than one hash per core adds memory (`memoryCost` per hash in flight) and no
   * speed. With several processes on one host, or a container whose CPU limit is below the host's cores,
   * set it to the cores each process may use. Measurements: docs/login-and-remember-me.md ("Password
   * hashing and throughput").
   * @default os.availableParallelism()
   */
  maxConcurrent?: number;
  /**
   * Scheduling priority of the threads that hash, as a nice value (`os.setPriority`): 0 (normal, like the
   * event loop) to 19 (lowest). Below normal, a burst of logins takes mostly the CPU that other requests
   * leave. On a 2-core server, logins at full speed multiplied a signed-in GET's p99 by 4 to 5 with
   * hashing at normal priority, and by about 2.5 to 3 at 10; the rest is the login's own event-loop and
   * database work. The lower the priority, the slower logins get while every core is busy with other
   * normal-priority work of the process group. Applied on Linux, where priority is per thread; elsewhere
   * the threads run at normal priority. Negative values are refused: they would put hashing ahead of
   * requests.
   * @default 10 (`os.constants.priority.PRIORITY_BELOW_NORMAL`)
   */
  threadPriority?: number;
}

/** Hashes and verifies passwords off the event loop, on the hasher's worker threads (see {@link hashThreads}). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against a stored PHC string; false for a malformed hash instead of throwing. */
  verify(stored: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with weaker parameters than the configured ones. */
  needsRehash(stored: string): boolean;
  /** Verifies against a dummy hash with the same parameters, so an unknown account costs the same time. */
  verifyDummy(password: string): Promise<void>;
}

/** `maxConcurrent` when none is configured: one hash per core. */
export function defaultMaxConcurrent(): number {
  return availableParallelism();
}

/** `threadPriority` when none is configured. */
export const DEFAULT_THREAD_PRIORITY: number = constants.priority.PRIORITY_BELOW_NORMAL;

const FLOOR = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Builds the argon2id hasher, refusing parameters below the OWASP floor (m=19456 KiB, t=2, p=1). */
export function createPasswordHasher(options: PasswordHashingOptions = {}): PasswordHasher {
  const params = {
    ...FLOOR,
    memoryCost: options.memoryCost ?? FLOOR.memoryCost,
    timeCost: options.timeCost ?? FLOOR.timeCost,
    parallelism: options.parallelism ?? FLOOR.parallelism,
  };
  for (const key of ["memoryCost", "timeCost", "parallelism"] as const) {
    if (!Number.isInteger(params[key]) || params[key] < 1) {
      throw new AuthConfigError(`passwordHashing.${key} must be a positive integer`);
    }
  }
  if (params.memoryCost * params.timeCost < FLOOR.memoryCost * FLOOR.timeCost || params.memoryCost < 7168) {
    throw new AuthConfigError("passwordHashing is below the OWASP argon2id minimum (m=19456 KiB, t=2)");
  }
  const argonOptions = { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism };
  const maxConcurrent = options.maxConcurrent ?? defaultMaxConcurrent();
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
    throw new AuthConfigError("passwordHashing.maxConcurrent must be a positive integer");
  const priority = options.threadPriority ?? DEFAULT_THREAD_PRIORITY;
  if (!Number.isInteger(priority) || priority < 0 || priority > 19)
    throw new AuthConfigError("passwordHashing.threadPriority must be an integer from 0 to 19");
  const slots = createSemaphore(maxConcurrent);
  const argon = hashThreads(priority);
  let dummy: Promise<string> | undefined;

  return {
    hash: (password) => slots.run(() => argon.hash(normalizePassword(password), argonOptions)),
    async verify(stored, password) {
      if (!PHC.test(stored)) return false;
      try {
        return await slots.run(() => argon.verify(stored, normalizePassword(password)));
      } catch {
        return false;
      }
    },
    needsRehash(stored) {
      const m = PHC.exec(stored);
      if (!m) return false;
      const [memory, time, lanes] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return memory < params.memoryCost || time < params.timeCost || lanes !== params.parallelism;
    },
    async verifyDummy(password) {
      dummy ??= argon.hash("dummy password for timing equality", argonOptions);
      const stored = await dummy;
      await slots.run(() => argon.verify(stored, normalizePassword(password))).catch(() => false);
    },
  };
}

/** argon2id on some threads: {@link hashThreads}. */
interface Argon2Threads {
  hash(password: string, options: typeof FLOOR): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

/**
 * The worker's source (CommonJS, run with `eval`): lowers its own thread's priority, then answers one
 * `hashSync`/`verifySync` at a time. On Linux the nice value is per thread, and `/proc/thread-self` names
 * the thread's id; `os.setPriority` on that id lowers this thread only.
 */
const WORKER_SOURCE = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { hashSync, verifySync } = require(workerData.argon2);
if (process.platform === "linux" && workerData.priority > 0) {
  try {
    const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    if (tid > 0) require("node:os").setPriority(tid, workerData.priority);
  } catch {}
}
parentPort.on("message", ({ op, a, b }) => {
  try {
    parentPort.postMessage({ value: op === "hash" ? hashSync(a, b) : verifySync(a, b) });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
});
`;

/** Idle workers beyond the first are ended after this long. */
const IDLE_MS = 30_000;
const pools = new Map<number, Argon2Threads>();

/**
 * The process's hashing threads at one priority, shared by every hasher that asks for it: worker threads
 * started on demand (each hasher's semaphore bounds how many it keeps busy), unref'd while idle, and
 * ended after {@link IDLE_MS} idle except one. They are the hasher's own rather than libuv's pool
 * (where `@node-rs/argon2`'s async functions run): their priority can be lowered without touching
 * the pool's file system, DNS and zlib work, and no hash ever queues those behind it, whatever
 * `UV_THREADPOOL_SIZE` is. Where a worker cannot be started (a bundle without `@node-rs/argon2` on
 * disk, a runtime without workers), hashing falls back to the async functions on libuv's pool.
 */
function hashThreads(priority: number): Argon2Threads {
  const existing = pools.get(priority);
  if (existing) return existing;
  let argon2: string | undefined;
  try {
    argon2 = createRequire(import.meta.url).resolve("@node-rs/argon2");
  } catch {
    argon2 = undefined;
  }
  const idle: { worker: Worker; timer?: NodeJS.Timeout }[] = [];
  let usable = argon2 !== undefined;

  /** Workers that answered at least once: a failure of any other means workers cannot work here. */
  const proven = new WeakSet<Worker>();
  const start = (): Worker | undefined => {
    if (!usable) return undefined;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2, priority } });
      worker.unref();
      // An idle worker that died (it should not) leaves the idle list, so no job is posted to it.
      worker.once("exit", () => {
        const at = idle.findIndex((e) => e.worker === worker);
        if (at >= 0) clearTimeout(idle.splice(at, 1)[0]!.timer);
      });
      return worker;
    } catch {
      usable = false;
      return undefined;
    }
  };
  const release = (worker: Worker) => {
    worker.unref();
    const entry: { worker: Worker; timer?: NodeJS.Timeout } = { worker };
    if (idle.length > 0) {
      entry.timer = setTimeout(() => {
        const at = idle.indexOf(entry);
        if (at >= 0 && idle.length > 1) {
          idle.splice(at, 1);
          void worker.terminate();
        }
      }, IDLE_MS);
      entry.timer.unref();
    }
    idle.push(entry);
  };
  const call = <T>(op: "hash" | "verify", a: string, b: unknown, fallback: () => Promise<T>): Promise<T> => {
    const entry = idle.pop();
    if (entry?.timer) clearTimeout(entry.timer);
    const worker = entry?.worker ?? start();
    if (!worker) return fallback();
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (msg: { value?: T; error?: string }) => {
        settle();
        proven.add(worker);
        release(worker);
        if (msg.error !== undefined) reject(new Error(msg.error));
        else resolve(msg.value as T);
      };
      // A worker that failed is not reused. One that never answered could not start (no
      // @node-rs/argon2 where it looked, no workers in this runtime): hash on libuv's pool from now on.
      const onError = (err: Error) => {
        settle();
        void worker.terminate();
        if (proven.has(worker)) return reject(err);
        usable = false;
        fallback().then(resolve, reject);
      };
      const onExit = (code: number) => onError(new Error(`the hashing thread exited (${code})`));
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.ref();
      worker.postMessage({ op, a, b });
    });
  };
  const pool: Argon2Threads = {
    hash: (password, options) => call("hash", password, options, () => hash(password, options)),
    verify: (stored, password) => call("verify", stored, password, () => verify(stored, password)),
  };
  pools.set(priority, pool);
  return pool;
}
