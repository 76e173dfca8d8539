/** Custom OpenID Connect providers through the middleware: a named `type: "oidc"` entry, and discovery. */
import { describe, expect, it } from "vitest";
import { useTestEnv } from "../helpers/setup.js";
import { CLIENT_ID, CLIENT_SECRET, s256 } from "../providers/mock-idp.js";
import {
  accountRows,
  consentPath,
  expectClientError,
  oauthApp,
  oidcUser,
  providerRows,
  providersFor,
  signInWith,
  startFlow,
  tokenCalls,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const discoveryCount = () => s.idp.requests.filter((r) => r.path === "/.well-known/openid-configuration").length;

function serveDiscovery(issuer = s.idp.url) {
  s.idp.json.set("/.well-known/openid-configuration", {
    issuer,
    authorization_endpoint: `${s.idp.url}/authorize`,
    token_endpoint: `${s.idp.url}/token`,
    userinfo_endpoint: `${s.idp.url}/oidc-userinfo`,
  });
}

/** An app whose only provider is `oidc` configured by issuer (discovery). */
function discoveryApp() {
  return oauthApp(
    env.config({
      providers: {
        oidc: {
          issuer: s.idp.url,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUri: "http://127.0.0.1/oauth/oidc/callback",
        },
      },
    }),
  );
}

describe("a named custom OIDC provider (keycloak)", () => {
  it("signs up, signs in again, and keys the identity by sub", async () => {
    oidcUser(s.idp, { sub: "kc-1", email: "Kc@X.test", name: "Key Cloak", username: "kc" });
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const agent = t.agent();
    const res = await signInWith(agent, "keycloak");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: true });
    expect((await agent.get("/me").expect(200)).body.email).toBe("kc@x.test");
    expect(await providerRows(env)).toMatchObject([
      { provider: "keycloak", providerId: "kc-1", providerUsername: "kc", providerName: "Key Cloak" },
    ]);
    const again = await signInWith(t.agent(), "keycloak");
    expect(again.body).toEqual({ isNewUser: false });
    // The userinfo request carried the access token from the token response.
    const userinfo = s.idp.requests.filter((r) => r.path === "/oidc-userinfo");
    expect(userinfo).toHaveLength(2);
    for (const r of userinfo) expect(r.headers.authorization).toMatch(/^Bearer at-/);
    expect(t.errors).toEqual([]);
  });

  it("an ID token for another client (aud) is refused and nothing is written", async () => {
    oidcUser(s.idp, { sub: "kc-1", email: "kc@x.test" });
    s.idp.idTokenClaims = { ...s.idp.idTokenClaims, aud: "another-client" };
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    expectClientError(await signInWith(t.agent(), "keycloak"), 400, "OAUTH_PROVIDER_ERROR");
    expect(await accountRows(env)).toEqual([]);
  });

  it("an ID token listing this client among several audiences is accepted", async () => {
    oidcUser(s.idp, { sub: "kc-1", email: "kc@x.test" });
    s.idp.idTokenClaims = { ...s.idp.idTokenClaims, aud: ["other", CLIENT_ID] };
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    expect((await signInWith(t.agent(), "keycloak")).status).toBe(200);
  });

  it("trustEmail makes an OIDC address without email_verified count (an IdP you control)", async () => {
    oidcUser(s.idp, { sub: "kc-1", email: "corp@x.test", verified: false });
    const plain = oauthApp(env.config({ providers: providersFor(s.idp) }));
    expectClientError(await signInWith(plain.agent(), "keycloak"), 400, "OAUTH_EMAIL_REQUIRED");
    const trusting = oauthApp(env.config({ providers: providersFor(s.idp, { keycloak: { trustEmail: true } }) }));
    expect((await signInWith(trusting.agent(), "keycloak")).status).toBe(200);
    expect((await accountRows(env)).map((a) => a.email)).toEqual(["corp@x.test"]);
  });
});

describe("oidc with discovery (issuer)", () => {
  it("works on the very first request: a start route that awaits ready() gets the discovered provider", async () => {
    serveDiscovery();
    oidcUser(s.idp, { sub: "d-1", email: "disc@x.test", iss: s.idp.url });
    const t = discoveryApp();
    const agent = t.agent();
    const url = await startFlow(agent, "oidc");
    expect(`${url.origin}${url.pathname}`).toBe(`${s.idp.url}/authorize`);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const res = await agent.get(await consentPath(url));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: true });
    const token = s.idp.requests.find((r) => r.path === "/token")!;
    expect(s256(new URLSearchParams(token.body).get("code_verifier")!)).toBe(url.searchParams.get("code_challenge"));
    expect(await providerRows(env)).toMatchObject([{ provider: "oidc", providerId: "d-1" }]);
    // Discovery happened once, however many requests followed.
    await signInWith(t.agent(), "oidc");
    expect(discoveryCount()).toBe(1);
    expect(t.errors).toEqual([]);
  });

  it("an ID token from another issuer is refused", async () => {
    serveDiscovery();
    oidcUser(s.idp, { sub: "d-1", email: "disc@x.test", iss: "https://evil.test" });
    const t = discoveryApp();
    expectClientError(await signInWith(t.agent(), "oidc"), 400, "OAUTH_PROVIDER_ERROR");
    expect(await accountRows(env)).toEqual([]);
  });

  it("a discovery document naming another issuer makes the start a 4xx (never a 500) and no flow runs", async () => {
    serveDiscovery("https://evil.test");
    const t = discoveryApp();
    const agent = t.agent();
    const res = await agent.get("/oauth/oidc/start");
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.headers.location).toBeUndefined();
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
    // Other routes keep working while discovery is failing.
    await agent.get("/me").expect(401);
  });

  it("an unreachable discovery document does not break requests that do not use the provider", async () => {
    const t = discoveryApp(); // nothing served at /.well-known/openid-configuration: 404
    const agent = t.agent();
    await agent.get("/me").expect(401);
    const reg = await agent.post("/register").send({ email: "pw@x.test", password: "correct horse battery staple" });
    expect(reg.status).toBe(200);
    expectClientError(await agent.get("/oauth/oidc/start"), 400, "OAUTH_PROVIDER_ERROR");
    expect(t.errors).toEqual([]);
  });
});
