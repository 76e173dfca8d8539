/**
 * Shared steps of the two-factor tests: an app whose `twoFactor.deliver` writes to a fake outbox,
 * enrolment of each method through real requests, and TOTP codes computed from the enrolment secret.
 */
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { eq } from "drizzle-orm";
import type { Response } from "supertest";
import { expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import type { TwoFactorDelivery, TwoFactorOptions } from "../../src/options/two-factor.js";
import { totpCode, totpStep } from "../../src/two-factor/totp.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, type TestEnv } from "../helpers/setup.js";

export const SECRET = "an application secret of at least thirty-two characters";
export const ALICE = "alice@example.test";
export const PHONE = "+15551234567";

export type Agent = ReturnType<TestApp["agent"]>;

/** A test app plus the codes the library asked to deliver. */
export interface TwoFactorApp {
  t: TestApp;
  config: AuthConfig;
  deliveries: TwoFactorDelivery[];
  /** The last code delivered on a channel (optionally for one purpose). */
  lastCode(channel: "email" | "sms", purpose?: "login" | "setup"): string;
}

/** An app with two-factor on (unless overridden) and a fake outbox for email/SMS codes. */
export function twoFactorApp(
  env: TestEnv,
  twoFactor: TwoFactorOptions = {},
  overrides: Partial<AuthConfig> = {},
): TwoFactorApp {
  const deliveries: TwoFactorDelivery[] = [];
  const config = env.config({
    secret: SECRET,
    ...overrides,
    twoFactor: { enabled: true, deliver: (m) => void deliveries.push(m), ...twoFactor },
  });
  return {
    t: createTestApp(config),
    config,
    deliveries,
    lastCode(channel, purpose) {
      const found = [...deliveries].reverse().find((m) => m.channel === channel && (!purpose || m.purpose === purpose));
      if (!found) throw new Error(`no ${channel} code delivered`);
      return found.code;
    },
  };
}

/** `POST /call/<path>` with the given arguments. */
export function call(agent: Agent, path: string, ...args: unknown[]) {
  return agent.post(`/call/${path}`).send({ args });
}

/** The TOTP code of a base32 secret at an instant, `offset` steps away. */
export function codeAt(secret: string, at: Date, offset = 0): string {
  return totpCode(decodeBase32IgnorePadding(secret), totpStep(at) + offset);
}

/** A 6-digit code that matches no step within ±2 of `at` (a guaranteed wrong TOTP code). */
export function wrongCode(secret: string, at: Date): string {
  const taken = new Set([-2, -1, 0, 1, 2].map((o) => codeAt(secret, at, o)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, "0");
    if (!taken.has(candidate)) return candidate;
  }
}

/** Registers an account and returns an agent signed in to it (password only: no method enrolled yet). */
export async function registerAndSignIn(app: TwoFactorApp, email = ALICE): Promise<Agent> {
  const agent = app.t.agent();
  await agent.post("/register").send({ email, password: PASSWORD }).expect(200);
  await agent.post("/login").send({ email, password: PASSWORD }).expect(200);
  return agent;
}

/** Enrols TOTP on a signed-in agent; returns the base32 secret and the backup codes. */
export async function enrollTotp(agent: Agent, now: () => Date) {
  const setup = await call(agent, "twoFactor.setup.totp").expect(200);
  const secret = setup.body.result.secret as string;
  const done = await call(agent, "twoFactor.complete.totp", codeAt(secret, now())).expect(200);
  return { secret, backupCodes: done.body.result as string[], setup: setup.body.result };
}

/** Enrols email codes (to the account address unless `email` is given) on a signed-in agent. */
export async function enrollEmail(app: TwoFactorApp, agent: Agent, email?: string): Promise<void> {
  await call(agent, "twoFactor.setup.email", ...(email === undefined ? [] : [email])).expect(200);
  await call(agent, "twoFactor.complete.email", app.lastCode("email", "setup")).expect(200);
}

/** Enrols SMS codes to `phone` on a signed-in agent. */
export async function enrollSms(app: TwoFactorApp, agent: Agent, phone = PHONE): Promise<void> {
  await call(agent, "twoFactor.setup.sms", phone).expect(200);
  await call(agent, "twoFactor.complete.sms", app.lastCode("sms", "setup")).expect(200);
}

/** A registered account with TOTP enrolled; the clock is then moved one step on, so the enrolment code's step is in the past. */
export async function totpAccount(app: TwoFactorApp, env: TestEnv, email = ALICE) {
  const agent = await registerAndSignIn(app, email);
  const enrolled = await enrollTotp(agent, env.clock.now);
  env.clock.advance(30_000);
  return { agent, ...enrolled };
}

/** Starts a password login on a new agent; expects the second-factor prompt. */
export async function startLogin(
  app: TwoFactorApp,
  options: { email?: string; remember?: boolean; agent?: Agent } = {},
): Promise<{ agent: Agent; res: Response }> {
  const agent = options.agent ?? app.t.agent();
  const res = await agent
    .post("/login")
    .send({ email: options.email ?? ALICE, password: PASSWORD, remember: options.remember ?? false });
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(res.body.error).toBe("SECOND_FACTOR_REQUIRED");
  return { agent, res };
}

/** Every activity-log row, oldest first. */
export async function activityRows(env: TestEnv) {
  const a = authSchema.activityLog;
  return env.db.db.select().from(a).orderBy(a.id);
}

/** The activity-log rows of one action. */
export async function activityOf(env: TestEnv, action: string) {
  const a = authSchema.activityLog;
  return env.db.db.select().from(a).where(eq(a.action, action)).orderBy(a.id);
}

/** The account's two-factor method rows. */
export async function methodRows(env: TestEnv) {
  const m = authSchema.twoFactorMethods;
  return env.db.db.select().from(m).orderBy(m.id);
}

/** Everything a table holds, as one JSON string (to assert that a secret appears nowhere in it). */
export async function tableText(env: TestEnv, table: keyof typeof authSchema): Promise<string> {
  const rows = await env.db.db.select().from(authSchema[table] as never);
  return JSON.stringify(rows);
}

/** Expects a clean client error (4xx with a JSON error code), never a 500. */
export function expectClientError(res: Response, status?: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  if (status !== undefined) expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (code !== undefined) expect(res.body.error).toBe(code);
}
