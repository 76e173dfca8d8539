/**
 * `express-drizzle-auth/providers/linkedin`: LinkedIn, "Sign In with LinkedIn using OpenID Connect".
 * Callback URL `<auth url>/callback/linkedin`; scopes `openid profile email`; the email only counts as
 * verified with `email_verified`. LinkedIn takes the client secret in the token request's body and
 * refuses PKCE for web apps, so `state` (bound to the browser's session) and the nonce bind the flow.
 * Environment: `AUTH_LINKEDIN_ID`, `AUTH_LINKEDIN_SECRET`.
 */
import { oidcPreset } from "./oidc.js";

export { customFetch } from "../custom-fetch.js";
export type { OidcOptions as LinkedInOptions } from "./oidc.js";

/** LinkedIn: `providers: [LinkedIn]`. */
const LinkedIn = oidcPreset("linkedin", "LinkedIn", {
  issuer: "https://www.linkedin.com/oauth",
  tokenAuthMethod: "client_secret_post",
  pkce: false,
});
export default LinkedIn;
