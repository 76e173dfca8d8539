/**
 * Shared steps of the impersonation tests: an app with impersonation on, an admin signed in, the
 * accounts it may (or may not) impersonate, and readers for the audit and session tables.
 */
import { eq } from "drizzle-orm";
import type { Response } from "supertest";
import { expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import type { ImpersonationOptions } from "../../src/impersonation/options.js";
import { AuthRole, addRoleForUserBy, register } from "../../src/index.js";
import { type TestApp, type TestAppOptions, createTestApp } from "../helpers/app.js";
import { type SignedIn, sessionIdOf, signIn } from "../helpers/cookies.js";
import { PASSWORD, type TestEnv } from "../helpers/setup.js";

export const ADMIN = "admin@example.test";
export const BOB = "bob@example.test";
export const CAROL = "carol@example.test";

export type Agent = ReturnType<TestApp["agent"]>;

/** An app, its config, the account ids, and the admin signed in on an agent. */
export interface World {
  t: TestApp;
  config: AuthConfig;
  adminId: number;
  bobId: number;
  carolId: number;
  /** The admin's sign-in (agent, cookies). */
  admin: SignedIn;
  /** The admin's agent. */
  agent: Agent;
}

export interface WorldOptions {
  /** Merged over `{ enabled: true, canImpersonate: () => true }`. */
  impersonation?: ImpersonationOptions;
  /** Other config overrides. */
  config?: Partial<AuthConfig>;
  /** Sign the admin in with remember-me. */
  remember?: boolean;
  /** The admin's roles. @default AuthRole.Admin */
  adminRoles?: number;
  app?: TestAppOptions;
}

/** Registers ADMIN (with the Admin role), BOB and CAROL (no roles), builds the app and signs the admin in. */
export async function world(env: TestEnv, options: WorldOptions = {}): Promise<World> {
  const config = env.config({
    ...options.config,
    impersonation: { enabled: true, canImpersonate: () => true, ...options.impersonation },
  });
  // One after the other: a failure leaves no registration running into the next test.
  const admin = await register(config, ADMIN, PASSWORD);
  const bob = await register(config, BOB, PASSWORD);
  const carol = await register(config, CAROL, PASSWORD);
  await addRoleForUserBy(config, { accountId: admin.id }, options.adminRoles ?? AuthRole.Admin);
  const t = createTestApp(config, options.app);
  const signedIn = await signIn(t, ADMIN, PASSWORD, { remember: options.remember ?? false });
  return {
    t,
    config,
    adminId: admin.id,
    bobId: bob.id,
    carolId: carol.id,
    admin: signedIn,
    agent: signedIn.agent,
  };
}

/** `POST /call/<method>` with the given arguments. */
export function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

/** Starts impersonating (BOB by default) and expects success. Returns the response. */
export async function start(
  agent: Agent,
  identifier: unknown = { email: BOB },
  options?: { reason?: unknown; ttl?: unknown },
): Promise<Response> {
  const res = await call(agent, "startImpersonation", identifier, ...(options === undefined ? [] : [options]));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

/** Stops impersonating and expects success. */
export async function stop(agent: Agent): Promise<Response> {
  const res = await call(agent, "stopImpersonation");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

/** `GET /me`: `{ id, email, roles, remembered }`, or null when signed out. */
export async function whoami(
  agent: Agent,
): Promise<{ id: number; email: string; roles: string[]; remembered: boolean } | null> {
  const res = await agent.get("/me");
  if (res.status === 401) return null;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The email of the signed-in account, or null. */
export async function emailOf(agent: Agent): Promise<string | null> {
  return (await whoami(agent))?.email ?? null;
}

/** The banner facts, flattened: the same whichever shape `getImpersonationInfo()` returns. */
export interface FlatInfo {
  actorId: number;
  actorEmail: string;
  targetId: number;
  targetEmail: string;
  reason: string | null;
  startedAt: string;
  expiresAt: string;
}

type Party = { accountId: number; email: string };

/**
 * Normalises a `getImpersonationInfo()` result (dates as ISO strings after JSON) to {@link FlatInfo}:
 * it accepts the flat shape (`actorId`, `actorEmail`, …) and @prsm/auth's nested one
 * (`actor: { accountId, email }`, `target: { … }`), so the tests check the facts, not the layout.
 */
export function flatInfo(raw: unknown): FlatInfo | null {
  if (raw === null) return null;
  const r = raw as Record<string, unknown> & { actor?: Party; target?: Party };
  const nested = typeof r.actor === "object" && r.actor !== null;
  return {
    actorId: (nested ? r.actor!.accountId : r.actorId) as number,
    actorEmail: (nested ? r.actor!.email : r.actorEmail) as string,
    targetId: (nested ? r.target!.accountId : r.targetId) as number,
    targetEmail: (nested ? r.target!.email : r.targetEmail) as string,
    reason: (r.reason ?? null) as string | null,
    startedAt: r.startedAt as string,
    expiresAt: r.expiresAt as string,
  };
}

/** `getImpersonationInfo()` of the agent's session, flattened (dates as ISO strings), or null. */
export async function infoOf(agent: Agent): Promise<FlatInfo | null> {
  const res = await call(agent, "getImpersonationInfo");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return flatInfo(res.body.result);
}

/** Expects the 403 IMPERSONATION_NOT_ALLOWED refusal. */
export function expectRefused(res: Response): void {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error).toBe("IMPERSONATION_NOT_ALLOWED");
}

/** Expects a clean client error (4xx with a JSON error code), never a 500. */
export function expectClientError(res: Response, status?: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  expect(typeof res.body.error).toBe("string");
  if (status !== undefined) expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (code !== undefined) expect(res.body.error).toBe(code);
}

/** Every activity-log row, oldest first. */
export async function activityRows(env: TestEnv) {
  const a = authSchema.activityLog;
  return env.db.db.select().from(a).orderBy(a.id);
}

/** The activity-log rows of one action, oldest first. */
export async function activityOf(env: TestEnv, action: string) {
  const a = authSchema.activityLog;
  return env.db.db.select().from(a).where(eq(a.action, action)).orderBy(a.id);
}

/** Every session row. */
export async function sessionRows(env: TestEnv) {
  return env.db.db.select().from(authSchema.sessions);
}

/** The account row. */
export async function accountRow(env: TestEnv, accountId: number) {
  const a = authSchema.accounts;
  const [row] = await env.db.db.select().from(a).where(eq(a.id, accountId));
  return row;
}

/**
 * Changes an account's row directly, as another tool or a raw SQL statement would: no session is
 * deleted and no notification is sent, so only the resync can notice.
 */
export async function behindTheLibrarysBack(
  env: TestEnv,
  accountId: number,
  values: { status?: number; rolemask?: number; forceLogout?: number },
): Promise<void> {
  await env.db.db.update(authSchema.accounts).set(values).where(eq(authSchema.accounts.id, accountId));
}

/** The raw session id set by a response (it must set `connect.sid`). */
export const sidOfResponse = sessionIdOf;

/**
 * A new browser that holds only the given cookie (`remember_token=…`): its first request, `GET /me`,
 * is made with it; the agent keeps whatever that response sets. Returns the agent and that response.
 */
export async function browserWith(t: TestApp, cookie: string): Promise<{ agent: Agent; res: Response }> {
  const agent = t.agent();
  const res = await agent.get("/me").set("Cookie", cookie);
  return { agent, res };
}
