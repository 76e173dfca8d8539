import { createServer } from "node:http";
import { eq, sql } from "drizzle-orm";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { type AuthenticateRequestOptions, authenticateRequest } from "../../src/admin/authenticate-request.js";
import type { AuthConfig } from "../../src/config.js";
import session from "express-session";
import { createSessionStore } from "../../src/express/session-store.js";
import { register, setStatusForUserBy } from "../../src/standalone.js";
import { createTestApp } from "../helpers/app.js";
import { cookiePair, signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { countingConfig, expectCode, expectNoSecrets, storedSecrets, t } from "./helpers.js";

const env = useTestEnv();
const SECRET = "test session secret that is long enough"; // createTestApp's session secret
const ALICE = "alice@example.test";
/** The public fields of an AuthAccount: nothing else may come back. */
const ACCOUNT_KEYS = [
  "email",
  "forceLogout",
  "hasPassword",
  "id",
  "lastLogin",
  "registered",
  "resettable",
  "rolemask",
  "status",
  "userId",
  "verified",
];

/** A plain Node HTTP server (no Express) answering `{ account }` from authenticateRequest, or 500. */
function rawServer(config: AuthConfig, options: AuthenticateRequestOptions = { secret: SECRET }) {
  return createServer((req, res) => {
    authenticateRequest(config, req, options).then(
      (account) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ account })),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
}

/** GET / on the raw server with a Cookie header; expects 200 and returns the account (or null). */
async function accountFor(config: AuthConfig, cookie: string | null, options?: AuthenticateRequestOptions) {
  let req = request(rawServer(config, options)).get("/");
  if (cookie !== null) req = req.set("Cookie", cookie);
  const res = await req;
  expect(res.status, res.text).toBe(200);
  return res.body.account as { id: number; email: string; hasPassword: boolean } | null;
}

/** Alice registered and signed in (optionally remembered) through the Express test app. */
async function aliceSignedIn(config: AuthConfig, remember = false) {
  const alice = await register(config, ALICE, PASSWORD);
  const app = createTestApp(config);
  return { alice, app, ...(await signIn(app, ALICE, PASSWORD, { remember })) };
}

describe("authenticateRequest(): the session cookie", () => {
  it("resolves the signed-in account of an express-session cookie, without the password hash", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    const account = await accountFor(config, sessionCookie);
    expect(account).toMatchObject({ id: alice.id, email: ALICE, hasPassword: true, status: 0 });
    expect(Object.keys(account!).sort()).toEqual(ACCOUNT_KEYS);
    expectNoSecrets(account, await storedSecrets(env));
  });

  it("costs one SQL statement for a session, one for a remember-me cookie, none without cookies", async () => {
    const { alice, sessionCookie, rememberCookie } = await aliceSignedIn(env.config(), true);
    const { config, statements } = countingConfig(env);
    const headers = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } });
    expect((await authenticateRequest(config, headers(sessionCookie), { secret: SECRET }))?.id).toBe(alice.id);
    expect(statements).toHaveLength(1);
    expect((await authenticateRequest(config, headers(rememberCookie), { secret: SECRET }))?.id).toBe(alice.id);
    expect(statements).toHaveLength(2);
    expect(await authenticateRequest(config, headers(), { secret: SECRET })).toBeNull();
    expect(statements).toHaveLength(2);
  });

  it("returns null without cookies, and after logout", async () => {
    const config = env.config();
    const { agent, sessionCookie } = await aliceSignedIn(config);
    expect(await accountFor(config, null)).toBeNull();
    await agent.post("/call/logout").send({ args: [] }).expect(200);
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });

  it("accepts any of several secrets (rotation), and refuses a cookie signed with another secret", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    const rotated = { secret: ["a newer session secret", SECRET] };
    expect((await accountFor(config, sessionCookie, rotated))?.id).toBe(alice.id);
    expect(await accountFor(config, sessionCookie, { secret: "some other secret" })).toBeNull();
  });

  it("honours a custom cookie name", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    const renamed = sessionCookie.replace(/^connect\.sid=/, "app.sid=");
    expect((await accountFor(config, renamed, { secret: SECRET, name: "app.sid" }))?.id).toBe(alice.id);
    expect(await accountFor(config, renamed)).toBeNull();
  });

  it("SE-05: returns null once the account is not Normal, even if its session row survived", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    await env.db.db.update(t.accounts).set({ status: 2 }).where(eq(t.accounts.id, alice.id));
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });

  it("returns null once the account's force_logout counter passed the session's", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    await env.db.db
      .update(t.accounts)
      .set({ forceLogout: sql`${t.accounts.forceLogout} + 1` })
      .where(eq(t.accounts.id, alice.id));
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });

  it("SE-03: returns null after the absolute session lifetime, even when the row is unexpired", async () => {
    const config = env.config({ sessionLifetime: "2h" });
    const { sessionCookie } = await aliceSignedIn(config);
    await env.db.db.update(t.sessions).set({ expires: new Date(env.clock.now().getTime() + 86_400_000) });
    env.clock.advance(60 * 60_000);
    expect(await accountFor(config, sessionCookie)).not.toBeNull();
    env.clock.advance(61 * 60_000);
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });

  it("SE-03: returns null when the session row has expired (idle timeout)", async () => {
    const config = env.config();
    const { sessionCookie } = await aliceSignedIn(config);
    env.clock.advance(31 * 60_000); // the store's default ttl is 30 minutes
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });

  it("returns null for a session that is not signed in (anonymous data in the row)", async () => {
    const config = env.config();
    const { sessionCookie } = await aliceSignedIn(config);
    await env.db.db.update(t.sessions).set({ sess: JSON.stringify({ cookie: {}, auth: { loggedIn: false } }) });
    expect(await accountFor(config, sessionCookie)).toBeNull();
    await env.db.db.update(t.sessions).set({ sess: "not json" });
    expect(await accountFor(config, sessionCookie)).toBeNull();
  });
});

describe("authenticateRequest(): malformed cookies (CS-05)", () => {
  const malformed: [string, (cookie: string) => string][] = [
    ["bad percent-encoding", () => "connect.sid=%E0%A4%A"],
    ["a tampered signature", (c) => c.replace(/.(;|$)/, (m) => (m[0] === "A" ? "B" : "A") + m.slice(1))],
    ["an unsigned session id", (c) => `connect.sid=${decodeURIComponent(c.slice(12)).slice(2).split(".")[0]}`],
    ["the cookie twice", (c) => `${c}; ${c}`],
    ["an 8 KB cookie", () => `connect.sid=s%3A${"a".repeat(8192)}.sig`],
    ["a signature without an id", () => "connect.sid=s%3A.abc"],
    ["a value without a dot", () => "connect.sid=s%3Anodot"],
    ["an empty value", () => "connect.sid="],
    ["a quoted garbage value", () => 'connect.sid="%%%"'],
  ];
  for (const [label, mangle] of malformed) {
    it(`CS-05: ${label} gives null (200), never an error`, async () => {
      const config = env.config();
      const { sessionCookie } = await aliceSignedIn(config);
      expect(await accountFor(config, mangle(sessionCookie))).toBeNull();
    });
  }

  it("CS-05: a Cookie header over 16 KB (past Node's own limit) is ignored as a whole", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config);
    const options = { secret: SECRET };
    expect((await authenticateRequest(config, { headers: { cookie: sessionCookie } }, options))?.id).toBe(alice.id);
    const huge = `${sessionCookie}; junk=${"x".repeat(20_000)}`;
    expect(await authenticateRequest(config, { headers: { cookie: huge } }, options)).toBeNull();
  });

  it("CS-05: a remember-me token placed in the session cookie slot gives nothing", async () => {
    const config = env.config();
    const { rememberCookie } = await aliceSignedIn(config, true);
    const value = rememberCookie!.slice("remember_token=".length);
    expect(await accountFor(config, `connect.sid=${value}`, { secret: SECRET, remember: false })).toBeNull();
    expect(await accountFor(config, `connect.sid=s%3A${value}`, { secret: SECRET, remember: false })).toBeNull();
  });

  it("an invalid session secret is a setup error (INVALID_CONFIG), not a silent null", async () => {
    const config = env.config();
    for (const options of [{ secret: "" }, { secret: [] }, { secret: [1] }])
      await expectCode(authenticateRequest(config, { headers: {} }, options as never), "INVALID_CONFIG");
  });

  it("needs no secret for a request without a session cookie (the seed's two-argument call)", async () => {
    const config = env.config();
    expect(await authenticateRequest(config, { headers: {} })).toBeNull();
    expect(await authenticateRequest(config, { headers: { cookie: "other=1" } }, null as never)).toBeNull();
  });

  it("loads the session with a session middleware given as third argument (the seed's signature)", async () => {
    const config = env.config();
    const { alice, sessionCookie } = await aliceSignedIn(config, false);
    const middleware = session({
      store: createSessionStore(config, { pruneInterval: false }),
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
    });
    const account = await authenticateRequest(config, { headers: { cookie: sessionCookie } }, middleware);
    expect(account?.id).toBe(alice.id);
    await setStatusForUserBy(config, { accountId: alice.id }, 2);
    expect(await authenticateRequest(config, { headers: { cookie: sessionCookie } }, middleware)).toBeNull();
  });

  it("a session cookie with neither a secret nor a session middleware is a setup error (INVALID_CONFIG)", async () => {
    const config = env.config();
    const { sessionCookie } = await aliceSignedIn(config, false);
    await expectCode(authenticateRequest(config, { headers: { cookie: sessionCookie } }), "INVALID_CONFIG");
  });
});

describe("authenticateRequest(): the remember-me cookie", () => {
  it("RM-04: resolves a remembered account without rotating the token or writing anything", async () => {
    const config = env.config();
    const { alice, rememberCookie } = await aliceSignedIn(config, true);
    const before = await env.db.db.select().from(t.remembers);
    const auditBefore = await env.db.db.$count(t.activityLog);
    const account = await accountFor(config, rememberCookie!);
    expect(account?.id).toBe(alice.id);
    expect(Object.keys(account!).sort()).toEqual(ACCOUNT_KEYS);
    expectNoSecrets(account, await storedSecrets(env));
    expect(await env.db.db.select().from(t.remembers)).toEqual(before);
    expect(await env.db.db.$count(t.activityLog)).toBe(auditBefore);
  });

  it("falls back to the remember-me cookie when the session cookie is invalid", async () => {
    const config = env.config();
    const { alice, rememberCookie } = await aliceSignedIn(config, true);
    expect((await accountFor(config, `connect.sid=s%3Abad.sig; ${rememberCookie}`))?.id).toBe(alice.id);
  });

  it("`remember: false` ignores the remember-me cookie", async () => {
    const config = env.config();
    const { rememberCookie } = await aliceSignedIn(config, true);
    expect(await accountFor(config, rememberCookie!, { secret: SECRET, remember: false })).toBeNull();
  });

  it("RM-04: a banned or unverified account is refused", async () => {
    const config = env.config();
    const { alice, rememberCookie } = await aliceSignedIn(config, true);
    await env.db.db.update(t.accounts).set({ verified: false }).where(eq(t.accounts.id, alice.id));
    expect(await accountFor(config, rememberCookie!)).toBeNull();
    await env.db.db.update(t.accounts).set({ verified: true, status: 2 }).where(eq(t.accounts.id, alice.id));
    expect(await accountFor(config, rememberCookie!)).toBeNull();
  });

  it("RM-01: a wrong validator, or the stored hash presented as the validator, is refused", async () => {
    const config = env.config();
    const { rememberCookie } = await aliceSignedIn(config, true);
    const [selector] = rememberCookie!.slice("remember_token=".length).split(".");
    const [row] = await env.db.db.select().from(t.remembers);
    expect(await accountFor(config, `remember_token=${selector}.${"A".repeat(43)}`)).toBeNull();
    expect(await accountFor(config, `remember_token=${selector}.${row!.validatorHash.slice(0, 43)}`)).toBeNull();
    expect(await env.db.db.$count(t.remembers)).toBe(1); // read-only: no theft handling here
  });

  it("RM-02: a rotated-away validator works only within the grace window", async () => {
    const config = env.config();
    const { alice, app, rememberCookie } = await aliceSignedIn(config, true);
    const restored = await app.agent().get("/me").set("Cookie", rememberCookie!).expect(200);
    const next = cookiePair(restored, "remember_token")!;
    expect(next).not.toBe(rememberCookie);
    expect((await accountFor(config, rememberCookie!))?.id).toBe(alice.id);
    env.clock.advance(31_000);
    expect(await accountFor(config, rememberCookie!)).toBeNull();
    expect((await accountFor(config, next))?.id).toBe(alice.id);
  });

  it("an expired remember-me token is refused", async () => {
    const config = env.config({ rememberDuration: "1h" });
    const { rememberCookie } = await aliceSignedIn(config, true);
    env.clock.advance(61 * 60_000);
    expect(await accountFor(config, rememberCookie!)).toBeNull();
  });
});
