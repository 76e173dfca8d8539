import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "../../src/errors.js";
import {
  callbackError,
  createProvider,
  generateOAuthCodeVerifier,
  OAuthProviderError,
} from "../../src/providers/index.js";
import type { OAuthProvider } from "../../src/providers/index.js";
import { CLIENT_SECRET, client, closedPort, consent, startMockIdp, type MockIdp } from "./mock-idp.js";

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

async function tokens(p: OAuthProvider = google) {
  const verifier = generateOAuthCodeVerifier();
  const { code } = await consent(await p.createAuthorizationUrl("st", verifier));
  return p.exchangeCode(code, verifier);
}

async function caught(promise: Promise<unknown>): Promise<OAuthProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthProviderError);
  expect(err).toBeInstanceOf(AuthError);
  return err as OAuthProviderError;
}

describe("provider errors", () => {
  it("a non-JSON profile is bad_profile", async () => {
    idp.json.set("/userinfo", "<html>oops</html>");
    const err = await caught(google.fetchProfile(await tokens()));
    expect(err).toMatchObject({ code: "OAUTH_PROVIDER_ERROR", reason: "bad_profile", provider: "google" });
  });

  it("a profile without an id is bad_profile", async () => {
    idp.json.set("/userinfo", { email: "a@example.com", email_verified: true });
    expect((await caught(google.fetchProfile(await tokens()))).reason).toBe("bad_profile");
  });

  it("an unreachable token endpoint is network", async () => {
    const port = await closedPort();
    const p = createProvider("google", { ...client, endpoints: { token: `http://127.0.0.1:${port}/token` } });
    expect((await caught(p.exchangeCode("code", generateOAuthCodeVerifier()))).reason).toBe("network");
  });

  it("an unreachable profile endpoint is network", async () => {
    const port = await closedPort();
    const p = createProvider("google", { ...client, endpoints: { userinfo: `http://127.0.0.1:${port}/userinfo` } });
    const t = { accessToken: "x", refreshToken: null, idToken: null, expiresAt: null, scopes: [] };
    expect((await caught(p.fetchProfile(t))).reason).toBe("network");
  });

  it("token endpoint 500, non-JSON 200, or 200 without access_token is bad_response", async () => {
    for (const override of [
      { status: 500, body: "boom" },
      { status: 200, body: "not json" },
      { status: 400, body: "not json" },
    ]) {
      idp.tokenOverride = override;
      expect((await caught(google.exchangeCode("c", "v"))).reason).toBe("bad_response");
    }
    idp.tokenOverride = null;
  });

  it("OAuth error codes map to stable reasons (GitHub's 200 + {error} too)", async () => {
    idp.tokenOverride = { status: 200, body: JSON.stringify({ error: "bad_verification_code" }) };
    expect((await caught(google.exchangeCode("c", "v"))).reason).toBe("invalid_grant");
    idp.tokenOverride = { status: 400, body: JSON.stringify({ error: "access_denied" }) };
    expect((await caught(google.exchangeCode("c", "v"))).reason).toBe("access_denied");
    idp.tokenOverride = { status: 401, body: JSON.stringify({ error: "invalid_client" }) };
    const err = await caught(google.exchangeCode("c", "v"));
    expect(err).toMatchObject({ reason: "bad_response", providerCode: "invalid_client" });
    idp.tokenOverride = null;
  });

  it("wrong client credentials are rejected by the provider and never echoed", async () => {
    const p = createProvider("google", {
      ...client,
      clientSecret: "wrong-secret",
      endpoints: { authorization: `${idp.url}/authorize`, token: `${idp.url}/token` },
    });
    const verifier = generateOAuthCodeVerifier();
    const { code } = await consent(await p.createAuthorizationUrl("st", verifier));
    const err = await caught(p.exchangeCode(code, verifier));
    expect(err.providerCode).toBe("invalid_client");
    for (const secret of ["wrong-secret", CLIENT_SECRET, code, verifier]) expect(err.message).not.toContain(secret);
  });

  it("callbackError maps ?error=access_denied and anything else", () => {
    expect(callbackError("github", "access_denied")).toMatchObject({ reason: "access_denied", provider: "github" });
    expect(callbackError("github", "server_error")).toMatchObject({
      reason: "bad_response",
      providerCode: "server_error",
    });
    expect(callbackError("github", "<script>")).toMatchObject({ reason: "bad_response", providerCode: null });
  });

  it("createProvider rejects unknown names", () => {
    expect(() => createProvider("nope" as "github", { ...client })).toThrow(TypeError);
  });
});
