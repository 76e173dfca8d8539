/** The two steps every provider with fixed endpoints shares: the authorization URL and the code exchange. */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { createProviderHttp, type ProviderHttp } from "./http.js";
import type { OAuthProvider } from "./oauth-provider.js";
import type { BaseProviderOptions } from "./shared.js";

/** The authorization URL and code exchange of a provider. */
export type CodeFlow = Pick<OAuthProvider, "createAuthorizationUrl" | "exchangeCode">;

/**
 * Builds the code-flow steps (PKCE S256) of a provider with fixed endpoints. The URL comes from arctic's
 * generic client; the token request goes through `http`, so it is bounded by the provider's timeout.
 */
export function pkceCodeFlow(
  name: string,
  options: BaseProviderOptions,
  endpoints: { authorization: string; token: string },
  defaultScopes: string[],
  http: ProviderHttp = createProviderHttp(name, options),
): CodeFlow {
  const client = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);
  return {
    createAuthorizationUrl(state, codeVerifier, scopes) {
      const s = scopes ?? options.scopes ?? defaultScopes;
      return client.createAuthorizationURLWithPKCE(
        endpoints.authorization,
        state,
        CodeChallengeMethod.S256,
        codeVerifier,
        s,
      );
    },
    exchangeCode(code, codeVerifier) {
      return http.redeemCode(endpoints.token, code, codeVerifier);
    },
  };
}
