import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider, generateOAuthCodeVerifier } from "../../src/providers/index.js";
import type { OAuthProvider } from "../../src/providers/index.js";
import { client, consent, startMockIdp, type MockIdp } from "./mock-idp.js";

let idp: MockIdp;
let entra: OAuthProvider;
beforeAll(async () => {
  idp = await startMockIdp();
  entra = createProvider("azure", {
    ...client,
    tenantId: "contoso",
    endpoints: { authorization: `${idp.url}/authorize`, token: `${idp.url}/token` },
  });
});
afterAll(() => idp.close());

async function signIn() {
  const verifier = generateOAuthCodeVerifier();
  const { code } = await consent(await entra.createAuthorizationUrl("st", verifier));
  return entra.fetchProfile(await entra.exchangeCode(code, verifier));
}

const claims = { aud: client.clientId, sub: "pairwise", oid: "oid-1", tid: "tid-1", email: "e@corp.example" };

describe("microsoft entra id provider", () => {
  it("default endpoints are built from the tenant", async () => {
    const p = createProvider("azure", { ...client, tenantId: "my-tenant" });
    const url = await p.createAuthorizationUrl("st", generateOAuthCodeVerifier());
    expect(url.href).toMatch(/^https:\/\/login\.microsoftonline\.com\/my-tenant\/oauth2\/v2\.0\/authorize\?/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("identity is tid + oid from the ID token, and the email is never verified", async () => {
    idp.idTokenClaims = { ...claims, email_verified: true, name: "E", preferred_username: "e@corp" };
    expect(await signIn()).toEqual({
      id: "tid-1:oid-1",
      tenantId: "tid-1",
      email: "e@corp.example",
      emailVerified: false,
      username: "e@corp",
      name: "E",
    });
  });

  it.each([
    ["missing oid", { ...claims, oid: undefined }],
    ["missing tid", { ...claims, tid: undefined }],
    ["another audience", { ...claims, aud: "someone-else" }],
    ["no id token", null],
  ])("%s is bad_profile", async (_label, c) => {
    idp.idTokenClaims = c;
    await expect(signIn()).rejects.toMatchObject({ reason: "bad_profile" });
  });
});
