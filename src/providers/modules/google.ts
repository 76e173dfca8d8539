/**
 * `express-drizzle-auth/providers/google`: Google (OpenID Connect). Callback URL
 * `<auth url>/callback/google`; scopes `openid email profile`; the email only when `email_verified`.
 * Environment: `AUTH_GOOGLE_ID`, `AUTH_GOOGLE_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createGoogleProvider, type GoogleProviderOptions } from "../google.js";
import type { BaseProviderOptions } from "../shared.js";

export { customFetch } from "../custom-fetch.js";

/** Google's own options (`endpoints`), next to the common ones. */
export type GoogleOptions = Omit<GoogleProviderOptions, keyof BaseProviderOptions>;

/** Google: `providers: [Google]` or `Google({ clientId, clientSecret })`. */
const Google = defineProvider<GoogleOptions>({
  id: "google",
  name: "Google",
  type: "oidc",
  create: (options, id) => createGoogleProvider(options, id),
});
export default Google;
