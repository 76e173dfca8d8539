/** Google (OpenID Connect). Profile from the userinfo endpoint. */
import { OAuthProviderError, type OAuthProvider, type ProviderProfile, type ProviderTokens } from "./oauth-provider.js";
import { pkceCodeFlow } from "./code-flow.js";
import { createProviderHttp } from "./http.js";
import { type BaseProviderOptions, isObject, optionalFields, str } from "./shared.js";

/** Google endpoints; override for tests. */
export interface GoogleEndpoints {
  /** @default "https://accounts.google.com/o/oauth2/v2/auth" */
  authorization?: string;
  /** @default "https://oauth2.googleapis.com/token" */
  token?: string;
  /** @default "https://openidconnect.googleapis.com/v1/userinfo" */
  userinfo?: string;
}

/** Options of {@link createGoogleProvider}. */
export interface GoogleProviderOptions extends BaseProviderOptions {
  /** Endpoint overrides. */
  endpoints?: GoogleEndpoints;
}

const DEFAULT_SCOPES = ["openid", "email", "profile"];

/** Creates the Google provider (authorization code + PKCE S256). */
export function createGoogleProvider(options: GoogleProviderOptions, name = "google"): OAuthProvider {
  const authorization = options.endpoints?.authorization ?? "https://accounts.google.com/o/oauth2/v2/auth";
  const token = options.endpoints?.token ?? "https://oauth2.googleapis.com/token";
  const userinfo = options.endpoints?.userinfo ?? "https://openidconnect.googleapis.com/v1/userinfo";
  const http = createProviderHttp(name, options);

  return {
    name,
    ...pkceCodeFlow(name, options, { authorization, token }, DEFAULT_SCOPES, http),
    async fetchProfile(tokens: ProviderTokens): Promise<ProviderProfile> {
      const info = await http.getJson(userinfo, tokens.accessToken);
      if (!isObject(info)) throw new OAuthProviderError(name, "bad_profile");
      const id = str(info, "sub");
      if (!id) throw new OAuthProviderError(name, "bad_profile");
      const verified = info.email_verified === true;
      const email = verified ? (str(info, "email") ?? null) : null;
      return {
        id,
        email,
        emailVerified: email !== null,
        ...optionalFields({ name: str(info, "name"), avatar: str(info, "picture") }),
      };
    },
  };
}
