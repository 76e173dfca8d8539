/** The two steps every provider with fixed endpoints shares: the authorization URL and the code exchange. */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { createProviderHttp, type ProviderHttp } from "./http.js";
import type { OAuthProvider } from "./oauth-provider.js";
import { type BaseProviderOptions, nonceFor } from "./shared.js";

/** The authorization URL and code exchange of a provider. */
export type CodeFlow = Pick<OAuthProvider, "createAuthorizationUrl" | "exchangeCode">;

/** How a provider's authorization request differs from the plain PKCE code flow. */
export interface CodeFlowShape {
  /**
   * Send a PKCE S256 challenge and the verifier. Only `false` for a provider that refuses PKCE on
   * confidential clients; `state` still binds the flow to the browser. @default true
   */
  pkce?: boolean;
  /** Send an OpenID Connect `nonce` derived from the flow's verifier (see {@link nonceFor}). @default false */
  nonce?: boolean;
  /** Extra query parameters of the authorization URL (Apple's `response_mode=form_post`). */
  params?: Record<string, string>;
}

/**
 * Builds the code-flow steps of a provider with fixed endpoints. The URL comes from arctic's generic
 * client; the token request goes through `http`, so it is bounded by the provider's timeout and goes
 * through its `customFetch`.
 */
export function pkceCodeFlow(
  name: string,
  options: BaseProviderOptions,
  endpoints: { authorization: string; token: string },
  defaultScopes: string[],
  http: ProviderHttp = createProviderHttp(name, options),
  shape: CodeFlowShape = {},
): CodeFlow {
  const client = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);
  const pkce = shape.pkce !== false;
  return {
    createAuthorizationUrl(state, codeVerifier, scopes) {
      const s = scopes ?? options.scopes ?? defaultScopes;
      const url = pkce
        ? client.createAuthorizationURLWithPKCE(endpoints.authorization, state, CodeChallengeMethod.S256, codeVerifier, s)
        : client.createAuthorizationURL(endpoints.authorization, state, s);
      if (shape.nonce) url.searchParams.set("nonce", nonceFor(codeVerifier));
      for (const [key, value] of Object.entries(shape.params ?? {})) url.searchParams.set(key, value);
      return url;
    },
    exchangeCode(code, codeVerifier) {
      return http.redeemCode(endpoints.token, code, pkce ? codeVerifier : null);
    },
  };
}
