/** An app with every provider pointed at one local stand-in IdP, and the browser steps of a flow. */
import { eq } from "drizzle-orm";
import type express from "express";
import type request from "supertest";
import type { Response } from "supertest";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import type { KeyedProvidersConfig } from "../../src/providers/registry.js";
import type { AuthNotification } from "../../src/primitives/notification.js";
import { UnknownProviderError } from "../../src/errors.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, type TestEnv } from "../helpers/setup.js";
import { consent, type MockIdp, CLIENT_ID, CLIENT_SECRET, startMockIdp } from "../providers/mock-idp.js";

export type Agent = ReturnType<typeof request.agent>;

/** A secret long enough for `config.secret` (two-factor needs one). */
export const APP_SECRET = "an oauth test application secret of 32+ characters";

type Extra = Record<string, Record<string, unknown>>;

/**
 * The provider section pointing github, google, azure and a custom OIDC entry (`keycloak`) at the
 * stand-in. `extra[name]` is merged into that entry (its `endpoints` into the stand-in's endpoints).
 */
export function providersFor(idp: MockIdp, extra: Extra = {}) {
  const endpoints = { authorization: `${idp.url}/authorize`, token: `${idp.url}/token` };
  const entry = (name: string, own: Record<string, unknown>, ownEndpoints: Record<string, unknown> = {}) => {
    const { endpoints: extraEndpoints, ...rest } = extra[name] ?? {};
    return {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `http://127.0.0.1/oauth/${name}/callback`,
      ...own,
      ...rest,
      endpoints: { ...endpoints, ...ownEndpoints, ...(extraEndpoints as Record<string, unknown> | undefined) },
    };
  };
  return {
    github: entry("github", {}, { api: idp.url }),
    google: entry("google", {}, { userinfo: `${idp.url}/userinfo` }),
    azure: entry("azure", { tenantId: "tenant-1" }),
    keycloak: entry("keycloak", { type: "oidc" as const }, { userinfo: `${idp.url}/oidc-userinfo` }),
  } as KeyedProvidersConfig;
}

/** Starts one stand-in IdP for the test file and resets what it serves and saw before each test. */
export function useMockIdp(): { idp: MockIdp } {
  const holder = {} as { idp: MockIdp };
  beforeAll(async () => {
    holder.idp = await startMockIdp();
  });
  afterAll(() => holder.idp.close());
  beforeEach(() => {
    const idp = holder.idp;
    idp.json.clear();
    idp.publicPaths.clear();
    idp.publicPaths.add("/.well-known/openid-configuration");
    idp.idTokenClaims = null;
    idp.tokenOverride = null;
    idp.reuseCodes = false;
    idp.requests.length = 0;
  });
  return holder;
}

function provider(req: express.Request) {
  const handle = req.auth.providers[String(req.params.provider)];
  if (!handle) throw new UnknownProviderError();
  return handle;
}

/** Routes a real app would have: start, callback, link start and unlink, per provider. */
export function oauthRoutes(app: express.Express): void {
  const wrap =
    (fn: (req: express.Request, res: express.Response) => Promise<unknown>): express.RequestHandler =>
    (req, res, next) =>
      void fn(req, res).catch(next);
  app.get(
    "/oauth/:provider/start",
    wrap(async (req, res) => {
      // Discovery runs in the background from startup; a start route waits for its own provider only.
      const handle = provider(req);
      await handle.ready();
      res.redirect(handle.getAuthUrl({ remember: req.query.remember === "1" }));
    }),
  );
  app.get(
    "/oauth/:provider/link-start",
    wrap(async (req, res) => res.redirect(provider(req).getLinkUrl())),
  );
  app.get(
    "/oauth/:provider/callback",
    wrap(async (req, res) => res.json(await provider(req).handleCallback(req))),
  );
  app.get(
    "/oauth/:provider/link-callback",
    wrap(async (req, res) => res.json(await provider(req).link(req))),
  );
  app.get(
    "/oauth/:provider/userdata",
    wrap(async (req, res) => res.json(await provider(req).getUserData(req))),
  );
  app.post(
    "/oauth/:provider/unlink",
    wrap(async (req, res) => {
      await provider(req).unlink();
      res.json({ ok: true });
    }),
  );
}

/** The test app with the OAuth routes. */
export function oauthApp(config: AuthConfig): TestApp {
  return createTestApp(config, { routes: oauthRoutes });
}

/** Starts a flow: returns the authorization URL the app redirected to. */
export async function startFlow(agent: Agent, name: string, query = ""): Promise<URL> {
  const res = await agent.get(
    `/oauth/${name}/${query === "link" ? "link-start" : "start"}${query && query !== "link" ? `?${query}` : ""}`,
  );
  expect(res.status, res.text).toBe(302);
  return new URL(res.headers.location!);
}

/** The user consents at the stand-in; returns the app-relative callback path it sends the browser to. */
export async function consentPath(url: URL, callback = "callback"): Promise<string> {
  const { code, state } = await consent(url);
  const name = new URL(url.searchParams.get("redirect_uri")!).pathname.split("/")[2];
  return `/oauth/${name}/${callback}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
}

/** Starts a flow and consents: the `code` and `state` the provider sent back, and the authorization URL. */
export async function startAndConsent(agent: Agent, name: string, query = "") {
  const url = await startFlow(agent, name, query);
  const { code, state } = await consent(url);
  return { url, code, state };
}

/** A whole sign-in: start, consent, callback. Returns the callback response. */
export async function signInWith(agent: Agent, name: string, options: { remember?: boolean } = {}) {
  const url = await startFlow(agent, name, options.remember ? "remember=1" : "");
  return agent.get(await consentPath(url));
}

/** A whole link flow from a signed-in session. Returns the callback response. */
export async function linkWith(agent: Agent, name: string, callback = "link-callback") {
  const url = await startFlow(agent, name, "link");
  return agent.get(await consentPath(url, callback));
}

/** GitHub's answer for a user: `/user` and `/user/emails`. */
export function githubUser(
  idp: MockIdp,
  user: { id: number; login?: string; name?: string; email?: string; verified?: boolean; primary?: boolean },
): void {
  idp.json.set("/user", {
    id: user.id,
    login: user.login ?? `user${user.id}`,
    name: user.name ?? null,
    avatar_url: "https://avatars.test/u.png",
  });
  idp.json.set(
    "/user/emails",
    user.email ? [{ email: user.email, primary: user.primary ?? true, verified: user.verified ?? true }] : [],
  );
}

/** Google's userinfo answer. */
export function googleUser(
  idp: MockIdp,
  user: { sub: string; email?: string; verified?: boolean; name?: string },
): void {
  idp.json.set("/userinfo", {
    sub: user.sub,
    email: user.email,
    email_verified: user.verified ?? true,
    name: user.name ?? "Google User",
    picture: "https://pics.test/g.png",
  });
}

/** Entra's ID token claims. */
export function entraUser(idp: MockIdp, user: { oid: string; tid?: string; email?: string }): void {
  idp.idTokenClaims = {
    aud: CLIENT_ID,
    oid: user.oid,
    tid: user.tid ?? "tenant-1",
    email: user.email,
    name: "Entra User",
  };
}

/** A custom OIDC provider's answer: ID token claims plus the userinfo document at `/oidc-userinfo`. */
export function oidcUser(
  idp: MockIdp,
  user: { sub: string; email?: string; verified?: boolean; name?: string; username?: string; iss?: string },
): void {
  idp.idTokenClaims = { aud: CLIENT_ID, sub: user.sub, ...(user.iss ? { iss: user.iss } : {}) };
  idp.json.set("/oidc-userinfo", {
    sub: user.sub,
    email: user.email,
    email_verified: user.verified ?? true,
    name: user.name ?? "OIDC User",
    preferred_username: user.username ?? `oidc-${user.sub}`,
  });
}

/** How many token requests the stand-in received. */
export function tokenCalls(idp: MockIdp): number {
  return idp.requests.filter((r) => r.path === "/token").length;
}

/** Every access token the stand-in issued that the app then used (from the `Authorization` headers it saw). */
export function usedAccessTokens(idp: MockIdp): string[] {
  const tokens = idp.requests
    .map((r) => /^Bearer (at-[0-9a-f]+)$/.exec(String(r.headers.authorization ?? ""))?.[1])
    .filter((t): t is string => t !== undefined);
  return [...new Set(tokens)];
}

/** Expects a clean client error (4xx with a JSON error code), never a 500. */
export function expectClientError(res: Response, status?: number, code?: string): void {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text).toBeLessThan(500);
  expect(res.headers["content-type"] ?? "", res.text).toMatch(/application\/json/);
  if (status !== undefined) expect(res.status, res.text).toBe(status);
  if (code !== undefined) expect(res.body.error, res.text).toBe(code);
}

/** Every account row, by id. */
export function accountRows(env: TestEnv) {
  const a = authSchema.accounts;
  return env.db.db.select().from(a).orderBy(a.id);
}

/** The account row with this (canonical) email, if any. */
export async function accountByEmail(env: TestEnv, email: string) {
  const a = authSchema.accounts;
  const [row] = await env.db.db.select().from(a).where(eq(a.email, email));
  return row;
}

/** Every provider (identity) row, by id. */
export function providerRows(env: TestEnv) {
  const p = authSchema.providers;
  return env.db.db.select().from(p).orderBy(p.id);
}

/** The activity-log rows of one action, oldest first. */
export function activityOf(env: TestEnv, action: string) {
  const a = authSchema.activityLog;
  return env.db.db.select().from(a).where(eq(a.action, action)).orderBy(a.id);
}

/** Everything a table holds, as one JSON string (to assert that a secret appears nowhere in it). */
export async function tableText(env: TestEnv, table: keyof typeof authSchema): Promise<string> {
  const rows = await env.db.db.select().from(authSchema[table] as never);
  return JSON.stringify(rows);
}

/** Sets an account's status directly in the database (what an admin ban does). */
export async function setStatus(env: TestEnv, accountId: number, status: number): Promise<void> {
  const a = authSchema.accounts;
  await env.db.db.update(a).set({ status }).where(eq(a.id, accountId));
}

/** Registers a password account through `/register` (verified) and returns its id. */
export async function registerVerified(t: TestApp, email: string, password = PASSWORD): Promise<number> {
  const res = await t.agent().post("/register").send({ email, password });
  expect(res.status, res.text).toBe(200);
  return res.body.id as number;
}

/** Registers a password account that has not confirmed its address (a confirmation token is "mailed"). */
export async function registerUnverified(t: TestApp, email: string, password = PASSWORD): Promise<number> {
  const res = await t
    .agent()
    .post("/call/register")
    .send({ args: [email, password, null, "$callback"] });
  expect(res.status, res.text).toBe(200);
  return res.body.result.id as number;
}

/** An agent signed in with a password (the account must exist). */
export async function passwordAgent(t: TestApp, email: string, password = PASSWORD): Promise<Agent> {
  const agent = t.agent();
  const res = await agent.post("/login").send({ email, password });
  expect(res.status, res.text).toBe(200);
  return agent;
}

/** `POST /call/<path>` with the given arguments. */
export function call(agent: Agent, path: string, ...args: unknown[]) {
  return agent.post(`/call/${path}`).send({ args });
}

/** A `config.notify` that records what it was told. */
export function notifications(): { notify: (n: AuthNotification) => void; sent: AuthNotification[] } {
  const sent: AuthNotification[] = [];
  return { notify: (n) => void sent.push(n), sent };
}
