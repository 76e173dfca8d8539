/** The provider folder's public surface: the interface, the error, and {@link createProvider}. */
import { createGitHubProvider, type GitHubProviderOptions } from "./github.js";
import { createGoogleProvider, type GoogleProviderOptions } from "./google.js";
import { createEntraIdProvider, type EntraIdProviderOptions } from "./microsoft-entra-id.js";
import type { OAuthProvider } from "./oauth-provider.js";
import { createOidcProvider, type OidcProviderOptions } from "./oidc.js";

export {
  OAuthProviderError,
  callbackError,
  generateOAuthCodeVerifier,
  generateOAuthState,
  type OAuthProvider,
  type OAuthProviderErrorReason,
  type ProviderProfile,
  type ProviderTokens,
} from "./oauth-provider.js";
export type { BaseProviderOptions } from "./shared.js";
export {
  createGitHubProvider,
  primaryVerifiedEmail,
  type GitHubEndpoints,
  type GitHubProviderOptions,
} from "./github.js";
export { createGoogleProvider, type GoogleEndpoints, type GoogleProviderOptions } from "./google.js";
export { createEntraIdProvider, type EntraEndpoints, type EntraIdProviderOptions } from "./microsoft-entra-id.js";
export { createOidcProvider, type OidcEndpoints, type OidcProviderOptions } from "./oidc.js";

/** Options per built-in provider key (`azure` is Microsoft Entra ID, as in the seed's config). */
export interface ProviderOptionsMap {
  /** GitHub / GitHub Enterprise. */
  github: GitHubProviderOptions;
  /** Google. */
  google: GoogleProviderOptions;
  /** Microsoft Entra ID. */
  azure: EntraIdProviderOptions;
  /** Any OpenID Connect provider. */
  oidc: OidcProviderOptions;
}

/** A built-in provider key. */
export type ProviderName = keyof ProviderOptionsMap;

/** The `providers` section of the config: any subset of the built-in providers. */
export type ProvidersConfig = { [K in ProviderName]?: ProviderOptionsMap[K] };

/** Creates the built-in provider `name` from its options. Unknown names throw a `TypeError`. */
export function createProvider<K extends ProviderName>(name: K, options: ProviderOptionsMap[K]): OAuthProvider {
  switch (name) {
    case "github":
      return createGitHubProvider(options as GitHubProviderOptions);
    case "google":
      return createGoogleProvider(options as GoogleProviderOptions);
    case "azure":
      return createEntraIdProvider(options as EntraIdProviderOptions);
    case "oidc":
      return createOidcProvider(options as OidcProviderOptions);
    default:
      throw new TypeError(`Unknown OAuth provider "${String(name)}"`);
  }
}

/** Creates every configured provider, keyed by name. */
export function createProviders(config: ProvidersConfig): Record<string, OAuthProvider> {
  const out: Record<string, OAuthProvider> = {};
  for (const name of Object.keys(config) as ProviderName[]) {
    const options = config[name];
    if (options) out[name] = createProvider(name, options);
  }
  return out;
}
