/**
 * `express-drizzle-auth/providers`: every provider module, the generic ones, and `customFetch`. Each is
 * also its own subpath (`express-drizzle-auth/providers/github`), whose default export is the factory.
 */
export { customFetch, type ProviderFetch } from "../custom-fetch.js";
export type {
  ProviderConfig,
  ProviderFactory,
  ProviderModuleOptions,
  ProviderPolicy,
  ProviderType,
} from "../definition.js";
export { default as Auth0 } from "./auth0.js";
export { default as Discord, type DiscordOptions } from "./discord.js";
export { default as Facebook, type FacebookOptions } from "./facebook.js";
export { default as GitHub, type GitHubOptions } from "./github.js";
export { default as GitLab, type GitLabOptions } from "./gitlab.js";
export { default as Google, type GoogleOptions } from "./google.js";
export { default as Keycloak } from "./keycloak.js";
export { default as LinkedIn } from "./linkedin.js";
export { default as MicrosoftEntraID, type MicrosoftEntraIdOptions } from "./microsoft-entra-id.js";
export { default as OAuth2, type EndpointOption, type OAuth2Options, type OAuth2Profile } from "./oauth2.js";
export { default as OIDC, type OidcOptions } from "./oidc.js";
export { default as Okta } from "./okta.js";
export { default as Twitter, type TwitterOptions } from "./twitter.js";
