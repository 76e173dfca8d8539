/**
 * CSRF protection of every state-changing route (checklist CS-01, CS-02, CS-03): a synchronizer token
 * bound to the session, rotated with the session id, sent in the body or `X-CSRF-Token`; plus Fetch
 * Metadata and Origin/Referer checks. Each refused request is checked for the absence of its side effect,
 * and then the same request with the right token is shown to work (so every refusal can fail).
 */
import { eq } from "drizzle-orm";
import type { Response } from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { PASSWORD, NEW_PASSWORD, useTestEnv } from "../helpers/setup.js";
import { githubUser, providersFor, useMockIdp } from "../oauth/helpers.js";
import { codeAt } from "../two-factor/helpers.js";
import {
  ADA,
  APP_HEADERS,
  APP_ORIGIN,
  type Agent,
  type RestApp,
  TWO_FACTOR,
  account,
  csrfOf,
  getSessionOf,
  pendingAgent,
  postJson,
  restApp,
  sessionOf,
  signIn,
  signedInAgent,
  totpAccount,
} from "./helpers.js";

const env = useTestEnv();
const mock = useMockIdp();
const { accounts, resets, twoFactorMethods, sessions } = authSchema;

function app(extra: Parameters<typeof restApp>[1] = {}): RestApp {
  githubUser(mock.idp, { id: 7, email: "octo@example.test" });
  return restApp(env, {
    trustProxy: true,
    ...extra,
    config: { providers: providersFor(mock.idp), ...TWO_FACTOR, ...extra.config },
  });
}

/** A POST as a browser on `https://app.test` would send it (JSON), with extra headers. */
function send(
  agent: Agent,
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = { Origin: APP_ORIGIN },
  query = "",
): Promise<Response> {
  return agent
    .post(`${path}${query}`)
    .set(APP_HEADERS)
    .set("Accept", "application/json")
    .set(headers)
    .send(body) as unknown as Promise<Response>;
}

/** One route under attack: who sends, what, and how to tell whether it took effect. */
interface Scenario {
  agent: Agent;
  body: Record<string, unknown>;
  /** Asserts the route's effect did not happen. */
  unchanged(): Promise<void>;
  /** Asserts the effect happened (after the request with the right token). */
  changed(res: Response): Promise<void>;
}

const SCENARIOS: [string, string, (rest: RestApp) => Promise<Scenario>][] = [
  [
    "POST /auth/signin/credentials (login CSRF, CS-02)",
    "/auth/signin/credentials",
    async (rest) => {
      await account(rest);
      const agent = rest.agent();
      return {
        agent,
        body: { email: ADA, password: PASSWORD },
        unchanged: async () => {
          expect(await sessionOf(agent)).toBeNull();
          expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, 1))).toHaveLength(0);
        },
        changed: async () => expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA }),
      };
    },
  ],
  [
    "POST /auth/callback/credentials (where Auth.js clients post credentials, CS-01/CS-02)",
    "/auth/callback/credentials",
    async (rest) => {
      await account(rest);
      const agent = rest.agent();
      return {
        agent,
        body: { email: ADA, password: PASSWORD },
        unchanged: async () => expect(await sessionOf(agent)).toBeNull(),
        changed: async () => expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA }),
      };
    },
  ],
  [
    "POST /auth/signin/github (CS-02)",
    "/auth/signin/github",
    async (rest) => ({
      agent: rest.agent(),
      body: {},
      unchanged: async () => expect(mock.idp.requests).toHaveLength(0),
      changed: async (res) => expect(res.body.url).toMatch(new RegExp(`^${mock.idp.url}/authorize`)),
    }),
  ],
  [
    "POST /auth/signout",
    "/auth/signout",
    async (rest) => {
      const agent = await signedInAgent(rest);
      return {
        agent,
        body: {},
        unchanged: async () => expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA }),
        changed: async () => expect(await sessionOf(agent)).toBeNull(),
      };
    },
  ],
  [
    "POST /auth/register",
    "/auth/register",
    async (rest) => ({
      agent: rest.agent(),
      body: { email: ADA, password: PASSWORD },
      unchanged: async () => {
        expect(await env.db.db.select().from(accounts)).toHaveLength(0);
        expect(rest.mail.verifications).toHaveLength(0);
      },
      changed: async () => expect(await env.db.db.select().from(accounts)).toHaveLength(1),
    }),
  ],
  [
    "POST /auth/verify-email",
    "/auth/verify-email",
    async (rest) => {
      await postJson(rest.agent(), "/auth/register", { email: ADA, password: PASSWORD });
      const token = rest.mail.verifications[0]!.token;
      const verified = async () => (await env.db.db.select().from(accounts))[0]!.verified;
      return {
        agent: rest.agent(),
        body: { token },
        unchanged: async () => expect(await verified()).toBe(false),
        changed: async () => expect(await verified()).toBe(true),
      };
    },
  ],
  [
    "POST /auth/password/forgot",
    "/auth/password/forgot",
    async (rest) => {
      await account(rest);
      return {
        agent: rest.agent(),
        body: { email: ADA },
        unchanged: async () => {
          expect(rest.mail.resets).toHaveLength(0);
          expect(await env.db.db.select().from(resets)).toHaveLength(0);
        },
        changed: async () => expect(rest.mail.resets).toHaveLength(1),
      };
    },
  ],
  [
    "POST /auth/password/reset",
    "/auth/password/reset",
    async (rest) => {
      await account(rest);
      await postJson(rest.agent(), "/auth/password/forgot", { email: ADA });
      const token = rest.mail.resets[0]!.token;
      const hash = async () => (await env.db.db.select().from(accounts))[0]!.password;
      const before = await hash();
      return {
        agent: rest.agent(),
        body: { token, password: NEW_PASSWORD },
        unchanged: async () => {
          expect(await hash()).toBe(before);
          expect(await env.db.db.select().from(resets)).toHaveLength(1);
        },
        changed: async () => expect(await hash()).not.toBe(before),
      };
    },
  ],
  [
    "POST /auth/two-factor/verify",
    "/auth/two-factor/verify",
    async (rest) => {
      const { secret } = await totpAccount(rest, env);
      const { agent } = await pendingAgent(rest);
      return {
        agent,
        body: { method: "totp", code: codeAt(secret, env.clock.now()) },
        unchanged: async () => {
          expect(await sessionOf(agent)).toBeNull();
          expect(await getSessionOf(agent)).toBeNull();
        },
        changed: async () => expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA }),
      };
    },
  ],
  [
    "POST /auth/two-factor/setup/totp",
    "/auth/two-factor/setup/totp",
    async (rest) => {
      const agent = await signedInAgent(rest);
      return {
        agent,
        body: {},
        unchanged: async () => expect(await env.db.db.select().from(twoFactorMethods)).toHaveLength(0),
        changed: async (res) => expect(res.body.secret).toMatch(/^[A-Z2-7]+=*$/),
      };
    },
  ],
  [
    "POST /auth/two-factor/setup/totp/confirm",
    "/auth/two-factor/setup/totp/confirm",
    async (rest) => {
      const agent = await signedInAgent(rest);
      const setup = await postJson(agent, "/auth/two-factor/setup/totp");
      const verifiedRows = async () =>
        (await env.db.db.select().from(twoFactorMethods)).filter((m) => m.verified).length;
      return {
        agent,
        body: { code: codeAt(setup.body.secret, env.clock.now()) },
        unchanged: async () => expect(await verifiedRows()).toBe(0),
        changed: async (res) => {
          expect(res.body.backupCodes).toHaveLength(10);
          expect(await verifiedRows()).toBe(1);
        },
      };
    },
  ],
];

/** Ways to get the token or the request's origin wrong. Each gets 403 CSRF_FAILED. */
const ATTACKS: [
  string,
  (token: string, foreign: string) => [Record<string, unknown>, Record<string, string>, string?],
][] = [
  ["no token", () => [{}, { Origin: APP_ORIGIN }]],
  ["an empty token", () => [{ csrfToken: "" }, { Origin: APP_ORIGIN }]],
  ["the token of another browser's session", (_t, foreign) => [{ csrfToken: foreign }, { Origin: APP_ORIGIN }]],
  ["a made-up token of the right length", () => [{ csrfToken: "A".repeat(43) }, { Origin: APP_ORIGIN }]],
  ["an over-long token", (t) => [{ csrfToken: t.repeat(8) }, { Origin: APP_ORIGIN }]],
  ["the token inside an array", (t) => [{ csrfToken: [t] }, { Origin: APP_ORIGIN }]],
  ["the token only in the query string", (t) => [{}, { Origin: APP_ORIGIN }, `?csrfToken=${t}`]],
  ["a wrong body token next to a right header token", (t) => [{ csrfToken: "B".repeat(43) }, { "X-CSRF-Token": t }]],
  [
    "the right token with Origin: https://evil.test (CS-03)",
    (t) => [{ csrfToken: t }, { Origin: "https://evil.test" }],
  ],
  ["the right token with Origin: null", (t) => [{ csrfToken: t }, { Origin: "null" }]],
  ["the right token from a look-alike origin", (t) => [{ csrfToken: t }, { Origin: "https://app.test.evil.test" }]],
  ["the right token from the app's host over http", (t) => [{ csrfToken: t }, { Origin: "http://app.test" }]],
  [
    "the right token with Sec-Fetch-Site: cross-site (CS-03)",
    (t) => [{ csrfToken: t }, { "Sec-Fetch-Site": "cross-site" }],
  ],
  [
    "the right token, a same-origin Origin, but Sec-Fetch-Site: cross-site",
    (t) => [{ csrfToken: t }, { Origin: APP_ORIGIN, "Sec-Fetch-Site": "cross-site" }],
  ],
  [
    "the right token with a cross-site Referer and no Origin",
    (t) => [{ csrfToken: t }, { Referer: "https://evil.test/page" }],
  ],
  ["the right token with a malformed Referer and no Origin", (t) => [{ csrfToken: t }, { Referer: "::not a url::" }]],
];

describe("every POST refuses a missing, foreign or cross-origin token with 403 and no side effect (CS-01..03)", () => {
  it.each(SCENARIOS)("%s", { timeout: 60_000 }, async (_name, path, setup) => {
    const rest = app();
    const s = await setup(rest);
    const token = await csrfOf(s.agent);
    const foreign = await csrfOf(rest.agent());
    for (const [attack, make] of ATTACKS) {
      const [body, headers, query] = make(token, foreign);
      const res = await send(s.agent, path, { ...s.body, ...body }, headers, query ?? "");
      expect(res.status, `${attack}: ${res.text}`).toBe(403);
      expect(res.body.error, attack).toBe("CSRF_FAILED");
      expect(res.headers.location, attack).toBeUndefined();
    }
    await s.unchanged();
    // A browser form post without the token: sent back to a page, with nothing done.
    const form = await s.agent
      .post(path)
      .set(APP_HEADERS)
      .set("Origin", APP_ORIGIN)
      .type("form")
      .set("Accept", "text/html")
      .send(Object.fromEntries(Object.entries(s.body).map(([k, v]) => [k, String(v)])));
    expect(form.status).toBe(303);
    expect(form.headers.location).toMatch(/^\/auth\/[a-z/-]+\?error=CSRF_FAILED/);
    await s.unchanged();
    // The same request with the session's token goes through.
    const ok = await send(s.agent, path, { ...s.body, csrfToken: token });
    expect(ok.status, ok.text).toBe(200);
    await s.changed(ok);
  });
});

describe("what passes the CSRF checks", () => {
  async function startGithub(agent: Agent, body: Record<string, unknown>, headers: Record<string, string>) {
    return send(agent, "/auth/signin/github", body, headers);
  }

  it.each([
    ["the token in the body and a same-origin Origin", (t: string) => [{ csrfToken: t }, { Origin: APP_ORIGIN }]],
    ["the token in X-CSRF-Token", (t: string) => [{}, { "x-csrf-token": t, Origin: APP_ORIGIN }]],
    ["the token and no Origin or Referer (a non-browser client)", (t: string) => [{ csrfToken: t }, {}]],
    [
      "the token and a same-origin Referer without Origin",
      (t: string) => [{ csrfToken: t }, { Referer: `${APP_ORIGIN}/auth/signin?x=1` }],
    ],
    [
      "the token, Origin and Sec-Fetch-Site: same-origin",
      (t: string) => [{ csrfToken: t }, { Origin: APP_ORIGIN, "Sec-Fetch-Site": "same-origin" }],
    ],
    [
      "the token and Origin https://APP.TEST:443",
      (t: string) => [{ csrfToken: t }, { Origin: "https://APP.TEST:443" }],
    ],
  ] as [string, (t: string) => [Record<string, unknown>, Record<string, string>]][])(
    "%s → 200",
    async (_name, make) => {
      const rest = app();
      const agent = rest.agent();
      const token = await csrfOf(agent);
      const [body, headers] = make(token);
      const res = await startGithub(agent, body, headers);
      expect(res.status, res.text).toBe(200);
      expect(res.body.url).toMatch(new RegExp(`^${mock.idp.url}/authorize`));
    },
  );

  it("trustedOrigins lets a configured origin post, and only that one", async () => {
    const trusting = app({ config: { trustedOrigins: ["https://partner.test"] } });
    const agent = trusting.agent();
    const token = await csrfOf(agent);
    expect((await startGithub(agent, { csrfToken: token }, { Origin: "https://partner.test" })).status).toBe(200);
    expect((await startGithub(agent, { csrfToken: token }, { Referer: "https://partner.test/x" })).status).toBe(200);
    expect((await startGithub(agent, { csrfToken: token }, { Origin: "https://other.partner.test" })).status).toBe(403);
    const strict = app();
    const other = strict.agent();
    const otherToken = await csrfOf(other);
    expect((await startGithub(other, { csrfToken: otherToken }, { Origin: "https://partner.test" })).status).toBe(403);
  });
});

describe("the token rotates with the session id (CS-01)", () => {
  it("a pre-login token is refused after sign-in, and a signed-in token after sign-out", async () => {
    const rest = app();
    await account(rest);
    const agent = rest.agent();
    const anonymous = await csrfOf(agent);
    await signIn(agent);
    const signedIn = await csrfOf(agent);
    expect(signedIn).not.toBe(anonymous);
    const stale = await send(agent, "/auth/signout", { csrfToken: anonymous });
    expect(stale.status).toBe(403);
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    expect((await send(agent, "/auth/signout", { csrfToken: signedIn })).status).toBe(200);
    // After sign-out the signed-in token is dead too: it cannot sign the next user in or out.
    expect(
      (await send(agent, "/auth/signin/credentials", { csrfToken: signedIn, email: ADA, password: PASSWORD })).status,
    ).toBe(403);
    expect(await csrfOf(agent)).not.toBe(signedIn);
  });

  it("a token read before the second factor is refused after it (the session id changes at each step)", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const agent = rest.agent();
    const anonymous = await csrfOf(agent);
    const first = await send(agent, "/auth/signin/credentials", {
      csrfToken: anonymous,
      email: ADA,
      password: PASSWORD,
    });
    expect(first.status).toBe(401);
    const pending = await csrfOf(agent);
    expect(pending).not.toBe(anonymous);
    const code = codeAt(secret, env.clock.now());
    expect((await send(agent, "/auth/two-factor/verify", { csrfToken: anonymous, code })).status).toBe(403);
    expect((await send(agent, "/auth/two-factor/verify", { csrfToken: pending, code })).status).toBe(200);
    expect((await send(agent, "/auth/signout", { csrfToken: pending })).status).toBe(403);
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
  });
});
