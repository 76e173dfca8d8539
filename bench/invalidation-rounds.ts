/**
 * The ban rounds of the invalidation bench (bench/invalidation.ts): instance B's HTTP server, and the
 * loop that registers an account on A, signs it in on B, bans it on A and asks B until it refuses.
 */
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import express from "express";
import session from "express-session";
import type { AuthConfig } from "../src/config.js";
import { AuthStatus, createAuthMiddleware, register, setStatusForUserBy } from "../src/index.js";
import type { InvalidationHub } from "../src/invalidation/hub.js";

const PASSWORD = "bench invalidation passphrase, long enough";

/** The ban-to-refusal goal at p99, in ms (the requirement). */
export const REFUSAL_GOAL_MS = 100;
/** How long B may keep serving a banned account before the bench fails: the ban was not refused. */
const REFUSAL_TIMEOUT_MS = 10_000;

/** Percentiles of a sample, in ms. */
export interface Summary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** p50, p95, p99 (nearest rank: with 100 values, p99 is the 99th smallest) and max of a sample, in ms. */
export function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1)! };
}

/** Instance B: an HTTP server whose `/me` answers 200 or 401. */
export async function startB(config: AuthConfig, store: session.Store) {
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

/** One B variant's samples. */
export interface BanRounds {
  banCall: number[];
  received: number[];
  refused: number[];
  /** Rounds whose first request after the ban call was refused. */
  nextRefused: number;
  /** B's pool checkouts during the authenticated request before each ban, summed. */
  checkouts: number;
}

/** What the ban rounds share: A's config, B's hub and pool checkout counter, the round count. */
export interface Rig {
  configA: AuthConfig;
  hubB: InvalidationHub;
  checkoutsB: () => number;
  rounds: number;
}

/** `rounds` times: register on A, sign in on B, ban on A, then ask B until it refuses. */
export async function banRounds(rig: Rig, tag: string, base: string): Promise<BanRounds> {
  const out: BanRounds = { banCall: [], received: [], refused: [], nextRefused: 0, checkouts: 0 };
  for (let i = 0; i < rig.rounds; i++) {
    const email = `bench-${tag}-${i}@example.test`;
    const account = await register(rig.configA, email, PASSWORD);
    const login = await fetch(`${base}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const me = () => fetch(`${base}/me`, { headers: { cookie } });
    const checkouts = rig.checkoutsB();
    if ((await me()).status !== 200) throw new Error(`B (${tag}) refused a fresh session`);
    out.checkouts += rig.checkoutsB() - checkouts;
    const got = new Promise<number>((resolve) => {
      const stop = rig.hubB.subscribe((e) => e.accountId === account.id && (stop(), resolve(performance.now())));
    });
    const start = performance.now();
    await setStatusForUserBy(rig.configA, { accountId: account.id }, AuthStatus.Banned);
    const returned = performance.now();
    let status = (await me()).status;
    if (status === 401) out.nextRefused++;
    while (status !== 401) {
      if (performance.now() - returned > REFUSAL_TIMEOUT_MS)
        throw new Error(`B (${tag}) still serves a banned account`);
      status = (await me()).status;
    }
    out.refused.push(performance.now() - returned);
    out.banCall.push(returned - start);
    out.received.push((await got) - returned);
  }
  return out;
}
