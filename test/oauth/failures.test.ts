/** OA-07: provider errors, failed exchanges, malformed profiles, and tokens that never leave the server. */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthStatus } from "../../src/primitives/status.js";
import { isAuthError } from "../../src/errors.js";
import { useTestEnv } from "../helpers/setup.js";
import { closedPort, consent } from "../providers/mock-idp.js";
import {
  accountRows,
  activityOf,
  consentPath,
  entraUser,
  expectClientError,
  githubUser,
  googleUser,
  oauthApp,
  oidcUser,
  providerRows,
  providersFor,
  setStatus,
  signInWith,
  startFlow,
  tableText,
  tokenCalls,
  usedAccessTokens,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const app = (extra: Record<string, Record<string, unknown>> = {}) =>
  oauthApp(env.config({ providers: providersFor(s.idp, extra) }));

/** Nothing reached the error handler as an unexpected (non-auth or 5xx) error. */
function expectNoUnexpectedErrors(t: ReturnType<typeof app>) {
  expect(t.errors.filter((e) => !isAuthError(e))).toEqual([]);
  expect(t.errors).toEqual([]);
}

describe("OA-07 provider error parameters", () => {
  it("OA-07: error=<script>alert(1)</script> is not reflected; 400 and a failed_login row", async () => {
    const t = app();
    const agent = t.agent();
    const state = (await startFlow(agent, "github")).searchParams.get("state")!;
    const payload = "<script>alert(1)</script>";
    const res = await agent.get(
      `/oauth/github/callback?error=${encodeURIComponent(payload)}&error_description=${encodeURIComponent(payload)}&error_uri=${encodeURIComponent("javascript:alert(1)")}&state=${state}`,
    );
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.text).not.toContain("<script>");
    expect(res.text).not.toContain("alert(1)");
    expect(res.text).not.toContain("javascript:");
    expect(tokenCalls(s.idp)).toBe(0);
    await agent.get("/me").expect(401);
    const [failed] = await activityOf(env, "failed_login");
    expect(failed!.metadata).toMatchObject({ provider: "github", reason: "oauth_bad_response" });
    expect(JSON.stringify(failed)).not.toContain("<script>");
    expectNoUnexpectedErrors(t);
  });

  it("OA-07: error=access_denied (the user cancelled) is 400 with a fixed message", async () => {
    const t = app();
    const agent = t.agent();
    const state = (await startFlow(agent, "google")).searchParams.get("state")!;
    const res = await agent.get(
      `/oauth/google/callback?error=access_denied&error_description=Nope%20%3Cb%3E&state=${state}`,
    );
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.body.message).toBe("The user denied access at the provider (google)");
    expect(res.text).not.toContain("Nope");
    expect(tokenCalls(s.idp)).toBe(0);
  });

  it("OA-07: an error parameter with an invalid state is still a state error (no reflection)", async () => {
    const t = app();
    const res = await t.agent().get(`/oauth/github/callback?error=%3Cscript%3Ex%3C%2Fscript%3E&state=nope`);
    expectClientError(res, 403, "OAUTH_STATE_INVALID");
    expect(res.text).not.toContain("<script>");
  });
});

describe("OA-07 failed token exchanges", () => {
  it("OA-07: the token endpoint answering 500 gives a generic 4xx that does not echo its body", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = app();
    const agent = t.agent();
    const url = await startFlow(agent, "github");
    const path = await consentPath(url);
    s.idp.tokenOverride = { status: 500, body: "<html>internal trace: db password hunter2</html>" };
    const res = await agent.get(path);
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.text).not.toContain("hunter2");
    expect(res.text).not.toContain("<html>");
    await agent.get("/me").expect(401);
    expect(await accountRows(env)).toEqual([]);
    expectNoUnexpectedErrors(t);
  });

  it("OA-07: a refused code (invalid_grant) and a 200 answer carrying an error are generic 4xx", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = app();
    for (const override of [
      { status: 400, body: JSON.stringify({ error: "invalid_grant", error_description: "<script>x</script>" }) },
      { status: 200, body: JSON.stringify({ error: "bad_verification_code" }) },
      { status: 200, body: JSON.stringify({ token_type: "bearer" }) },
      { status: 200, body: "not json at all" },
    ]) {
      const agent = t.agent();
      const path = await consentPath(await startFlow(agent, "github"));
      s.idp.tokenOverride = override;
      const res = await agent.get(path);
      s.idp.tokenOverride = null;
      expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
      expect(res.text).not.toContain("<script>");
      await agent.get("/me").expect(401);
    }
    expect(await accountRows(env)).toEqual([]);
    expectNoUnexpectedErrors(t);
  });

  it("OA-07: an unreachable token endpoint is a 4xx (network), not a 500", async () => {
    const port = await closedPort();
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = app({ github: { endpoints: { token: `http://127.0.0.1:${port}/token` } } });
    const agent = t.agent();
    const res = await signInWith(agent, "github");
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.body.message).toBe("The provider could not be reached (github)");
    expect(res.text).not.toContain(String(port));
    const [failed] = await activityOf(env, "failed_login");
    expect(failed!.metadata).toMatchObject({ provider: "github", reason: "oauth_network" });
    expectNoUnexpectedErrors(t);
  });

  it("OA-07: an unreachable profile API is a 4xx and writes nothing", async () => {
    const port = await closedPort();
    const t = app({ google: { endpoints: { userinfo: `http://127.0.0.1:${port}/userinfo` } } });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "google"), 400, "OAUTH_PROVIDER_ERROR");
    expect(await accountRows(env)).toEqual([]);
    expectNoUnexpectedErrors(t);
  });
});

describe("OA-07 malformed profiles", () => {
  const github = () => githubUser(s.idp, { id: 1, email: "a@x.test" });
  const entra = () => entraUser(s.idp, { oid: "o", email: "a@x.test" });
  const cases: [string, string, () => void][] = [
    ["GitHub /user is a string", "github", () => (github(), s.idp.json.set("/user", "just some text"))],
    ["GitHub /user is {}", "github", () => (github(), s.idp.json.set("/user", {}))],
    ["GitHub /user is an array", "github", () => (github(), s.idp.json.set("/user", [{ id: 1 }]))],
    ["GitHub /user id is a fraction", "github", () => (github(), s.idp.json.set("/user", { id: 1.5, login: "x" }))],
    [
      "GitHub /user/emails is an object",
      "github",
      () => (github(), s.idp.json.set("/user/emails", { email: "a@x.test", primary: true, verified: true })),
    ],
    ["GitHub /user answers 404", "github", () => (github(), s.idp.json.delete("/user"))],
    ["Google userinfo is {}", "google", () => s.idp.json.set("/userinfo", {})],
    [
      "Google userinfo sub is a number",
      "google",
      () => s.idp.json.set("/userinfo", { sub: 5, email: "a@x.test", email_verified: true }),
    ],
    ["Entra id_token is missing", "azure", () => (s.idp.idTokenClaims = null)],
    [
      "Entra id_token has another audience",
      "azure",
      () => (entra(), (s.idp.idTokenClaims = { ...s.idp.idTokenClaims, aud: "someone-else" })),
    ],
    ["Entra id_token lacks oid", "azure", () => (entra(), (s.idp.idTokenClaims = { ...s.idp.idTokenClaims, oid: 7 }))],
    [
      "OIDC userinfo has another sub",
      "keycloak",
      () => (
        oidcUser(s.idp, { sub: "k-1", email: "a@x.test" }),
        s.idp.json.set("/oidc-userinfo", { sub: "k-2", email: "a@x.test", email_verified: true })
      ),
    ],
  ];
  for (const [name, provider, setup] of cases) {
    it(`OA-07: ${name} → 400 and no account written`, async () => {
      setup();
      const t = app({ azure: { trustEmail: true } });
      const agent = t.agent();
      const res = await signInWith(agent, provider);
      expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
      await agent.get("/me").expect(401);
      expect(await accountRows(env)).toEqual([]);
      expect(await providerRows(env)).toEqual([]);
      expectNoUnexpectedErrors(t);
    });
  }
});

describe("OA-07 tokens never leave the server", () => {
  it("OA-07: access tokens appear in no response, session row, audit row or provider row", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    googleUser(s.idp, { sub: "g-1", email: "b@x.test" });
    oidcUser(s.idp, { sub: "k-1", email: "c@x.test" });
    const t = app();
    const texts: string[] = [];
    const record = (res: { text: string; headers: Record<string, unknown> }) => {
      texts.push(res.text ?? "", JSON.stringify(res.headers));
      return res;
    };
    for (const name of ["github", "google", "keycloak"]) {
      const agent = t.agent();
      const start = record(await agent.get(`/oauth/${name}/start?remember=1`));
      const path = await consentPath(new URL(start.headers.location as string));
      record(await agent.get(path));
      record(await agent.get("/me"));
      record(await agent.post("/call/listProviders").send({ args: [] }));
      record(await agent.post("/call/listSessions").send({ args: [] }));
    }
    // A failed profile fetch after a successful exchange, too.
    s.idp.json.set("/user", "garbage");
    const failing = t.agent();
    record(await signInWith(failing, "github"));

    const tokens = usedAccessTokens(s.idp);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    const stored = [
      await tableText(env, "sessions"),
      await tableText(env, "activityLog"),
      await tableText(env, "providers"),
      await tableText(env, "accounts"),
      await tableText(env, "remembers"),
    ];
    const everywhere = [...texts, ...stored, JSON.stringify(t.errors.map(String))].join("\n");
    for (const token of tokens) expect(everywhere).not.toContain(token);
    expect(everywhere).not.toContain("rt-1");
    expect(everywhere).not.toMatch(/"at-[0-9a-f]+"/);
  });
});

describe("OA-07 / SE-05 account status", () => {
  it("OA-07: a banned user completes OAuth and is refused (403); /me stays 401", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = app();
    const first = t.agent();
    await signInWith(first, "github");
    const [account] = await accountRows(env);
    await setStatus(env, account!.id, AuthStatus.Banned);
    const agent = t.agent();
    const res = await signInWith(agent, "github");
    expectClientError(res, 403, "USER_INACTIVE");
    await agent.get("/me").expect(401);
    // The already signed-in session ends too once it resyncs with the account.
    env.clock.advance(60_000);
    await first.get("/me").expect(401);
  });
});

describe("OA-07 flows are single use even when the provider fails", () => {
  it("after a failed exchange the same callback cannot be retried", async () => {
    githubUser(s.idp, { id: 1, email: "a@x.test" });
    const t = app();
    const agent = t.agent();
    const url = await startFlow(agent, "github");
    const { code, state } = await consent(url);
    s.idp.tokenOverride = { status: 503, body: "busy" };
    expectClientError(await agent.get(`/oauth/github/callback?code=${code}&state=${state}`), 400);
    s.idp.tokenOverride = null;
    expectClientError(
      await agent.get(`/oauth/github/callback?code=${code}&state=${state}`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expect(tokenCalls(s.idp)).toBe(1);
    expect(await env.db.db.select().from(authSchema.accounts)).toEqual([]);
  });
});
