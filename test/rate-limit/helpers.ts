/**
 * Shared steps of the rate-limit tests: a test app that can trust `X-Forwarded-For` (so one test can
 * speak from many client addresses), agents bound to one address, and views of the `rate_limits` table.
 */
import type { Response } from "supertest";
import { expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import type { TestEnv } from "../helpers/setup.js";

export const ALICE = "alice@example.test";
export const BOB = "bob@example.test";
export const WRONG = "wrong horse battery staple";
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export type Agent = ReturnType<TestApp["agent"]>;

/** Express's `trust proxy` setting: `false` (the default) ignores `X-Forwarded-For`. */
export type TrustProxy = boolean | number | string;

/** The shared test app, with Express's `trust proxy` set (`app.set` may run after the routes are mounted). */
export function rateLimitApp(config: AuthConfig, trustProxy: TrustProxy = true): TestApp {
  return createTestApp(config, { routes: (app) => void app.set("trust proxy", trustProxy) });
}

/** A new agent whose every request claims to come from `ip` (through `X-Forwarded-For`). */
export function from(t: TestApp, ip: string): Agent {
  return t.agent().set("X-Forwarded-For", ip);
}

/** `POST /call/<method>` with the given arguments. */
export function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

/** One login over HTTP on `agent`. */
export function login(agent: Agent, email: string, password: string) {
  return agent.post("/login").send({ email, password });
}

/** `req.auth.resetPassword(email, null, maxOpenRequests, callback)` from an agent. */
export function requestReset(agent: Agent, email: string, maxOpenRequests: number | null = 100) {
  return call(agent, "resetPassword", email, null, maxOpenRequests, "$callback");
}

/** `req.auth.resendConfirmation(email, callback)` from an agent. */
export function resend(agent: Agent, email: string) {
  return call(agent, "resendConfirmation", email, "$callback");
}

/** Expects a 429 `RATE_LIMITED` answer and returns its `Retry-After` in seconds. */
export function expectRateLimited(res: Response): number {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body).toEqual({ error: "RATE_LIMITED", message: "Too many attempts" });
  const header = res.headers["retry-after"];
  expect(header, "Retry-After header").toMatch(/^[1-9]\d*$/);
  return Number(header);
}

/** What a client can observe of a response: status, body, Retry-After and the names of cookies set. */
export function observable(res: Response) {
  const cookies = res.headers["set-cookie"] as string[] | string | undefined;
  return {
    status: res.status,
    body: res.body as unknown,
    retryAfter: res.headers["retry-after"] as string | undefined,
    cookies: (cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies]).map((c) => c.split("=")[0]),
  };
}

/** Every row of the limiter table. */
export async function limiterRows(env: TestEnv) {
  const r = authSchema.rateLimits;
  return env.db.db.select().from(r).orderBy(r.key);
}

/** The keys of the built-in limiter's per-action buckets (`rl:<action>:a|ip:<sha256>`). */
export async function bucketKeys(env: TestEnv, action?: string): Promise<string[]> {
  const rows = await limiterRows(env);
  return rows.map((r) => r.key).filter((k) => k.startsWith(action === undefined ? "rl:" : `rl:${action}:`));
}
