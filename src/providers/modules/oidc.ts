/**
 * `express-drizzle-auth/providers/oidc`: any OpenID Connect provider, from its issuer's discovery
 * document or explicit endpoints. Give it an id of its own: `OIDC({ id: "corp", name: "Corp SSO", issuer })`.
 * Environment: `AUTH_<ID>_ID`, `AUTH_<ID>_SECRET`, `AUTH_<ID>_ISSUER`.
 */
import { defineProvider, providerEnvName } from "../definition.js";
import { createOidcProvider, type OidcProviderOptions } from "../oidc.js";
import type { BaseProviderOptions } from "../shared.js";

export { customFetch } from "../custom-fetch.js";

/** OIDC's own options (`issuer`, `endpoints`, `tokenAuthMethod`, `pkce`), next to the common ones. */
export type OidcOptions = Omit<OidcProviderOptions, keyof BaseProviderOptions>;

/** Makes an OIDC preset: a provider that needs only its `issuer` (Keycloak, Okta, Auth0). */
export function oidcPreset(id: string, name: string, defaults: Partial<OidcOptions> = {}) {
  return defineProvider<OidcOptions>({
    id,
    name,
    type: "oidc",
    readsIssuer: true,
    check(options, fail, providerId) {
      if (options.issuer === undefined && (!options.endpoints?.authorization || !options.endpoints?.token))
        fail("issuer", `set (or the ${providerEnvName(providerId, "ISSUER")} variable)`);
    },
    create: (options, providerId) => createOidcProvider({ ...defaults, ...options }, providerId),
  });
}

/** A generic OpenID Connect provider (default id `oidc`). */
const OIDC = oidcPreset("oidc", "OpenID Connect");
export default OIDC;
