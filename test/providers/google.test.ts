import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider, generateOAuthCodeVerifier } from "../../src/providers/index.js";
import type { OAuthProvider } from "../../src/providers/index.js";
import { client, consent, s256, startMockIdp, type MockIdp } from "./mock-idp.js";

let idp: MockIdp;
let google: OAuthProvider;
beforeAll(async () => {
  idp = await startMockIdp();
  google = createProvider("google", {
    ...client,
    endpoints: { authorization: `${idp.url}/authorize`, token: `${idp.url}/token`, userinfo: `${idp.url}/userinfo` },
  });
});
afterAll(() => idp.close());

async function signIn() {
  const verifier = generateOAuthCodeVerifier();
  const { code } = await consent(await google.createAuthorizationUrl("st", verifier));
  return google.fetchProfile(await google.exchangeCode(code, verifier));
}

describe("google provider", () => {
  it("authorization URL uses PKCE S256 and the OIDC scopes", async () => {
    const url = await google.createAuthorizationUrl("st", "v".repeat(43));
    expect(url.searchParams.get("code_challenge")).toBe(s256("v".repeat(43)));
    expect(url.searchParams.get("scope")).toBe("openid email profile");
  });

  it("returns tokens and a verified email when email_verified is true", async () => {
    idp.json.set("/userinfo", { sub: "g-1", email: "a@example.com", email_verified: true, name: "A", picture: "p" });
    expect(await signIn()).toEqual({ id: "g-1", email: "a@example.com", emailVerified: true, name: "A", avatar: "p" });
  });

  it.each([false, "true", undefined])("email_verified=%s gives no trusted email", async (flag) => {
    idp.json.set("/userinfo", { sub: "g-1", email: "a@example.com", email_verified: flag });
    expect(await signIn()).toMatchObject({ id: "g-1", email: null, emailVerified: false });
  });

  it("token response fields are normalised", async () => {
    const verifier = generateOAuthCodeVerifier();
    const { code } = await consent(await google.createAuthorizationUrl("st", verifier));
    const tokens = await google.exchangeCode(code, verifier);
    expect(tokens.accessToken).toMatch(/^at-/);
    expect(tokens.refreshToken).toBe("rt-1");
    expect(tokens.scopes).toEqual(["openid", "email"]);
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("a reused code is invalid_grant", async () => {
    const verifier = generateOAuthCodeVerifier();
    const { code } = await consent(await google.createAuthorizationUrl("st", verifier));
    await google.exchangeCode(code, verifier);
    await expect(google.exchangeCode(code, verifier)).rejects.toMatchObject({ reason: "invalid_grant" });
  });
});
