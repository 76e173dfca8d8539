/**
 * `express-drizzle-auth/providers/keycloak`: Keycloak (OpenID Connect), configured by its issuer alone. Callback URL
 * `<auth url>/callback/keycloak`; scopes `openid email profile`; the email only counts as verified with
 * `email_verified`. Environment: `AUTH_KEYCLOAK_ID`, `AUTH_KEYCLOAK_SECRET`, `AUTH_KEYCLOAK_ISSUER`.
 */
import { oidcPreset } from "./oidc.js";

export { customFetch } from "../custom-fetch.js";
export type { OidcOptions as KeycloakOptions } from "./oidc.js";

/** Keycloak: `Keycloak({ issuer })`, or `providers: [Keycloak]` with `AUTH_KEYCLOAK_ISSUER` set. */
const Keycloak = oidcPreset("keycloak", "Keycloak");
export default Keycloak;
