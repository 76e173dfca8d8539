/**
 * An OAuth sign-in obeys what a password sign-in does: session rotation (SE-01), remember-me only when
 * asked, audit rows, account status (SE-05 / OA-07) and the second factor (MF-08).
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthStatus } from "../../src/primitives/status.js";
import type { TwoFactorDelivery } from "../../src/options/two-factor.js";
import { cookiePair, sessionIdOf, sha256, sidOf } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import { codeAt } from "../two-factor/helpers.js";
import {
  APP_SECRET,
  type Agent,
  accountRows,
  activityOf,
  call,
  consentPath,
  expectClientError,
  githubUser,
  googleUser,
  oauthApp,
  providersFor,
  setStatus,
  signInWith,
  startFlow,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

async function sessionRow(sid: string) {
  const t = authSchema.sessions;
  const [row] = await env.db.db
    .select()
    .from(t)
    .where(eq(t.id, sha256(sid)));
  return row;
}

/** An app with two-factor on (TOTP needs no delivery, but a deliver hook keeps the config complete). */
function twoFactorOAuthApp(twoFactor: { requireForOAuth?: boolean } = {}) {
  const deliveries: TwoFactorDelivery[] = [];
  return oauthApp(
    env.config({
      secret: APP_SECRET,
      twoFactor: { enabled: true, deliver: (m) => void deliveries.push(m), ...twoFactor },
      providers: providersFor(s.idp),
    }),
  );
}

/** Signs up through GitHub and enrols TOTP on that session; returns the TOTP secret and the account id. */
async function oauthUserWithTotp(t: ReturnType<typeof oauthApp>): Promise<{ secret: string; id: number }> {
  githubUser(s.idp, { id: 314, email: "totp@x.test" });
  const agent = t.agent();
  const res = await signInWith(agent, "github");
  expect(res.status, res.text).toBe(200);
  const id = (await agent.get("/me").expect(200)).body.id as number;
  const setup = await call(agent, "twoFactor.setup.totp");
  expect(setup.status, setup.text).toBe(200);
  const secret = setup.body.result.secret as string;
  await call(agent, "twoFactor.complete.totp", codeAt(secret, env.clock.now())).expect(200);
  env.clock.advance(30_000); // the enrolment code's time step is now in the past
  return { secret, id };
}

describe("SE-01 session rotation", () => {
  it("SE-01: the session id changes at an OAuth sign-in and the pre-login id is dead", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const start = await agent.get("/oauth/github/start");
    const before = sessionIdOf(start);
    const res = await agent.get(await consentPath(new URL(start.headers.location!)));
    expect(res.status, res.text).toBe(200);
    const after = sessionIdOf(res);
    expect(after).not.toBe(before);
    expect(await sessionRow(before)).toBeUndefined();
    expect(await sessionRow(after)).toMatchObject({ accountId: expect.any(Number) });
    await agent.get("/me").expect(200);
    const replay = t.agent();
    await replay.get("/me").set("Cookie", cookiePair(start, "connect.sid")!).expect(401);
  });

  it("SE-01: a session already signed in to another account is replaced, not reused", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    googleUser(s.idp, { sub: "g-2", email: "b@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const first = await signInWith(agent, "github");
    const firstSid = sessionIdOf(first);
    const second = await signInWith(agent, "google");
    expect(second.status, second.text).toBe(200);
    expect(sessionIdOf(second)).not.toBe(firstSid);
    expect((await agent.get("/me").expect(200)).body.email).toBe("b@x.test");
    expect(await sessionRow(firstSid)).toBeUndefined();
  });
});

describe("remember-me", () => {
  it("no remember-me cookie or row unless the flow asked for it", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const res = await signInWith(t.agent(), "github");
    expect(res.status).toBe(200);
    expect(cookiePair(res, "remember_token")).toBeUndefined();
    expect(await env.db.db.select().from(authSchema.remembers)).toEqual([]);
    const [login] = await activityOf(env, "login");
    expect(login!.metadata).toMatchObject({ remember: false });
  });

  it("remember=1 at the start issues a remember-me token that restores the session", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const res = await signInWith(t.agent(), "github", { remember: true });
    expect(res.status).toBe(200);
    const remember = cookiePair(res, "remember_token");
    expect(remember).toBeDefined();
    expect(await env.db.db.select().from(authSchema.remembers)).toHaveLength(1);
    const restored = await t.agent().get("/me").set("Cookie", remember!);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ email: "a@x.test", remembered: true });
  });

  it("remember=1 on the callback URL (not at the start) does not issue a token", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const path = await consentPath(await startFlow(agent, "github"));
    const res = await agent.get(`${path}&remember=1`);
    expect(res.status).toBe(200);
    expect(cookiePair(res, "remember_token")).toBeUndefined();
  });
});

describe("audit", () => {
  it("a first sign-in writes register, oauth_connected and login (with the provider) rows", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    await signInWith(t.agent(), "github");
    const [account] = await accountRows(env);
    const a = authSchema.activityLog;
    const rows = await env.db.db.select().from(a).orderBy(a.id);
    expect(rows.map((r) => r.action)).toEqual(["register", "oauth_connected", "login"]);
    for (const r of rows) expect(r).toMatchObject({ accountId: account!.id, success: true });
    expect(rows[2]!.metadata).toMatchObject({ provider: "github", isNewUser: true });
    await signInWith(t.agent(), "github");
    const logins = await activityOf(env, "login");
    expect(logins).toHaveLength(2);
    expect(logins[1]!.metadata).toMatchObject({ provider: "github", isNewUser: false });
  });

  it("a sign-in records last_login", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    await signInWith(t.agent(), "github");
    const [account] = await accountRows(env);
    expect(account!.lastLogin?.getTime()).toBe(env.clock.now().getTime());
  });

  it("a denied consent writes a failed_login row for the provider", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const state = (await startFlow(agent, "google")).searchParams.get("state")!;
    const res = await agent.get(`/oauth/google/callback?error=access_denied&state=${state}`);
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    const [failed] = await activityOf(env, "failed_login");
    expect(failed).toMatchObject({ success: false, accountId: null });
    expect(failed!.metadata).toMatchObject({ provider: "google", reason: "oauth_access_denied" });
  });
});

describe("SE-05 account status", () => {
  for (const [name, status] of Object.entries(AuthStatus).filter(([, v]) => v !== AuthStatus.Normal)) {
    it(`SE-05 / OA-07: a ${name} account that completes OAuth is refused (403) and stays signed out`, async () => {
      githubUser(s.idp, { id: 1, email: "a@x.test" });
      const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
      await signInWith(t.agent(), "github");
      const [account] = await accountRows(env);
      await setStatus(env, account!.id, status);
      const agent = t.agent();
      const res = await signInWith(agent, "github", { remember: true });
      expectClientError(res, 403, "USER_INACTIVE");
      expect(cookiePair(res, "remember_token")).toBeUndefined();
      await agent.get("/me").expect(401);
      const failed = await activityOf(env, "failed_login");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ accountId: account!.id, success: false });
      expect(failed[0]!.metadata).toMatchObject({ provider: "github", reason: "account_inactive", status });
      expect(await activityOf(env, "login")).toHaveLength(1);
    });
  }

  it("SE-05: a banned account found by email linking is refused and not linked", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { google: { allowEmailLinking: true } }) }));
    const reg = await t.agent().post("/register").send({ email: "a@x.test", password: "correct horse battery staple" });
    await setStatus(env, reg.body.id, AuthStatus.Banned);
    googleUser(s.idp, { sub: "g-1", email: "a@x.test" });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "google"), 403, "USER_INACTIVE");
    await agent.get("/me").expect(401);
    expect(await env.db.db.select().from(authSchema.providers)).toEqual([]);
  });
});

describe("MF-08 two-factor on OAuth sign-ins", () => {
  it("MF-08: an OAuth user with TOTP gets SECOND_FACTOR_REQUIRED and is signed out until the code is verified", async () => {
    const t = twoFactorOAuthApp();
    const { secret, id } = await oauthUserWithTotp(t);
    const agent: Agent = t.agent();
    const start = await agent.get("/oauth/github/start");
    const anonymousSid = sessionIdOf(start);
    const res = await agent.get(await consentPath(new URL(start.headers.location!)));
    expectClientError(res, 401, "SECOND_FACTOR_REQUIRED");
    expect(res.body.methods).toMatchObject({ totp: true });
    const pendingSid = sessionIdOf(res);
    expect(pendingSid).not.toBe(anonymousSid);
    await agent.get("/me").expect(401);
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
    await agent.get("/me").expect(401);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await agent.get("/me").expect(401);
    const done = await call(agent, "completeTwoFactorLogin");
    expect(done.status, done.text).toBe(200);
    expect(sessionIdOf(done)).not.toBe(pendingSid);
    expect((await agent.get("/me").expect(200)).body.id).toBe(id);
    await t
      .agent()
      .get("/me")
      .set("Cookie", `connect.sid=${encodeURIComponent(`s:${pendingSid}`)}`)
      .expect(401);
  });

  it("MF-08: the second step of an OAuth sign-in cannot be skipped by signing in with OAuth again", async () => {
    const t = twoFactorOAuthApp();
    await oauthUserWithTotp(t);
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"), 401, "SECOND_FACTOR_REQUIRED");
    expectClientError(await signInWith(agent, "github"), 401, "SECOND_FACTOR_REQUIRED");
    await agent.get("/me").expect(401);
  });

  it("MF-08: remember-me asked at the start is issued only after the second factor", async () => {
    const t = twoFactorOAuthApp();
    const { secret } = await oauthUserWithTotp(t);
    const agent = t.agent();
    const res = await signInWith(agent, "github", { remember: true });
    expectClientError(res, 401, "SECOND_FACTOR_REQUIRED");
    expect(cookiePair(res, "remember_token")).toBeUndefined();
    expect(await env.db.db.select().from(authSchema.remembers)).toEqual([]);
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    const done = await call(agent, "completeTwoFactorLogin").expect(200);
    const remember = cookiePair(done, "remember_token");
    expect(remember).toBeDefined();
    await t.agent().get("/me").set("Cookie", remember!).expect(200);
  });

  it("MF-08: the login audit row of a two-factor OAuth sign-in still names the provider", async () => {
    const t = twoFactorOAuthApp();
    const { secret } = await oauthUserWithTotp(t);
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"), 401, "SECOND_FACTOR_REQUIRED");
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    const logins = await activityOf(env, "login");
    expect(logins).toHaveLength(2);
    expect(logins[1]!.metadata).toMatchObject({ provider: "github" });
  });

  it("MF-08: linking by email into an account with TOTP still asks for the second factor", async () => {
    const t = oauthApp(
      env.config({
        secret: APP_SECRET,
        twoFactor: { enabled: true, deliver: () => {} },
        providers: providersFor(s.idp, { google: { allowEmailLinking: true } }),
      }),
    );
    const password = "correct horse battery staple";
    await t.agent().post("/register").send({ email: "pw@x.test", password }).expect(200);
    const owner = t.agent();
    await owner.post("/login").send({ email: "pw@x.test", password }).expect(200);
    const setup = await call(owner, "twoFactor.setup.totp").expect(200);
    await call(owner, "twoFactor.complete.totp", codeAt(setup.body.result.secret, env.clock.now())).expect(200);
    googleUser(s.idp, { sub: "g-1", email: "pw@x.test" });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "google"), 401, "SECOND_FACTOR_REQUIRED");
    await agent.get("/me").expect(401);
  });

  it("MF-08: requireForOAuth: false signs the OAuth user in directly (explicit opt-out)", async () => {
    const t = twoFactorOAuthApp({ requireForOAuth: false });
    const { id } = await oauthUserWithTotp(t);
    const agent = t.agent();
    const res = await signInWith(agent, "github");
    expect(res.status, res.text).toBe(200);
    expect((await agent.get("/me").expect(200)).body.id).toBe(id);
  });

  it("MF-08: requireForOAuth: false does not relax the password login", async () => {
    const t = twoFactorOAuthApp({ requireForOAuth: false });
    const reg = await t
      .agent()
      .post("/register")
      .send({ email: "pw@x.test", password: "correct horse battery staple" });
    expect(reg.status).toBe(200);
    const agent = t.agent();
    await agent.post("/login").send({ email: "pw@x.test", password: "correct horse battery staple" }).expect(200);
    const setup = await call(agent, "twoFactor.setup.totp").expect(200);
    await call(agent, "twoFactor.complete.totp", codeAt(setup.body.result.secret, env.clock.now())).expect(200);
    const again = await t.agent().post("/login").send({ email: "pw@x.test", password: "correct horse battery staple" });
    expectClientError(again, 401, "SECOND_FACTOR_REQUIRED");
  });

  it("MF-08: with twoFactor disabled the enrolled method is not asked for", async () => {
    const enabled = twoFactorOAuthApp();
    await oauthUserWithTotp(enabled);
    const t = oauthApp(env.config({ secret: APP_SECRET, providers: providersFor(s.idp) }));
    const agent = t.agent();
    expect((await signInWith(agent, "github")).status).toBe(200);
    await agent.get("/me").expect(200);
  });
});

describe("the session stores no provider secrets", () => {
  it("after a sign-in the session row holds no code, verifier or state of the finished flow", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const url = await startFlow(agent, "github");
    const path = await consentPath(url);
    const res = await agent.get(path);
    const row = await sessionRow(sidOf(cookiePair(res, "connect.sid")!));
    const code = new URLSearchParams(path.split("?")[1]).get("code")!;
    const verifier = new URLSearchParams(s.idp.requests.find((r) => r.path === "/token")!.body).get("code_verifier")!;
    expect(row!.sess).not.toContain(code);
    expect(row!.sess).not.toContain(verifier);
    expect(row!.sess).not.toContain(url.searchParams.get("state")!);
  });
});
