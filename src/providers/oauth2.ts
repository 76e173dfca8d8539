/**
 * Any plain OAuth 2.0 provider (no OpenID Connect): fixed authorization, token and userinfo endpoints,
 * and a `profile(raw)` that maps the userinfo answer. Discord, Facebook, X and GitLab are presets of it.
 */
import { pkceCodeFlow, type CodeFlowShape } from "./code-flow.js";
import { createProviderHttp, type TokenAuthMethod } from "./http.js";
import { OAuthProviderError, type OAuthProvider, type ProviderProfile, type ProviderTokens } from "./oauth-provider.js";
import { type BaseProviderOptions, isObject } from "./shared.js";

/** What `profile(raw)` returns: the account in the provider's own words, normalised. */
export interface OAuth2Profile {
  /** The provider's stable account id. */
  id: string | number;
  /** The address, or null. */
  email?: string | null;
  /**
   * Whether the provider vouches for `email`. Required: an address the provider does not vouch for
   * never links to or creates an account by address.
   */
  emailVerified: boolean;
  /** Display name. */
  name?: string | null;
  /** Avatar URL. */
  image?: string | null;
  /** Login handle. */
  username?: string | null;
}

/** The endpoints of a plain OAuth 2.0 provider. */
export interface OAuth2Endpoints {
  /** Authorization endpoint (the browser goes there). */
  authorization: string;
  /** Token endpoint. */
  token: string;
  /** Userinfo endpoint, called with the access token as a bearer. */
  userinfo: string;
}

/** Options of {@link createOAuth2Provider}. */
export interface OAuth2ProviderOptions extends BaseProviderOptions {
  /** The three endpoints. */
  endpoints: OAuth2Endpoints;
  /** Maps the userinfo answer (and the tokens) to the account. Throw, or return no id, to refuse it. */
  profile: (raw: Record<string, unknown>, tokens: ProviderTokens) => OAuth2Profile | Promise<OAuth2Profile>;
  /** Default scopes when `scopes` is not set. @default [] */
  defaultScopes?: string[];
  /** Client authentication at the token endpoint. @default "client_secret_basic" */
  tokenAuthMethod?: TokenAuthMethod;
  /** Extra headers of the userinfo request (an API version header). */
  userinfoHeaders?: Record<string, string>;
  /** How the authorization request differs from the plain PKCE flow. */
  flow?: Pick<CodeFlowShape, "pkce" | "params">;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 && value.length <= 2048 ? value : undefined;

/** Checks what `profile(raw)` returned and turns it into the library's profile. */
export function toProviderProfile(name: string, mapped: unknown): ProviderProfile {
  if (!isObject(mapped)) throw new OAuthProviderError(name, "bad_profile");
  const rawId = mapped.id;
  const id =
    typeof rawId === "number" && Number.isSafeInteger(rawId) ? String(rawId) : typeof rawId === "string" ? rawId : "";
  if (id.length === 0 || id.length > 255) throw new OAuthProviderError(name, "bad_profile");
  const email = text(mapped.email) ?? null;
  const profile: ProviderProfile = { id, email, emailVerified: email !== null && mapped.emailVerified === true };
  const username = text(mapped.username);
  const display = text(mapped.name);
  const image = text(mapped.image);
  if (username) profile.username = username;
  if (display) profile.name = display;
  if (image) profile.avatar = image;
  return profile;
}

/**
 * Creates a plain OAuth 2.0 provider (authorization code, PKCE S256 unless `flow.pkce` is false).
 * @throws {TypeError} with an invalid `timeout`
 */
export function createOAuth2Provider(options: OAuth2ProviderOptions, name: string): OAuthProvider {
  const http = createProviderHttp(name, options);
  const { endpoints } = options;
  return {
    name,
    ...pkceCodeFlow(name, options, endpoints, options.defaultScopes ?? [], http, options.flow),
    async fetchProfile(tokens) {
      const raw = await http.getJson(endpoints.userinfo, tokens.accessToken, options.userinfoHeaders);
      if (!isObject(raw)) throw new OAuthProviderError(name, "bad_profile");
      let mapped: unknown;
      try {
        mapped = await options.profile(raw, tokens);
      } catch (cause) {
        throw new OAuthProviderError(name, "bad_profile", { cause });
      }
      return toProviderProfile(name, mapped);
    },
  };
}
