/**
 * `express-drizzle-auth/providers/okta`: Okta (OpenID Connect), configured by its issuer alone. Callback URL
 * `<auth url>/callback/okta`; scopes `openid email profile`; the email only counts as verified with
 * `email_verified`. Environment: `AUTH_OKTA_ID`, `AUTH_OKTA_SECRET`, `AUTH_OKTA_ISSUER`.
 */
import { oidcPreset } from "./oidc.js";

export { customFetch } from "../custom-fetch.js";
export type { OidcOptions as OktaOptions } from "./oidc.js";

/** Okta: `Okta({ issuer })`, or `providers: [Okta]` with `AUTH_OKTA_ISSUER` set. */
const Okta = oidcPreset("okta", "Okta");
export default Okta;
