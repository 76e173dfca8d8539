import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProvider, generateOAuthCodeVerifier } from "../../src/providers/index.js";
import type { OAuthProvider } from "../../src/providers/index.js";
import { client, consent, s256, startMockIdp, type MockIdp } from "./mock-idp.js";

let idp: MockIdp;
const discoveryCount = () => idp.requests.filter((r) => r.path === "/.well-known/openid-configuration").length;
beforeAll(async () => {
  idp = await startMockIdp();
});
afterAll(() => idp.close());
beforeEach(() => {
  idp.json.set("/.well-known/openid-configuration", {
    issuer: idp.url,
    authorization_endpoint: `${idp.url}/authorize`,
    token_endpoint: `${idp.url}/token`,
    userinfo_endpoint: `${idp.url}/userinfo`,
  });
  idp.idTokenClaims = { iss: idp.url, aud: client.clientId, sub: "u-1", email: "u@idp.example", email_verified: true };
  idp.json.set("/userinfo", { sub: "u-1", name: "U", preferred_username: "u1" });
});

async function signIn(p: OAuthProvider) {
  await p.prepare?.();
  const verifier = generateOAuthCodeVerifier();
  const url = await p.createAuthorizationUrl("st", verifier);
  expect(url.searchParams.get("code_challenge")).toBe(s256(verifier));
  const { code } = await consent(url);
  return p.fetchProfile(await p.exchangeCode(code, verifier));
}

describe("generic oidc provider", () => {
  it("discovers endpoints from the issuer once and caches them", async () => {
    const p = createProvider("oidc", { ...client, issuer: idp.url });
    const before = discoveryCount();
    expect(await signIn(p)).toEqual({
      id: "u-1",
      email: "u@idp.example",
      emailVerified: true,
      name: "U",
      username: "u1",
    });
    await signIn(p);
    expect(discoveryCount() - before).toBe(1);
  });

  it("works with explicit endpoints and no discovery", async () => {
    const before = discoveryCount();
    const p = createProvider("oidc", {
      ...client,
      endpoints: { authorization: `${idp.url}/authorize`, token: `${idp.url}/token` },
    });
    expect(await signIn(p)).toMatchObject({ id: "u-1", emailVerified: true });
    expect(discoveryCount()).toBe(before);
  });

  it("honours email_verified: false", async () => {
    idp.idTokenClaims = { ...idp.idTokenClaims, email_verified: false };
    const p = createProvider("oidc", { ...client, issuer: idp.url });
    expect(await signIn(p)).toMatchObject({ email: "u@idp.example", emailVerified: false });
  });

  it("a userinfo sub different from the ID token's is bad_profile", async () => {
    idp.json.set("/userinfo", { sub: "someone-else" });
    await expect(signIn(createProvider("oidc", { ...client, issuer: idp.url }))).rejects.toMatchObject({
      reason: "bad_profile",
    });
  });

  it("an ID token from another issuer is bad_profile", async () => {
    idp.idTokenClaims = { ...idp.idTokenClaims, iss: "https://evil.example" };
    await expect(signIn(createProvider("oidc", { ...client, issuer: idp.url }))).rejects.toMatchObject({
      reason: "bad_profile",
    });
  });

  it("a discovery document naming another issuer is bad_response, and is retried later", async () => {
    idp.json.set("/.well-known/openid-configuration", { issuer: "https://evil.example" });
    const p = createProvider("oidc", { ...client, issuer: idp.url });
    await expect(p.prepare!()).rejects.toMatchObject({ reason: "bad_response" });
    expect(() => p.createAuthorizationUrl("st", generateOAuthCodeVerifier())).toThrow(
      expect.objectContaining({ reason: "network" }),
    );
    idp.json.set("/.well-known/openid-configuration", {
      issuer: idp.url,
      authorization_endpoint: `${idp.url}/authorize`,
      token_endpoint: `${idp.url}/token`,
    });
    await p.prepare!();
    expect(p.createAuthorizationUrl("st", generateOAuthCodeVerifier())).toBeInstanceOf(URL);
  });

  it("needs an issuer or explicit endpoints", () => {
    expect(() => createProvider("oidc", { ...client })).toThrow(TypeError);
  });
});
