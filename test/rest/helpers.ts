/**
 * Shared steps of the REST router tests: an app with `ExpressAuth` mounted at `/auth` (Express 5 or 4,
 * with whatever the app mounts before and after it), agents whose every request has a deadline (so a
 * hanging request fails the test instead of stalling it), the CSRF dance, JSON and form posts, and a
 * database wrapper that can be switched to fail (for the fail-closed tests).
 */
import express from "express";
import request from "supertest";
import type { Response } from "supertest";
import { expect } from "vitest";
import type { AnyPgDatabase } from "../../src/primitives/database.js";
import { type AuthLink, type ExpressAuthConfig, ExpressAuth, getSession, register } from "../../src/index.js";
import { PASSWORD, type TestEnv } from "../helpers/setup.js";
import { consent } from "../providers/mock-idp.js";
import { codeAt } from "../two-factor/helpers.js";

/** `secret` and `sessionSecret` of the test apps (at least 32 characters). */
export const SECRET = "a rest router test secret of at least 32 characters";
/** The router's session cookie name when cookies are not secure. */
export const COOKIE = "auth.sid";
export const ADA = "ada@example.test";
export const BOB = "bob@example.test";
/** What the OA-05 tests present the app as (`Host: app.test`, `X-Forwarded-Proto: https`, trust proxy on). */
export const APP_ORIGIN = "https://app.test";
/** Every request of a test agent: a first byte within 15 s and the whole answer within 25 s. */
export const DEADLINE = { response: 15_000, deadline: 25_000 };

export type Agent = ReturnType<typeof request.agent>;

/** The links the app was asked to mail. */
export interface Mailbox {
  verifications: AuthLink[];
  resets: AuthLink[];
}

/** Options of {@link restApp}. */
export interface RestAppOptions {
  /** The express module (Express 5 by default; pass `express4` for Express 4). */
  expressModule?: typeof express;
  /** Config overrides (merged over the test config). */
  config?: Partial<ExpressAuthConfig>;
  /** Mounted before the router (parsers, the app's own session...). */
  before?: (app: express.Express, config: ExpressAuthConfig) => void;
  /** Mounted after the router and the app's `/me`, before the final 404. */
  after?: (app: express.Express, config: ExpressAuthConfig) => void;
  /** `app.set("trust proxy", true)`. */
  trustProxy?: boolean;
  /** No mail hooks (the routes needing them answer NOT_CONFIGURED). */
  noMail?: boolean;
}

/** A running app: the router at `/auth`, `GET /me` answering `getSession(req, config)`, a JSON 404 last. */
export interface RestApp {
  app: express.Express;
  config: ExpressAuthConfig;
  mail: Mailbox;
  /** A cookie-keeping agent whose requests all have {@link DEADLINE}. */
  agent(): Agent;
}

/** Adds the deadline to every request an agent makes. */
export function withDeadline(agent: Agent, deadline = DEADLINE): Agent {
  for (const method of ["get", "post", "put", "patch", "delete", "head", "options"] as const) {
    const original = agent[method].bind(agent) as (url: string) => request.Test;
    (agent as unknown as Record<string, (url: string) => request.Test>)[method] = (url: string) =>
      original(url).timeout(deadline);
  }
  return agent;
}

/** The test config of the router on the worker database and the test clock. */
export function restConfig(env: TestEnv, mail: Mailbox | null, overrides: Partial<ExpressAuthConfig> = {}) {
  const config: ExpressAuthConfig = {
    ...env.config(),
    secret: SECRET,
    sessionStore: { pruneInterval: false },
    ...(mail
      ? {
          mail: {
            sendVerification: (link: AuthLink) => void mail.verifications.push(link),
            sendPasswordReset: (link: AuthLink) => void mail.resets.push(link),
          },
        }
      : {}),
    ...overrides,
  };
  return config;
}

/** Builds an app with the router mounted at `/auth`. */
export function restApp(env: TestEnv, options: RestAppOptions = {}): RestApp {
  const ex = options.expressModule ?? express;
  const mail: Mailbox = { verifications: [], resets: [] };
  const config = restConfig(env, options.noMail ? null : mail, options.config);
  const app = ex() as express.Express;
  if (options.trustProxy) app.set("trust proxy", true);
  options.before?.(app, config);
  app.use("/auth", ExpressAuth(config));
  app.get("/me", async (req, res) => void res.json({ session: await getSession(req, config) }));
  options.after?.(app, config);
  app.use((req, res) => void res.status(404).json({ fellThrough: true, method: req.method, path: req.path }));
  app.use(((err, _req, res, _next) => {
    const status = typeof err?.status === "number" ? err.status : 500;
    res.status(status).json({ appError: true, status });
  }) as express.ErrorRequestHandler);
  return { app, config, mail, agent: () => withDeadline(request.agent(app)) };
}

/** The session's CSRF token from `GET /auth/csrf`. */
export async function csrfOf(agent: Agent): Promise<string> {
  const res = await agent.get("/auth/csrf");
  expect(res.status, res.text).toBe(200);
  expect(typeof res.body.csrfToken).toBe("string");
  return res.body.csrfToken as string;
}

/** A JSON POST to the router with a fresh CSRF token of the agent's session (unless `csrfToken` is given). */
export async function postJson(agent: Agent, path: string, body: Record<string, unknown> = {}): Promise<Response> {
  const csrfToken = "csrfToken" in body ? body.csrfToken : await csrfOf(agent);
  return agent
    .post(path)
    .set("Accept", "application/json")
    .send({ ...body, csrfToken });
}

/** A browser form POST (urlencoded, `Accept: text/html`) with a fresh CSRF token unless one is given. */
export async function postForm(agent: Agent, path: string, body: Record<string, string> = {}): Promise<Response> {
  const csrfToken = "csrfToken" in body ? body.csrfToken! : await csrfOf(agent);
  return agent
    .post(path)
    .type("form")
    .set("Accept", "text/html,application/xhtml+xml")
    .send({ ...body, csrfToken });
}

/** A verified password account, created directly (one hash). Returns its id. */
export async function account(rest: RestApp, email = ADA, password = PASSWORD): Promise<number> {
  return (await register(rest.config, email, password)).id;
}

/** Signs an agent in with a password over JSON; expects success. */
export async function signIn(agent: Agent, email = ADA, password = PASSWORD, extra: Record<string, unknown> = {}) {
  const res = await postJson(agent, "/auth/signin/credentials", { email, password, ...extra });
  expect(res.status, res.text).toBe(200);
  return res;
}

/** A new agent with a verified account signed in. */
export async function signedInAgent(rest: RestApp, email = ADA): Promise<Agent> {
  await account(rest, email);
  const agent = rest.agent();
  await signIn(agent, email);
  return agent;
}

/** `GET /auth/session`'s body. */
export async function sessionOf(agent: Agent): Promise<Record<string, unknown> | null> {
  const res = await agent.get("/auth/session");
  expect(res.status, res.text).toBe(200);
  return res.body as Record<string, unknown> | null;
}

/** What `getSession(req, config)` returned in the app's `/me` route. */
export async function getSessionOf(agent: Agent): Promise<Record<string, unknown> | null> {
  const res = await agent.get("/me");
  expect(res.status, res.text).toBe(200);
  return res.body.session as Record<string, unknown> | null;
}

/** Every `Set-Cookie` line of a response. */
export function setCookies(res: Response): string[] {
  const header = res.headers["set-cookie"] as string | string[] | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/** `name=value` of a cookie the response set. */
export function cookiePair(res: Response, name: string): string | undefined {
  return setCookies(res)
    .find((c) => c.startsWith(`${name}=`))
    ?.split(";")[0];
}

/** The values of every hidden input named `name` in a page. */
export function hiddenValues(html: string, name: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\btype="hidden"/.test(tag) || !new RegExp(`\\bname="${name}"`).test(tag)) continue;
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
    if (value !== undefined) out.push(unescape(value));
  }
  return out;
}

/** Every `href` and form `action` of a page (unescaped). */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/\s(?:href|action)="([^"]*)"/g)].map((m) => unescape(m[1]!));
}

function unescape(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, "`")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The CSRF token of a rendered page's forms. */
export function pageCsrf(html: string): string {
  const token = hiddenValues(html, "csrfToken")[0];
  expect(token, html).toBeTruthy();
  return token!;
}

/** Headers that make the request come from `https://app.test` through a proxy (with `trustProxy`). */
export const APP_HEADERS = { Host: "app.test", "X-Forwarded-Proto": "https" } as const;

/** Starts an OAuth sign-in with `GET /auth/signin/:provider` (browser style); returns the IdP URL. */
export async function startOAuth(agent: Agent, provider: string, query = ""): Promise<URL> {
  const res = await agent.get(`/auth/signin/${provider}${query ? `?${query}` : ""}`).set("Accept", "text/html");
  expect(res.status, res.text).toBe(303);
  return new URL(res.headers.location!);
}

/** The user consents at the stand-in IdP: the router's callback path with its `code` and `state`. */
export async function callbackPath(idpUrl: URL, provider: string): Promise<string> {
  const { code, state } = await consent(idpUrl);
  return `/auth/callback/${provider}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
}

/** A database whose queries can be made to fail: `broken.fail = true` makes every statement throw. */
export function switchableDb(db: AnyPgDatabase): { db: AnyPgDatabase; fail: boolean } {
  const holder = { fail: false } as { db: AnyPgDatabase; fail: boolean };
  const failing = new Set(["select", "insert", "update", "delete", "execute", "transaction", "selectDistinct"]);
  holder.db = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (holder.fail && typeof prop === "string" && failing.has(prop))
        return () => {
          throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
        };
      return value;
    },
  });
  return holder;
}

/** Two-factor on (the test secret encrypts the TOTP secrets). */
export const TWO_FACTOR = { twoFactor: { enabled: true } } as const;

/** Enrols TOTP through the router's JSON endpoints on a signed-in agent; returns the secret and backup codes. */
export async function enrolTotp(agent: Agent, now: () => Date) {
  const setup = await postJson(agent, "/auth/two-factor/setup/totp");
  expect(setup.status, setup.text).toBe(200);
  const secret = setup.body.secret as string;
  const done = await postJson(agent, "/auth/two-factor/setup/totp/confirm", { code: codeAt(secret, now()) });
  expect(done.status, done.text).toBe(200);
  return { secret, backupCodes: done.body.backupCodes as string[], setup: setup.body as Record<string, unknown> };
}

/**
 * A verified account with TOTP enrolled (through the router), signed out again; the clock is then one
 * step on, so the enrolment code is spent. Needs an app with {@link TWO_FACTOR}.
 */
export async function totpAccount(rest: RestApp, env: TestEnv, email = ADA) {
  const agent = await signedInAgent(rest, email);
  const enrolled = await enrolTotp(agent, env.clock.now);
  expect((await postJson(agent, "/auth/signout")).status).toBe(200);
  env.clock.advance(30_000);
  return enrolled;
}

/** Starts a password sign-in of a TOTP account over JSON; expects the second-factor answer. */
export async function pendingAgent(rest: RestApp, email = ADA): Promise<{ agent: Agent; res: Response }> {
  const agent = rest.agent();
  const res = await postJson(agent, "/auth/signin/credentials", { email, password: PASSWORD });
  expect(res.status, res.text).toBe(401);
  expect(res.body.error).toBe("SECOND_FACTOR_REQUIRED");
  return { agent, res };
}
