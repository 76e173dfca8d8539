import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createProvider,
  generateOAuthCodeVerifier,
  generateOAuthState,
  OAuthProviderError,
} from "../../src/providers/index.js";
import type { OAuthProvider } from "../../src/providers/index.js";
import { client, consent, REDIRECT_URI, s256, startMockIdp, type MockIdp } from "./mock-idp.js";

let idp: MockIdp;
let github: OAuthProvider;
beforeAll(async () => {
  idp = await startMockIdp();
  github = createProvider("github", {
    ...client,
    userAgent: "my-app/1.0",
    endpoints: { authorization: `${idp.url}/authorize`, token: `${idp.url}/token`, api: idp.url },
  });
});
afterAll(() => idp.close());
beforeEach(() => {
  idp.json.set("/user", { id: 4242, login: "octo", name: "Octo Cat", avatar_url: "https://a/x.png" });
  idp.json.set("/user/emails", [
    { email: "old@example.com", primary: false, verified: true },
    { email: "octo@example.com", primary: true, verified: true },
  ]);
});

async function signIn(verifierForExchange?: string) {
  const state = generateOAuthState();
  const verifier = generateOAuthCodeVerifier();
  const { code } = await consent(await github.createAuthorizationUrl(state, verifier));
  const tokens = await github.exchangeCode(code, verifierForExchange ?? verifier);
  return github.fetchProfile(tokens);
}

describe("github provider", () => {
  it("authorization URL carries state, S256 challenge, scopes, redirect_uri and client_id", async () => {
    const verifier = generateOAuthCodeVerifier();
    const url = await github.createAuthorizationUrl("st-1", verifier);
    expect(url.origin + url.pathname).toBe(`${idp.url}/authorize`);
    expect(url.searchParams.get("state")).toBe("st-1");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toBe(s256(verifier));
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(url.searchParams.get("client_id")).toBe(client.clientId);
    expect((await github.createAuthorizationUrl("s", verifier, ["read:user"])).searchParams.get("scope")).toBe(
      "read:user",
    );
  });

  it("exchanges the code with the verifier and normalises the profile", async () => {
    const profile = await signIn();
    expect(profile).toEqual({
      id: "4242",
      email: "octo@example.com",
      emailVerified: true,
      username: "octo",
      name: "Octo Cat",
      avatar: "https://a/x.png",
    });
    const tokenReq = idp.requests.findLast((r) => r.path === "/token")!;
    expect(new URLSearchParams(tokenReq.body).get("code_verifier")).toBeTruthy();
    expect(idp.requests.findLast((r) => r.path === "/user")!.headers["user-agent"]).toBe("my-app/1.0");
  });

  it("a wrong verifier is rejected by the provider as invalid_grant", async () => {
    const err = await signIn(generateOAuthCodeVerifier()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthProviderError);
    expect(err).toMatchObject({ code: "OAUTH_PROVIDER_ERROR", reason: "invalid_grant", provider: "github" });
  });

  it("ignores unverified primary and verified non-primary emails", async () => {
    idp.json.set("/user/emails", [
      { email: "primary@example.com", primary: true, verified: false },
      { email: "other@example.com", primary: false, verified: true },
    ]);
    expect(await signIn()).toMatchObject({ id: "4242", email: null, emailVerified: false });
  });

  it("a profile without an id, or emails that are not a list, is bad_profile", async () => {
    idp.json.set("/user", { login: "octo" });
    await expect(signIn()).rejects.toMatchObject({ reason: "bad_profile" });
    idp.json.set("/user", { id: 1 });
    idp.json.set("/user/emails", { email: "x@example.com" });
    await expect(signIn()).rejects.toMatchObject({ reason: "bad_profile" });
  });
});
