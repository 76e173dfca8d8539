/** The callback's `state` and PKCE verifier: OA-01 (state), OA-02 (PKCE S256), OA-03 (binding), OA-04 (redirect_uri). */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { createGitHubProvider } from "../../src/providers/index.js";
import { sessionIdOf, sha256 } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import { CLIENT_ID, consent, s256 } from "../providers/mock-idp.js";
import {
  accountRows,
  consentPath,
  entraUser,
  expectClientError,
  githubUser,
  googleUser,
  oauthApp,
  oidcUser,
  providerRows,
  providersFor,
  startAndConsent,
  startFlow,
  tokenCalls,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const app = () => oauthApp(env.config({ providers: providersFor(s.idp) }));
const callbackPath = (name: string, code: string, state: string) =>
  `/oauth/${name}/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;

describe("OA-01 state", () => {
  it("OA-01: a wrong state is refused with 403 before any token request", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const agent = t.agent();
    const { code, state } = await startAndConsent(agent, "github");
    const wrong = `${state.slice(0, -1)}${state.endsWith("A") ? "B" : "A"}`;
    const res = await agent.get(callbackPath("github", code, wrong));
    expectClientError(res, 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    await agent.get("/me").expect(401);
    expect(await accountRows(env)).toHaveLength(0);
    expect(t.errors).toEqual([]);
  });

  it("OA-01: a callback without a state (or with an empty one) is refused before any token request", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const agent = app().agent();
    const { code } = await startAndConsent(agent, "github");
    expectClientError(await agent.get(`/oauth/github/callback?code=${code}`), 403, "OAUTH_STATE_INVALID");
    expectClientError(await agent.get(`/oauth/github/callback?code=${code}&state=`), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    await agent.get("/me").expect(401);
  });

  it("OA-01: the callback from a browser without the starting session is refused", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const { code, state } = await startAndConsent(t.agent(), "github");
    const stranger = t.agent();
    expectClientError(await stranger.get(callbackPath("github", code, state)), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    await stranger.get("/me").expect(401);
    expect(await accountRows(env)).toHaveLength(0);
  });

  it("OA-01: a state started by another browser does not complete in this one, even with its own flow pending", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const victim = await startAndConsent(t.agent(), "github");
    const attacker = t.agent();
    await startFlow(attacker, "github");
    expectClientError(
      await attacker.get(callbackPath("github", victim.code, victim.state)),
      403,
      "OAUTH_STATE_INVALID",
    );
    expect(tokenCalls(s.idp)).toBe(0);
  });

  it("OA-01: replaying a successful callback is refused and makes no second token request", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const agent = t.agent();
    const url = await startFlow(agent, "github");
    const path = await consentPath(url);
    const first = await agent.get(path);
    expect(first.status, first.text).toBe(200);
    expect(tokenCalls(s.idp)).toBe(1);
    expectClientError(await agent.get(path), 403, "OAUTH_STATE_INVALID");
    expectClientError(await t.agent().get(path), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(1);
  });

  it("OA-01: a failed callback also uses the flow up (no retry with the same state)", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const agent = app().agent();
    const { code, state } = await startAndConsent(agent, "github");
    expectClientError(await agent.get(`/oauth/github/callback?error=access_denied&state=${state}`), 400);
    expectClientError(await agent.get(callbackPath("github", code, state)), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
  });

  it("OA-01: a flow expires after 10 minutes (the session itself is still alive)", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const late = t.agent();
    const expired = await startAndConsent(late, "github");
    env.clock.advance(11 * 60 * 1000);
    expectClientError(await late.get(callbackPath("github", expired.code, expired.state)), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    // Control: the same session can start again, and a flow answered within 9 minutes completes.
    const fresh = await startAndConsent(late, "github");
    env.clock.advance(9 * 60 * 1000);
    const ok = await late.get(callbackPath("github", fresh.code, fresh.state));
    expect(ok.status, ok.text).toBe(200);
  });

  it("OA-01: every flow gets a fresh state of at least 128 bits, kept server-side only", async () => {
    const agent = app().agent();
    const states = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await agent.get("/oauth/github/start");
      expect(res.status).toBe(302);
      const state = new URL(res.headers.location!).searchParams.get("state")!;
      expect(state).toMatch(/^[A-Za-z0-9_-]{22,}$/); // ≥ 22 base64url characters = ≥ 128 bits
      states.add(state);
      for (const cookie of ([] as string[]).concat(res.headers["set-cookie"] ?? []))
        expect(decodeURIComponent(cookie)).not.toContain(state);
    }
    expect(states.size).toBe(5);
  });

  it("OA-01: starting many flows keeps the session small; the newest flow still completes", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = app();
    const agent = t.agent();
    let sid = "";
    for (let i = 0; i < 30; i++) {
      const res = await agent.get("/oauth/github/start");
      expect(res.status).toBe(302);
      if (res.headers["set-cookie"]) sid = sessionIdOf(res);
    }
    const [row] = await env.db.db
      .select()
      .from(authSchema.sessions)
      .where(eq(authSchema.sessions.id, sha256(sid)));
    expect(JSON.parse(row!.sess).oauthFlows.length).toBeLessThanOrEqual(5);
    const ok = await agent.get(await consentPath(await startFlow(agent, "github")));
    expect(ok.status, ok.text).toBe(200);
  });

  it("OA-01: a flow started earlier in the same session still completes after another one was started", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    googleUser(s.idp, { sub: "g-1", email: "g@example.test" });
    const agent = app().agent();
    const first = await startAndConsent(agent, "github");
    await startFlow(agent, "google");
    const res = await agent.get(callbackPath("github", first.code, first.state));
    expect(res.status, res.text).toBe(200);
  });
});

describe("OA-02 PKCE S256", () => {
  it("OA-02: RFC 7636 Appendix B vector through s256() and through the provider's authorization URL", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    expect(s256(verifier)).toBe(challenge);
    const provider = createGitHubProvider({
      clientId: CLIENT_ID,
      clientSecret: "x",
      redirectUri: "https://app.test/cb",
      endpoints: { authorization: "https://idp.test/authorize", token: "https://idp.test/token" },
    });
    const url = provider.createAuthorizationUrl("some-state", verifier);
    expect(url.searchParams.get("code_challenge")).toBe(challenge);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.toString()).not.toContain(verifier);
  });

  for (const name of ["github", "google", "azure", "keycloak"]) {
    it(`OA-02: ${name} sends an S256 challenge of the verifier later posted to the token endpoint`, async () => {
      githubUser(s.idp, { id: 1, email: "a@example.test" });
      googleUser(s.idp, { sub: "g-1", email: "a@example.test" });
      if (name === "azure") entraUser(s.idp, { oid: "o-1", email: "a@example.test" });
      if (name === "keycloak") oidcUser(s.idp, { sub: "k-1", email: "a@example.test" });
      const agent = app().agent();
      const url = await startFlow(agent, name);
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      const challenge = url.searchParams.get("code_challenge")!;
      expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await agent.get(await consentPath(url));
      const token = s.idp.requests.find((r) => r.path === "/token");
      expect(token).toBeDefined();
      const verifier = new URLSearchParams(token!.body).get("code_verifier")!;
      expect(verifier.length).toBeGreaterThanOrEqual(43);
      expect(verifier.length).toBeLessThanOrEqual(128);
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]+$/);
      expect(s256(verifier)).toBe(challenge);
      // The verifier travels only in the token request: not in the authorization URL, not to any other endpoint.
      expect(url.toString()).not.toContain(verifier);
      for (const r of s.idp.requests.filter((x) => x.path !== "/token"))
        expect(JSON.stringify(r)).not.toContain(verifier);
    });
  }

  it("OA-02: two flows never share a verifier", async () => {
    const agent = app().agent();
    const a = await startFlow(agent, "google");
    const b = await startFlow(agent, "google");
    expect(a.searchParams.get("code_challenge")).not.toBe(b.searchParams.get("code_challenge"));
  });
});

describe("OA-03 binding to the provider", () => {
  it("OA-03: a state minted for github cannot complete google's callback, and no token request is made", async () => {
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    googleUser(s.idp, { sub: "g-1", email: "a@example.test" });
    const agent = app().agent();
    const { code, state } = await startAndConsent(agent, "github");
    expectClientError(await agent.get(callbackPath("google", code, state)), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toHaveLength(0);
  });

  it("OA-03: a google state cannot complete the custom OIDC callback either", async () => {
    oidcUser(s.idp, { sub: "k-1", email: "a@example.test" });
    const agent = app().agent();
    const { code, state } = await startAndConsent(agent, "google");
    expectClientError(await agent.get(callbackPath("keycloak", code, state)), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
  });

  it("OA-03: an unknown or unconfigured provider is a 404, also for names found on Object.prototype", async () => {
    const t = oauthApp(env.config({ providers: { github: providersFor(s.idp).github! } }));
    const agent = t.agent();
    for (const name of ["unknown", "google", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expectClientError(await agent.get(`/oauth/${name}/start`), 404, "UNKNOWN_PROVIDER");
      expectClientError(await agent.get(`/oauth/${name}/callback?code=c&state=s`), 404, "UNKNOWN_PROVIDER");
    }
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });
});

describe("OA-04 redirect_uri", () => {
  it("OA-04: the redirect_uri is the configured value byte for byte, whatever Host and X-Forwarded-* say", async () => {
    const configured = "https://app.example.test/oauth/github/callback?x=1";
    githubUser(s.idp, { id: 1, email: "a@example.test" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { github: { redirectUri: configured } }) }));
    const agent = t.agent();
    const res = await agent
      .get("/oauth/github/start")
      .set("Host", "evil.test")
      .set("X-Forwarded-Host", "evil2.test")
      .set("X-Forwarded-Proto", "http");
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(url.searchParams.get("redirect_uri")).toBe(configured);
    expect(res.headers.location).not.toContain("evil");
    // The token request repeats exactly the same value.
    const { code, state } = await consent(url);
    const cb = await agent.get(callbackPath("github", code, state)).set("Host", "evil.test");
    expect(cb.status, cb.text).toBe(200);
    const token = s.idp.requests.find((r) => r.path === "/token")!;
    expect(new URLSearchParams(token.body).get("redirect_uri")).toBe(configured);
  });
});
