/**
 * `getSession(req, config)` and `GET /auth/session` (checklist CS-04, CS-05): the Auth.js session object
 * with only the allowlisted keys, read straight from the cookie and the database in any route, null for
 * every session that is not a live, signed-in one, failing closed on errors, and never throwing on
 * malformed cookies.
 */
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { eq } from "drizzle-orm";
import express from "express";
import session from "express-session";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authSchema } from "../../schema/index.js";
import {
  AuthRole,
  AuthStatus,
  addRoleForUserBy,
  createAuthMiddleware,
  createSessionStore,
  deleteUserBy,
  forceLogoutForUserBy,
  getSession,
  setStatusForUserBy,
} from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADA,
  BOB,
  COOKIE,
  type RestApp,
  SECRET,
  TWO_FACTOR,
  account,
  cookiePair,
  getSessionOf,
  pendingAgent,
  postJson,
  restApp,
  sessionOf,
  signIn,
  switchableDb,
  totpAccount,
} from "./helpers.js";

const env = useTestEnv();
const { sessions } = authSchema;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Signs ADA in through the router and returns the `auth.sid=…` pair. */
async function signedInCookie(rest: RestApp, email = ADA, extra: Record<string, unknown> = {}): Promise<string> {
  await account(rest, email);
  const res = await signIn(rest.agent(), email, PASSWORD, extra);
  const pair = cookiePair(res, COOKIE);
  expect(pair).toBeDefined();
  return pair!;
}

/** A plain Express app with no session middleware: one route answering `getSession(req, config)`. */
function bareApp(config: RestApp["config"]) {
  const app = express();
  app.get("/who", async (req, res) => void res.json({ session: await getSession(req, config) }));
  app.get("/health", (_req, res) => void res.json({ ok: true }));
  return app;
}

async function who(app: express.Express, cookie?: string) {
  let req = request(app).get("/who").timeout(10_000);
  if (cookie !== undefined) req = req.set("Cookie", cookie);
  const res = await req;
  expect(res.status, res.text).toBe(200);
  return res.body.session as Record<string, unknown> | null;
}

/** Calls getSession with a bare request object (no Express at all). */
function direct(config: RestApp["config"], headers: Record<string, unknown>) {
  return getSession({ headers } as unknown as IncomingMessage, config);
}

describe("getSession in an app without the router's middleware", () => {
  it("reads the signed-in session; null without a cookie", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest);
    const app = bareApp(rest.config);
    const view = await who(app, cookie);
    expect(Object.keys(view!).sort()).toEqual(["expires", "user"]);
    expect(view!.user).toMatchObject({ email: ADA, name: null, image: null, roles: [] });
    expect(await who(app)).toBeNull();
    expect(await direct(rest.config, { cookie })).toEqual(view);
  });

  it("with roles: the role names (CS-04 allowlist, nothing else)", async () => {
    const rest = restApp(env);
    const id = await account(rest);
    await addRoleForUserBy(rest.config, { accountId: id }, AuthRole.Admin);
    const res = await signIn(rest.agent());
    const view = await direct(rest.config, { cookie: cookiePair(res, COOKIE) });
    expect(view!.user.roles).toEqual(["Admin"]);
    expect(JSON.stringify(view)).not.toMatch(/argon2|rolemask|forceLogout|status|password/i);
  });
});

describe("getSession reads and never writes", () => {
  it("does not restore from a remember-me cookie; the next request through the router does", async () => {
    const rest = restApp(env);
    await account(rest);
    const res = await signIn(rest.agent(), ADA, PASSWORD, { remember: true });
    const remember = cookiePair(res, "remember_token")!;
    expect(await direct(rest.config, { cookie: remember })).toBeNull();
    const browser = request.agent(rest.app);
    const restored = await browser.get("/auth/session").set("Cookie", remember).timeout(10_000);
    expect(restored.body?.user).toMatchObject({ email: ADA });
    const session = cookiePair(restored, COOKIE)!;
    expect(await direct(rest.config, { cookie: session })).not.toBeNull();
  });

  it("does not extend the idle timeout: reading every 20 minutes still ends the session after 30", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest);
    env.clock.advance(20 * 60_000);
    expect(await direct(rest.config, { cookie })).not.toBeNull();
    env.clock.advance(20 * 60_000);
    expect(await direct(rest.config, { cookie })).toBeNull();
  });

  it("a rotated sessionSecret list ([new, old]) still verifies cookies signed with the old secret", async () => {
    const OLD = "the old session secret, thirty-two characters+";
    const NEW = "the new session secret, thirty-two characters+";
    const before = restApp(env, { config: { sessionSecret: OLD } });
    const cookie = await signedInCookie(before);
    const after = restApp(env, { config: { sessionSecret: [NEW, OLD] } });
    expect((await direct(after.config, { cookie }))?.user).toMatchObject({ email: ADA });
    const view = await request(after.app).get("/auth/session").set("Cookie", cookie).timeout(10_000);
    expect(view.body?.user).toMatchObject({ email: ADA });
    const dropped = restApp(env, { config: { sessionSecret: NEW } });
    expect(await direct(dropped.config, { cookie })).toBeNull();
  });
});

describe("getSession answers null for every session that is not live (CS-04)", () => {
  it("after sign-out", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const res = await signIn(agent);
    await postJson(agent, "/auth/signout");
    expect(await direct(rest.config, { cookie: cookiePair(res, COOKIE) })).toBeNull();
  });

  it("after the idle timeout (30 min) and after the absolute lifetime", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest);
    env.clock.advance(29 * 60_000);
    expect(await direct(rest.config, { cookie })).not.toBeNull();
    env.clock.advance(2 * 60_000);
    expect(await direct(rest.config, { cookie })).toBeNull();

    const long = restApp(env, {
      config: { sessionLifetime: "1h", sessionStore: { ttl: "4h", pruneInterval: false } },
    });
    const other = await signedInCookie(long, BOB);
    env.clock.advance(59 * 60_000);
    expect(await direct(long.config, { cookie: other })).not.toBeNull();
    env.clock.advance(2 * 60_000);
    expect(await direct(long.config, { cookie: other })).toBeNull();
  });

  it("for a banned account (setStatusForUserBy), a forced logout and a deleted account", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest, ADA);
    const agent = rest.agent();
    await account(rest, BOB);
    const bob = await signIn(agent, BOB);
    const bobCookie = cookiePair(bob, COOKIE)!;
    const [ada] = await env.db.db.select().from(authSchema.accounts).where(eq(authSchema.accounts.email, ADA));
    await setStatusForUserBy(rest.config, { accountId: ada!.id }, AuthStatus.Banned);
    expect(await direct(rest.config, { cookie })).toBeNull();
    expect(await who(bareApp(rest.config), cookie)).toBeNull();
    expect(await direct(rest.config, { cookie: bobCookie })).not.toBeNull();
    await forceLogoutForUserBy(rest.config, { email: BOB });
    expect(await direct(rest.config, { cookie: bobCookie })).toBeNull();
    expect(await sessionOf(agent)).toBeNull();

    const carol = await signedInCookie(rest, "carol@example.test");
    await deleteUserBy(rest.config, { email: "carol@example.test" });
    expect(await direct(rest.config, { cookie: carol })).toBeNull();
  });

  it("for a session waiting for its second factor (MF-08)", async () => {
    const rest = restApp(env, { config: TWO_FACTOR });
    await totpAccount(rest, env);
    const { res } = await pendingAgent(rest);
    expect(await direct(rest.config, { cookie: cookiePair(res, COOKIE) })).toBeNull();
  });

  it("for tampered, foreign, unsigned and duplicated cookies", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest);
    const value = decodeURIComponent(cookie.slice(COOKIE.length + 1));
    const sid = value.slice(2, value.lastIndexOf("."));
    const signature = value.slice(value.lastIndexOf(".") + 1);
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A");
    // The live session id, correctly signed (cookie-signature format) with a secret the config does not have.
    const foreignSignature = createHmac("sha256", "another secret of at least 32 characters!!")
      .update(sid)
      .digest("base64")
      .replace(/=+$/, "");
    const signedElsewhere = `${COOKIE}=${encodeURIComponent(`s:${sid}.${foreignSignature}`)}`;
    const resigned = createHmac("sha256", SECRET).update(sid).digest("base64").replace(/=+$/, "");
    expect(resigned).toBe(signature);
    const cases: [string, string | string[]][] = [
      ["signature changed", `${COOKIE}=${encodeURIComponent(`s:${sid}.${flip(signature)}`)}`],
      ["sid changed", `${COOKIE}=${encodeURIComponent(`s:${flip(sid)}.${signature}`)}`],
      ["unsigned sid", `${COOKIE}=${encodeURIComponent(sid)}`],
      ["signature dropped", `${COOKIE}=${encodeURIComponent(`s:${sid}`)}`],
      ["signed with another secret", signedElsewhere],
      ["the cookie twice", `${cookie}; ${cookie}`],
      ["the cookie and a second one", `${cookie}; ${COOKIE}=s%3Aattacker.sig`],
      ["the cookie twice, in two headers", [cookie, cookie]],
      ["under another name", cookie.replace(`${COOKIE}=`, "connect.sid=")],
    ];
    expect(await direct(rest.config, { cookie })).not.toBeNull();
    for (const [name, header] of cases) expect(await direct(rest.config, { cookie: header }), name).toBeNull();
    const app = bareApp(rest.config);
    expect(await who(app, `${cookie}; ${cookie}`)).toBeNull();
  });

  it("for a session row whose stored state was tampered with", async () => {
    const rest = restApp(env);
    const cookie = await signedInCookie(rest);
    const [row] = await env.db.db.select().from(sessions);
    const stored = JSON.parse(row!.sess) as { auth: Record<string, unknown> };
    for (const change of [{ loggedIn: "true" }, { accountId: "1" }, { forceLogout: null }, { startedAt: "x" }]) {
      const sess = JSON.stringify({ ...stored, auth: { ...stored.auth, ...change } });
      await env.db.db.update(sessions).set({ sess }).where(eq(sessions.id, row!.id));
      expect(await direct(rest.config, { cookie }), JSON.stringify(change)).toBeNull();
    }
    await env.db.db.update(sessions).set({ sess: "not json" }).where(eq(sessions.id, row!.id));
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await direct(rest.config, { cookie })).toBeNull();
  });

  it("purpose binding: a remember-me token or a CSRF token in the session cookie's slot gives nothing (CS-05)", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const res = await signIn(agent, ADA, PASSWORD, { remember: true });
    const remember = cookiePair(res, "remember_token")!.split("=").slice(1).join("=");
    const csrf = (await agent.get("/auth/csrf")).body.csrfToken as string;
    for (const value of [remember, csrf, `s:${csrf}`]) {
      expect(await direct(rest.config, { cookie: `${COOKIE}=${value}` })).toBeNull();
      const fresh = request.agent(rest.app);
      const view = await fresh.get("/auth/session").set("Cookie", `${COOKIE}=${value}`).timeout(10_000);
      expect(view.status).toBe(200);
      expect(view.body).toBeNull();
    }
  });
});

describe("malformed cookies and headers never throw and never crash a request (CS-05)", () => {
  const HEADERS: [string, Record<string, unknown>][] = [
    ["bad percent-encoding", { cookie: `${COOKIE}=%E0%A4%A` }],
    ["an 8 KB cookie", { cookie: `${COOKIE}=s%3A${"a".repeat(8192)}.sig` }],
    ["a 20 KB header", { cookie: `x=${"b".repeat(20_000)}; ${COOKIE}=s%3Aabc.def` }],
    ["a cookie with no value", { cookie: `${COOKIE}=` }],
    ["a cookie with no name", { cookie: "=value; ;;; =" }],
    ["quotes only", { cookie: `${COOKIE}="` }],
    ["a non-string header", { cookie: 42 }],
    ["an object header", { cookie: { toString: () => `${COOKIE}=x` } }],
    ["a bearer header with bad encoding", { authorization: "Bearer %zz", cookie: `${COOKIE}=%zz` }],
    ["latin-1 bytes", { cookie: `${COOKIE}=s%3A\u00ff\u00fe.\u00e9` }],
    ["no headers at all", {}],
  ];

  it.each(HEADERS)("getSession with %s → null", async (_name, headers) => {
    const rest = restApp(env);
    await expect(direct(rest.config, headers)).resolves.toBeNull();
  });

  it("over HTTP: the router answers 200 null (or 4xx), getSession null, and the app keeps serving", async () => {
    const rest = restApp(env);
    const app = bareApp(rest.config);
    const errors = vi.spyOn(console, "error");
    for (const header of [
      `${COOKIE}=%E0%A4%A`,
      `${COOKIE}=s%3A${"a".repeat(8192)}.sig`,
      `${COOKIE}=a; ${COOKIE}=b`,
      `${COOKIE}=s%3A%FF%FE.x`,
      `${COOKIE}="unterminated`,
    ]) {
      const view = await request(rest.app).get("/auth/session").set("Cookie", header).timeout(10_000);
      expect(view.status, header.slice(0, 40)).toBeLessThan(500);
      if (view.status === 200) expect(view.body).toBeNull();
      expect(await who(app, header)).toBeNull();
      const page = await request(rest.app).get("/auth/signin").set("Cookie", header).timeout(10_000);
      expect(page.status).toBeLessThan(500);
    }
    const bearer = await request(rest.app).get("/auth/session").set("Authorization", "Bearer %zz").timeout(10_000);
    expect(bearer.status).toBe(200);
    expect((await request(app).get("/health").timeout(10_000)).body).toEqual({ ok: true });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe("getSession fails closed (CS-04)", () => {
  it("a database that fails after sign-in gives null and a log line naming no secret, never a truthy object", async () => {
    const broken = switchableDb(env.db.db);
    const rest = restApp(env, { config: { db: broken.db } });
    const cookie = await signedInCookie(rest);
    expect(await direct(rest.config, { cookie })).not.toBeNull();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    broken.fail = true;
    const result = await direct(rest.config, { cookie });
    expect(result).toBeNull();
    expect(logged).toHaveBeenCalledTimes(1);
    const line = logged.mock.calls[0]!.join(" ");
    expect(line).toMatch(/getSession failed/);
    expect(line).not.toContain(cookie.split("=")[1]!.slice(0, 12));
    expect(line).not.toContain("connection refused");
    // Over HTTP too: the bare app's route sees null, not an error object.
    expect(await who(bareApp(rest.config), cookie)).toBeNull();
    broken.fail = false;
    expect(await direct(rest.config, { cookie })).not.toBeNull();
  });

  it("a config that cannot become a context (no database) gives null and a log line", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const config = { secret: SECRET, db: undefined } as unknown as RestApp["config"];
    await expect(
      getSession({ headers: { cookie: `${COOKIE}=s%3Aabc.def` } } as IncomingMessage, config),
    ).resolves.toBeNull();
    expect(logged).toHaveBeenCalled();
  });

  it("the router's GET /session answers 500 (never a session) when the database fails", async () => {
    const broken = switchableDb(env.db.db);
    const rest = restApp(env, { config: { db: broken.db } });
    await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    vi.spyOn(console, "error").mockImplementation(() => {});
    broken.fail = true;
    const res = await agent.get("/auth/session").set("Accept", "application/json");
    expect(res.status === 200 ? res.body : null, res.text).toBeNull();
    if (res.status !== 200) expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.text).not.toMatch(/ada@example|ECONNREFUSED|connection refused|stack/i);
    broken.fail = false;
  });
});

describe("impersonation in the session object (CS-04)", () => {
  it("GET /auth/session and getSession add impersonatedBy {id, email, expires} and nothing else", async () => {
    const APP_COOKIE = "app.sid";
    const APP_SECRET = "the application's own session secret, 32+ chars";
    const rest = restApp(env, {
      config: {
        sessionCookieName: APP_COOKIE,
        sessionSecret: APP_SECRET,
        impersonation: { enabled: true, canImpersonate: () => true },
      },
      before: (app, config) => {
        app.use(
          session({
            name: APP_COOKIE,
            secret: APP_SECRET,
            store: createSessionStore(config, { pruneInterval: false }),
            resave: false,
            saveUninitialized: false,
          }),
        );
        app.use(express.json(), createAuthMiddleware(config));
        app.post("/admin/impersonate", async (req, res, next) => {
          try {
            await req.auth.startImpersonation({ email: req.body.email }, { reason: "support" });
            res.json({ ok: true });
          } catch (err) {
            next(err);
          }
        });
      },
    });
    const adminId = await account(rest, "admin@example.test");
    await addRoleForUserBy(rest.config, { accountId: adminId }, AuthRole.Admin);
    await account(rest, BOB);
    const agent = rest.agent();
    await signIn(agent, "admin@example.test");
    const started = await agent.post("/admin/impersonate").send({ email: BOB });
    expect(started.status, started.text).toBe(200);
    const view = await sessionOf(agent);
    expect(Object.keys(view!).sort()).toEqual(["expires", "impersonatedBy", "user"]);
    expect(view!.user).toMatchObject({ email: BOB, roles: [] });
    expect(view!.impersonatedBy).toEqual({ id: adminId, email: "admin@example.test", expires: expect.any(String) });
    expect(new Date((view!.impersonatedBy as { expires: string }).expires).getTime()).toBeGreaterThan(
      env.clock.now().getTime(),
    );
    expect(await getSessionOf(agent)).toEqual({ ...view, expires: expect.any(String) });
    // Signing out ends the impersonation and returns to the admin's own session.
    expect((await postJson(agent, "/auth/signout")).status).toBe(200);
    const back = await sessionOf(agent);
    expect(back).toMatchObject({ user: { email: "admin@example.test" } });
    expect(back!.impersonatedBy).toBeUndefined();
    // Banning the actor while impersonating ends what getSession will vouch for.
    expect((await agent.post("/admin/impersonate").send({ email: BOB })).status).toBe(200);
    expect((await getSessionOf(agent))?.impersonatedBy).toBeDefined();
    await setStatusForUserBy(rest.config, { accountId: adminId }, AuthStatus.Banned);
    expect(await getSessionOf(agent)).toBeNull();
  });
});
