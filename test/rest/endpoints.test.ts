/**
 * Every JSON and form endpoint of the router (except OAuth and two-factor, which have their own files):
 * what goes in, what comes out, for API clients (JSON) and browser form posts (303 redirects).
 * Enumeration (EN-01, EN-03, EN-04) and token (TK-04, TK-06) requirements are named where tested.
 */
import { count, eq } from "drizzle-orm";
import type { Response } from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthStatus, ExpressAuth, register, setStatusForUserBy } from "../../src/index.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADA,
  BOB,
  COOKIE,
  type RestApp,
  account,
  cookiePair,
  csrfOf,
  getSessionOf,
  postForm,
  postJson,
  restApp,
  restConfig,
  sessionOf,
  setCookies,
  signIn,
  signedInAgent,
} from "./helpers.js";

const env = useTestEnv();
const { accounts, remembers, confirmations, resets } = authSchema;

async function accountCount(): Promise<number> {
  const [row] = await env.db.db.select({ n: count() }).from(accounts);
  return row!.n;
}

/** Status, body and the names of the cookies set: what EN-01 compares. */
function shape(res: Response) {
  return { status: res.status, body: res.body, location: res.headers.location, cookies: cookieNames(res) };
}

function cookieNames(res: Response): string[] {
  return setCookies(res)
    .map((c) => c.split("=")[0]!)
    .sort();
}

/** Registers an unverified account through the router; returns its confirmation link. */
async function registerUnverified(rest: RestApp, email = ADA) {
  const before = rest.mail.verifications.length;
  const res = await postJson(rest.agent(), "/auth/register", { email, password: PASSWORD });
  expect(res.status, res.text).toBe(200);
  expect(rest.mail.verifications).toHaveLength(before + 1);
  return rest.mail.verifications.at(-1)!;
}

describe("GET /auth/csrf", () => {
  it("answers a 43-character token with Cache-Control: no-store, stable within a session (CS-01)", async () => {
    const rest = restApp(env);
    const agent = rest.agent();
    const first = await agent.get("/auth/csrf").set("Accept", "application/json");
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.headers["content-type"]).toMatch(/application\/json/);
    expect(Object.keys(first.body)).toEqual(["csrfToken"]);
    expect(first.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookiePair(first, COOKIE)).toBeDefined();
    expect((await agent.get("/auth/csrf")).body.csrfToken).toBe(first.body.csrfToken);
    expect(await csrfOf(rest.agent())).not.toBe(first.body.csrfToken);
  });

  it("the token never appears in a URL the router gives out (CS-01)", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    const bad = await postForm(agent, "/auth/signin/credentials", { csrfToken: token, email: ADA, password: "x" });
    expect(bad.headers.location).not.toContain(token);
    const providers = await agent.get("/auth/providers");
    expect(providers.text).not.toContain(token);
  });
});

describe("GET /auth/providers", () => {
  it("lists credentials in the Auth.js shape, with no-store", async () => {
    const rest = restApp(env);
    const res = await rest.agent().get("/auth/providers");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const origin = `http://${res.request.url.split("/")[2]}`;
    expect(res.body).toEqual({
      credentials: {
        id: "credentials",
        name: "Credentials",
        type: "credentials",
        signinUrl: `${origin}/auth/signin/credentials`,
        callbackUrl: `${origin}/auth/callback/credentials`,
      },
    });
  });
});

describe("GET /auth/session (CS-04)", () => {
  it("answers 200 null with no-store when anonymous", async () => {
    const rest = restApp(env);
    const res = await rest.agent().get("/auth/session");
    expect(res.status).toBe(200);
    expect(res.text).toBe("null");
    expect(res.body).toBeNull();
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("answers only the allowlisted keys when signed in, never a hash or token", async () => {
    const rest = restApp(env);
    const agent = await signedInAgent(rest);
    const res = await agent.get("/auth/session");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(Object.keys(res.body).sort()).toEqual(["expires", "user"]);
    expect(Object.keys(res.body.user).sort()).toEqual(["email", "id", "image", "name", "roles"]);
    const [row] = await env.db.db.select().from(accounts);
    expect(res.body.user).toEqual({ id: row!.userId, email: ADA, name: null, image: null, roles: [] });
    expect(new Date(res.body.expires).getTime()).toBeGreaterThan(env.clock.now().getTime());
    expect(res.text).not.toMatch(/argon2|password|csrf|token|secret/i);
  });

  it("reports the session's real expiry, the same one getSession reports (store ttl 2h)", async () => {
    const rest = restApp(env, { config: { sessionStore: { ttl: "2h", pruneInterval: false } } });
    const agent = await signedInAgent(rest);
    const viaRoute = await sessionOf(agent);
    const viaGetSession = await getSessionOf(agent);
    const routeExpires = new Date(viaRoute!.expires as string).getTime();
    const getSessionExpires = new Date(viaGetSession!.expires as string).getTime();
    expect(getSessionExpires - env.clock.now().getTime()).toBeGreaterThan(90 * 60_000);
    // Both describe one session: they must not disagree by the difference between 2 h and 30 min.
    expect(Math.abs(routeExpires - getSessionExpires)).toBeLessThan(5 * 60_000);
  });
});

describe("POST /auth/signin/credentials", () => {
  it("JSON: {ok, url} to the default, a new session id, no remember-me cookie unless asked", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const before = cookiePair(await agent.get("/auth/csrf"), COOKIE);
    const res = await postJson(agent, "/auth/signin/credentials", { email: ADA, password: PASSWORD });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/" });
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(cookiePair(res, COOKIE)).toBeDefined();
    expect(cookiePair(res, COOKIE)).not.toBe(before);
    expect(cookiePair(res, "remember_token")).toBeUndefined();
    expect(await env.db.db.select().from(remembers)).toHaveLength(0);
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
  });

  it("JSON remember: true sets the remember-me cookie and stores one token", async () => {
    const rest = restApp(env);
    await account(rest);
    const res = await signIn(rest.agent(), ADA, PASSWORD, { remember: true });
    expect(cookiePair(res, "remember_token")).toBeDefined();
    expect(await env.db.db.select().from(remembers)).toHaveLength(1);
  });

  it.each([
    ["remember=true (the page's checkbox)", { remember: "true" }, true],
    ["remember=on", { remember: "on" }, true],
    ["no remember field", {}, false],
    ["remember=false", { remember: "false" }, false],
    ["remember=yes (not a flag)", { remember: "yes" }, false],
  ])("form with %s: 303 to callbackUrl, remember-me cookie only when asked", async (_n, extra, remembered) => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const res = await postForm(agent, "/auth/signin/credentials", {
      email: ADA,
      password: PASSWORD,
      callbackUrl: "/welcome?x=1#top",
      ...extra,
    });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.location).toBe("/welcome?x=1#top");
    expect(cookiePair(res, "remember_token") !== undefined).toBe(remembered);
    expect(await env.db.db.select().from(remembers)).toHaveLength(remembered ? 1 : 0);
  });

  it("EN-01: unknown email, wrong password, and wrong password on unverified or banned accounts look the same", async () => {
    const rest = restApp(env);
    await account(rest, ADA);
    await registerUnverified(rest, "unverified@example.test");
    const banned = await account(rest, "banned@example.test");
    await setStatusForUserBy(rest.config, { accountId: banned }, AuthStatus.Banned);
    const attempt = async (email: string, json: boolean) => {
      const agent = rest.agent();
      await csrfOf(agent);
      const body = { email, password: "wrong horse battery staple" };
      return shape(
        json
          ? await postJson(agent, "/auth/signin/credentials", body)
          : await postForm(agent, "/auth/signin/credentials", body),
      );
    };
    for (const json of [true, false]) {
      const unknown = await attempt("nobody@example.test", json);
      expect(unknown.status).toBe(json ? 401 : 303);
      if (json)
        expect(unknown.body).toEqual({
          error: "CredentialsSignin",
          code: "INVALID_CREDENTIALS",
          message: expect.any(String),
        });
      else expect(unknown.location).toBe("/auth/signin?error=CredentialsSignin&code=credentials");
      expect(await attempt(ADA, json)).toEqual(unknown);
      expect(await attempt("unverified@example.test", json)).toEqual(unknown);
      expect(await attempt("banned@example.test", json)).toEqual(unknown);
    }
  });

  it("the status-specific answers come only after the correct password", async () => {
    const rest = restApp(env);
    await registerUnverified(rest, "unverified@example.test");
    const banned = await account(rest, "banned@example.test");
    await setStatusForUserBy(rest.config, { accountId: banned }, AuthStatus.Banned);
    const unverified = await postJson(rest.agent(), "/auth/signin/credentials", {
      email: "unverified@example.test",
      password: PASSWORD,
    });
    expect(unverified.status).toBe(403);
    expect(unverified.body.error).toBe("EMAIL_NOT_VERIFIED");
    const inactive = await postJson(rest.agent(), "/auth/signin/credentials", {
      email: "banned@example.test",
      password: PASSWORD,
    });
    expect(inactive.status).toBe(403);
    expect(inactive.body.error).toBe("USER_INACTIVE");
    const form = await postForm(rest.agent(), "/auth/signin/credentials", {
      email: "banned@example.test",
      password: PASSWORD,
      callbackUrl: "/after",
    });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/signin?error=USER_INACTIVE&callbackUrl=%2Fafter");
  });

  it("POST /auth/callback/credentials (where Auth.js clients post) is the same handler", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const json = await postJson(agent, "/auth/callback/credentials", {
      email: ADA,
      password: PASSWORD,
      callbackUrl: "/cb",
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body).toEqual({ ok: true, url: "/cb" });
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    const wrong = await postForm(rest.agent(), "/auth/callback/credentials", { email: ADA, password: "nope" });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.location).toBe("/auth/signin?error=CredentialsSignin&code=credentials");
  });

  it("the session cookie is HttpOnly, SameSite=Lax, Path=/, without Max-Age; __Host- and Secure with secure cookies", async () => {
    const rest = restApp(env);
    await account(rest);
    const res = await signIn(rest.agent());
    const line = setCookies(res).find((c) => c.startsWith(`${COOKIE}=`))!;
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Max-Age|Expires|Domain/i);
    expect(line).not.toMatch(/; Secure/i);

    const secure = restApp(env, { trustProxy: true, config: { useSecureCookies: true } });
    const agent = secure.agent();
    const token = await agent.get("/auth/csrf").set("X-Forwarded-Proto", "https");
    const hostLine = setCookies(token).find((c) => c.startsWith("__Host-auth.sid="));
    expect(hostLine).toMatch(/; Secure/i);
    expect(hostLine).toMatch(/; Path=\//);
    expect(hostLine).not.toMatch(/Domain/i);
  });
});

describe("POST /auth/signout", () => {
  it("JSON: signs out, answers {ok, url}, and honours a callbackUrl", async () => {
    const rest = restApp(env);
    const agent = await signedInAgent(rest);
    const res = await postJson(agent, "/auth/signout", { callbackUrl: "/goodbye" });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/goodbye" });
    expect(await sessionOf(agent)).toBeNull();
    expect(await getSessionOf(agent)).toBeNull();
  });

  it("form: 303 to the callbackUrl (default /), signed out", async () => {
    const rest = restApp(env);
    const agent = await signedInAgent(rest);
    const res = await postForm(agent, "/auth/signout");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/");
    expect(await sessionOf(agent)).toBeNull();
  });

  it("deletes this device's remember-me token and clears its cookie", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    await signIn(agent, ADA, PASSWORD, { remember: true });
    expect(await env.db.db.select().from(remembers)).toHaveLength(1);
    const res = await postJson(agent, "/auth/signout");
    expect(res.status).toBe(200);
    expect(await env.db.db.select().from(remembers)).toHaveLength(0);
    const cleared = setCookies(res).find((c) => c.startsWith("remember_token="));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it("signing out a signed-out session succeeds", async () => {
    const rest = restApp(env);
    const res = await postJson(rest.agent(), "/auth/signout");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/" });
  });

  it("CS-03: GET, HEAD and OPTIONS /auth/signout do not sign out", async () => {
    const rest = restApp(env);
    const agent = await signedInAgent(rest);
    const page = await agent.get("/auth/signout");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    await agent.head("/auth/signout");
    await agent.options("/auth/signout");
    await agent.get("/auth/signout?confirm=1&csrfToken=whatever");
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    expect((await getSessionOf(agent))?.user).toMatchObject({ email: ADA });
  });
});

describe("POST /auth/register (EN-03)", () => {
  it("JSON: a new address gets a confirmation link; a taken one gets the same answer and no mail", async () => {
    const rest = restApp(env);
    const fresh = await postJson(rest.agent(), "/auth/register", { email: ADA, password: PASSWORD });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual({ ok: true, url: "/auth/verify-request" });
    expect(rest.mail.verifications).toHaveLength(1);
    const link = rest.mail.verifications[0]!;
    expect(link.email).toBe(ADA);
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/verify-request\?token=/);
    expect(new URL(link.url).searchParams.get("token")).toBe(link.token);
    expect(await accountCount()).toBe(1);

    for (const email of [ADA, "ADA@Example.TEST"]) {
      const taken = await postJson(rest.agent(), "/auth/register", { email, password: PASSWORD });
      expect(shape(taken)).toEqual(shape(fresh));
    }
    expect(rest.mail.verifications).toHaveLength(1);
    expect(await accountCount()).toBe(1);
  });

  it("form: new and taken addresses both get 303 to the verify-request page", async () => {
    const rest = restApp(env);
    await account(rest, BOB);
    const fresh = await postForm(rest.agent(), "/auth/register", { email: ADA, password: PASSWORD });
    const taken = await postForm(rest.agent(), "/auth/register", { email: BOB, password: PASSWORD });
    expect(fresh.status).toBe(303);
    expect(fresh.headers.location).toBe("/auth/verify-request");
    expect(shape(taken)).toEqual(shape(fresh));
    expect(rest.mail.verifications.map((l) => l.email)).toEqual([ADA]);
  });

  it("a weak password is refused the same way for a new and a taken address", async () => {
    const rest = restApp(env);
    await account(rest, BOB);
    const fresh = await postJson(rest.agent(), "/auth/register", { email: ADA, password: "short" });
    const taken = await postJson(rest.agent(), "/auth/register", { email: BOB, password: "short" });
    expect(fresh.status).toBe(400);
    expect(fresh.body.error).toBe("INVALID_PASSWORD");
    expect(shape(taken)).toEqual(shape(fresh));
  });

  it("without mail hooks the account is verified at once and the answer points to sign-in", async () => {
    const rest = restApp(env, { noMail: true });
    const res = await postJson(rest.agent(), "/auth/register", { email: ADA, password: PASSWORD });
    expect(res.body).toEqual({ ok: true, url: "/auth/signin?notice=registered" });
    await signIn(rest.agent());
    const taken = await postJson(rest.agent(), "/auth/register", { email: ADA, password: PASSWORD });
    expect(shape(taken)).toEqual(shape(res));
  });
});

describe("POST /auth/verify-email (TK-04)", () => {
  it("a valid token confirms the address: JSON answer, then sign-in works", async () => {
    const rest = restApp(env);
    const link = await registerUnverified(rest);
    const res = await postJson(rest.agent(), "/auth/verify-email", { token: link.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/auth/signin?notice=verified" });
    const [row] = await env.db.db.select().from(accounts);
    expect(row!.verified).toBe(true);
    await signIn(rest.agent());
  });

  it("unknown, used and expired tokens give one answer, JSON and form alike", async () => {
    const rest = restApp(env);
    const used = await registerUnverified(rest, ADA);
    expect((await postJson(rest.agent(), "/auth/verify-email", { token: used.token })).status).toBe(200);
    const expired = await registerUnverified(rest, BOB);
    env.clock.advance(24 * 3600_000 + 60_000);
    const tokens = {
      unknown: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
      garbage: "not-a-token",
      used: used.token,
      expired: expired.token,
    };
    const answers = [];
    const forms = [];
    for (const token of Object.values(tokens)) {
      answers.push(shape(await postJson(rest.agent(), "/auth/verify-email", { token })));
      forms.push(shape(await postForm(rest.agent(), "/auth/verify-email", { token })));
    }
    expect(answers[0]!.status).toBe(400);
    expect(answers[0]!.body).toEqual({
      error: "INVALID_TOKEN",
      code: "INVALID_TOKEN",
      message: "Invalid or expired link",
    });
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(forms[0]!.status).toBe(303);
    expect(forms[0]!.location).toBe("/auth/verify-request?error=INVALID_TOKEN");
    for (const f of forms) expect(f).toEqual(forms[0]);
    // The expired confirmation is gone and BOB is still unverified.
    const [bob] = await env.db.db.select().from(accounts).where(eq(accounts.email, BOB));
    expect(bob!.verified).toBe(false);
    expect(await env.db.db.select().from(confirmations).where(eq(confirmations.accountId, bob!.id))).toHaveLength(0);
  });

  it("a token received a minute before expiry still works (24 h)", async () => {
    const rest = restApp(env);
    const link = await registerUnverified(rest);
    env.clock.advance(24 * 3600_000 - 60_000);
    expect((await postJson(rest.agent(), "/auth/verify-email", { token: link.token })).status).toBe(200);
  });
});

describe("POST /auth/password/forgot (EN-04)", () => {
  it("unknown, unverified and verified addresses get one answer; only the verified one is mailed", async () => {
    const rest = restApp(env);
    await account(rest, ADA);
    await registerUnverified(rest, "unverified@example.test");
    const answers = [];
    for (const email of ["nobody@example.test", "unverified@example.test", "ADA@example.test"]) {
      answers.push(shape(await postJson(rest.agent(), "/auth/password/forgot", { email })));
    }
    expect(answers[0]).toMatchObject({
      status: 200,
      body: { ok: true, url: "/auth/verify-request?notice=reset-sent" },
    });
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(rest.mail.resets).toHaveLength(1);
    const link = rest.mail.resets[0]!;
    expect(link.email).toBe(ADA);
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/reset\?token=/);
    expect(await env.db.db.select().from(resets)).toHaveLength(1);
  });

  it("a reset-disabled account and one with too many open links answer like any other, and get no mail", async () => {
    const rest = restApp(env);
    const locked = await account(rest, "locked@example.test");
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, locked));
    await account(rest, ADA);
    const answer = async (email: string) => shape(await postJson(rest.agent(), "/auth/password/forgot", { email }));
    const reference = await answer("nobody@example.test");
    expect(await answer("locked@example.test")).toEqual(reference);
    expect(await answer(ADA)).toEqual(reference);
    expect(await answer(ADA)).toEqual(reference);
    expect(rest.mail.resets).toHaveLength(2);
    // maxOpenResets (2): a third open link is not issued, and the answer does not say so.
    expect(await answer(ADA)).toEqual(reference);
    expect(rest.mail.resets).toHaveLength(2);
    expect(rest.mail.resets.map((l) => l.email)).toEqual([ADA, ADA]);
  });

  it("the rate limit (5 per address per hour) answers 429 with Retry-After for known and unknown addresses alike", async () => {
    const rest = restApp(env);
    await account(rest, ADA);
    const over = async (email: string, form: boolean) => {
      let res;
      for (let i = 0; i < 6; i++)
        res = form
          ? await postForm(rest.agent(), "/auth/password/forgot", { email })
          : await postJson(rest.agent(), "/auth/password/forgot", { email });
      return res!;
    };
    const known = await over(ADA, false);
    const unknown = await over("nobody@example.test", false);
    expect(known.status).toBe(429);
    expect(known.headers["retry-after"]).toMatch(/^\d+$/);
    expect(known.body).toMatchObject({ error: "RATE_LIMITED", code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    expect(shape(unknown)).toEqual(shape(known));
    const form = await over("someone@example.test", true);
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/reset?error=RATE_LIMITED");
    expect(form.headers["retry-after"]).toMatch(/^\d+$/);
  });

  it("form posts get one 303 for every address", async () => {
    const rest = restApp(env);
    await account(rest, ADA);
    const known = await postForm(rest.agent(), "/auth/password/forgot", { email: ADA });
    const unknown = await postForm(rest.agent(), "/auth/password/forgot", { email: "nobody@example.test" });
    expect(known.status).toBe(303);
    expect(known.headers.location).toBe("/auth/verify-request?notice=reset-sent");
    expect(shape(unknown)).toEqual(shape(known));
    expect(rest.mail.resets).toHaveLength(1);
  });

  it("answers 404 NOT_CONFIGURED when the app gave no sendPasswordReset", async () => {
    const rest = restApp(env, { noMail: true });
    await account(rest, ADA);
    const res = await postJson(rest.agent(), "/auth/password/forgot", { email: ADA });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("NOT_CONFIGURED");
    expect(await env.db.db.select().from(resets)).toHaveLength(0);
  });
});

describe("POST /auth/password/reset (TK-04, TK-06)", () => {
  async function resetLink(rest: RestApp) {
    expect((await postJson(rest.agent(), "/auth/password/forgot", { email: ADA })).status).toBe(200);
    return rest.mail.resets.at(-1)!;
  }

  it("sets the new password, ends the account's other sessions, and does not sign in", async () => {
    const rest = restApp(env);
    const other = await signedInAgent(rest);
    const link = await resetLink(rest);
    const agent = rest.agent();
    const res = await postJson(agent, "/auth/password/reset", { token: link.token, password: NEW_PASSWORD });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/auth/signin?notice=reset-done" });
    expect(await sessionOf(agent)).toBeNull();
    expect(await sessionOf(other)).toBeNull();
    expect(await getSessionOf(other)).toBeNull();
    const old = await postJson(rest.agent(), "/auth/signin/credentials", { email: ADA, password: PASSWORD });
    expect(old.status).toBe(401);
    await signIn(rest.agent(), ADA, NEW_PASSWORD);
  });

  it("form: 303 to the sign-in page with the reset-done notice", async () => {
    const rest = restApp(env);
    await account(rest);
    const link = await resetLink(rest);
    const res = await postForm(rest.agent(), "/auth/password/reset", { token: link.token, password: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/auth/signin?notice=reset-done");
  });

  it("a weak password is refused and leaves the token usable", async () => {
    const rest = restApp(env);
    await account(rest);
    const link = await resetLink(rest);
    const weak = await postJson(rest.agent(), "/auth/password/reset", { token: link.token, password: "short" });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toBe("INVALID_PASSWORD");
    const ok = await postJson(rest.agent(), "/auth/password/reset", { token: link.token, password: NEW_PASSWORD });
    expect(ok.status).toBe(200);
  });

  it("unknown, used and expired tokens give one answer", async () => {
    const rest = restApp(env);
    await account(rest);
    const used = await resetLink(rest);
    expect(
      (await postJson(rest.agent(), "/auth/password/reset", { token: used.token, password: NEW_PASSWORD })).status,
    ).toBe(200);
    const expired = await resetLink(rest);
    env.clock.advance(31 * 60_000);
    const answers = [];
    for (const token of ["nope", used.token, expired.token, `${expired.token}x`]) {
      answers.push(shape(await postJson(rest.agent(), "/auth/password/reset", { token, password: PASSWORD })));
    }
    expect(answers[0]!.status).toBe(400);
    expect(answers[0]!.body).toEqual({
      error: "INVALID_TOKEN",
      code: "INVALID_TOKEN",
      message: "Invalid or expired link",
    });
    for (const a of answers) expect(a).toEqual(answers[0]);
    const form = await postForm(rest.agent(), "/auth/password/reset", { token: expired.token, password: PASSWORD });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/reset?error=INVALID_TOKEN");
  });

  it("a token only in the query string is not accepted (TK-07)", async () => {
    const rest = restApp(env);
    await account(rest);
    const link = await resetLink(rest);
    const res = await postJson(rest.agent(), `/auth/password/reset?token=${encodeURIComponent(link.token)}`, {
      password: NEW_PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("INVALID_TOKEN");
    await signIn(rest.agent(), ADA, PASSWORD);
  });
});

describe("emailed links come from the configured url, never from the Host header (TK-07)", () => {
  it("reset and confirmation links use `url` whatever Host and X-Forwarded-Host say", async () => {
    const rest = restApp(env, { trustProxy: true, config: { url: "https://app.example.test/ignored/path" } });
    await account(rest, BOB);
    const agent = rest.agent();
    const token = await csrfOf(agent);
    for (const [path, body] of [
      ["/auth/password/forgot", { email: BOB }],
      ["/auth/register", { email: ADA, password: PASSWORD }],
    ] as const) {
      const res = await agent
        .post(path)
        .set("Host", "evil.test")
        .set("X-Forwarded-Host", "evil.test")
        .set("X-Forwarded-Proto", "http")
        .send({ ...body, csrfToken: token });
      expect(res.status, res.text).toBe(200);
    }
    expect(rest.mail.resets[0]!.url).toMatch(/^https:\/\/app\.example\.test\/auth\/reset\?token=/);
    expect(rest.mail.verifications[0]!.url).toMatch(/^https:\/\/app\.example\.test\/auth\/verify-request\?token=/);
  });

  it("in production, mail hooks without `url` are refused when the router is created", () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const mail = { verifications: [], resets: [] };
      expect(() => ExpressAuth(restConfig(env, mail))).toThrow(/url/);
      expect(() => ExpressAuth(restConfig(env, mail, { url: "https://app.example.test" }))).not.toThrow();
      expect(() => ExpressAuth(restConfig(env, null))).not.toThrow();
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it("refuses a url that is not an absolute http(s) origin", () => {
    for (const url of ["app.example.test", "/auth", "javascript:alert(1)", ""])
      expect(() => ExpressAuth(restConfig(env, null, { url })), url).toThrow(/url/);
  });
});

describe("standalone registration and the router agree", () => {
  it("an account registered with `register(config, …)` signs in through the router", async () => {
    const rest = restApp(env);
    await register(rest.config, BOB, PASSWORD);
    await signIn(rest.agent(), BOB);
  });
});
