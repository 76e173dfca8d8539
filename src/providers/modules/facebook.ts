/**
 * `express-drizzle-auth/providers/facebook`: Facebook Login (OAuth 2.0 + PKCE, Graph API v19). Callback
 * URL `<auth url>/callback/facebook`; scopes `email public_profile`. Facebook does not say whether an
 * address is verified, so its email never counts as verified: it never links to or creates an account
 * by address. Environment: `AUTH_FACEBOOK_ID`, `AUTH_FACEBOOK_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createOAuth2Provider, type OAuth2Endpoints } from "../oauth2.js";

export { customFetch } from "../custom-fetch.js";

/** Facebook's own options. */
export interface FacebookOptions {
  /** Endpoint overrides. */
  endpoints?: Partial<OAuth2Endpoints>;
}

const ENDPOINTS: OAuth2Endpoints = {
  authorization: "https://www.facebook.com/v19.0/dialog/oauth",
  token: "https://graph.facebook.com/v19.0/oauth/access_token",
  userinfo: "https://graph.facebook.com/v19.0/me?fields=id,name,email,picture",
};

/** `picture.data.url` of a Graph API user, when present. */
function pictureOf(raw: Record<string, unknown>): string | null {
  const picture = raw.picture as { data?: { url?: unknown } } | undefined;
  return typeof picture?.data?.url === "string" ? picture.data.url : null;
}

/** Facebook: `providers: [Facebook]`. */
const Facebook = defineProvider<FacebookOptions>({
  id: "facebook",
  name: "Facebook",
  type: "oauth",
  create: (options, id) =>
    createOAuth2Provider(
      {
        ...options,
        endpoints: { ...ENDPOINTS, ...options.endpoints },
        defaultScopes: ["email", "public_profile"],
        tokenAuthMethod: "client_secret_post",
        profile: (raw) => ({
          id: raw.id as string,
          email: typeof raw.email === "string" ? raw.email : null,
          emailVerified: false,
          name: raw.name as string | null,
          image: pictureOf(raw),
        }),
      },
      id,
    ),
});
export default Facebook;
