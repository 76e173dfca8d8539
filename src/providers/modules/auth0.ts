/**
 * `express-drizzle-auth/providers/auth0`: Auth0 (OpenID Connect), configured by its issuer alone. Callback URL
 * `<auth url>/callback/auth0`; scopes `openid email profile`; the email only counts as verified with
 * `email_verified`. Environment: `AUTH_AUTH0_ID`, `AUTH_AUTH0_SECRET`, `AUTH_AUTH0_ISSUER`.
 */
import { oidcPreset } from "./oidc.js";

export { customFetch } from "../custom-fetch.js";
export type { OidcOptions as Auth0Options } from "./oidc.js";

/** Auth0: `Auth0({ issuer })`, or `providers: [Auth0]` with `AUTH_AUTH0_ISSUER` set. */
const Auth0 = oidcPreset("auth0", "Auth0");
export default Auth0;
