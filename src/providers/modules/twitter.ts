/**
 * `express-drizzle-auth/providers/twitter`: X, formerly Twitter (OAuth 2.0 + PKCE). Callback URL
 * `<auth url>/callback/twitter`; scopes `users.read tweet.read offline.access`. X gives no email
 * address: a new user is created without one (or refused when the app requires one), and linking is
 * done from a signed-in session. Environment: `AUTH_TWITTER_ID`, `AUTH_TWITTER_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createOAuth2Provider, type OAuth2Endpoints } from "../oauth2.js";

export { customFetch } from "../custom-fetch.js";

/** X's own options. */
export interface TwitterOptions {
  /** Endpoint overrides. */
  endpoints?: Partial<OAuth2Endpoints>;
}

const ENDPOINTS: OAuth2Endpoints = {
  authorization: "https://x.com/i/oauth2/authorize",
  token: "https://api.x.com/2/oauth2/token",
  userinfo: "https://api.x.com/2/users/me?user.fields=profile_image_url",
};

/** X (Twitter): `providers: [Twitter]`. */
const Twitter = defineProvider<TwitterOptions>({
  id: "twitter",
  name: "X",
  type: "oauth",
  create: (options, id) =>
    createOAuth2Provider(
      {
        ...options,
        endpoints: { ...ENDPOINTS, ...options.endpoints },
        defaultScopes: ["users.read", "tweet.read", "offline.access"],
        profile: (raw) => {
          const data = (raw.data ?? {}) as Record<string, unknown>;
          return {
            id: data.id as string,
            email: null,
            emailVerified: false,
            name: data.name as string | null,
            username: data.username as string | null,
            image: data.profile_image_url as string | null,
          };
        },
      },
      id,
    ),
});
export default Twitter;
