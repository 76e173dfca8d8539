/**
 * The library's own OAuth provider interface. Everything outside `src/providers/` talks to providers
 * through these types only, so arctic (no longer developed) can be replaced or vendored in this folder.
 */
import { generateCodeVerifier as arcticCodeVerifier, generateState as arcticState } from "arctic";
import { OAuthProviderError } from "../errors.js";

// The error lives with the others (src/errors.ts, which owns every code and its status); re-exported here.
export { OAuthProviderError, type OAuthProviderErrorReason } from "../errors.js";

/** Tokens returned by a provider's token endpoint, normalised. Never log or persist these in plain text. */
export interface ProviderTokens {
  /** Bearer token for the provider's API. */
  accessToken: string;
  /** Refresh token, when the provider issued one. */
  refreshToken: string | null;
  /** Raw OpenID Connect ID token (JWT), when the provider issued one. */
  idToken: string | null;
  /** When the access token expires, when the provider said so. */
  expiresAt: Date | null;
  /** Granted scopes, when the provider listed them. */
  scopes: string[];
}

/** A provider's account, normalised. `id` is the stable key to link on; never link on `email` alone. */
export interface ProviderProfile {
  /** Stable, provider-unique account id (Entra: `<tid>:<oid>`). */
  id: string;
  /** Email address, or null when the provider gave none (GitHub, Google: none unless verified). */
  email: string | null;
  /** True only when the provider vouches for the address (never for Entra ID). */
  emailVerified: boolean;
  /** Login handle, e.g. the GitHub login. */
  username?: string;
  /** Display name. */
  name?: string;
  /** Avatar / picture URL. */
  avatar?: string;
  /** Directory tenant (Entra `tid`). */
  tenantId?: string;
}

/** What a callback brought besides the code, for the providers that need it (nonce, Apple's `user`). */
export interface ProviderCallback {
  /** The flow's PKCE verifier (the OpenID Connect nonce is derived from it). */
  codeVerifier: string;
  /** The callback's query parameters. */
  params: Readonly<Record<string, unknown>>;
}

/** The three steps every provider implements. */
export interface OAuthProvider {
  /** Provider key, e.g. `github`, `google`, `azure`, `oidc`. */
  readonly name: string;
  /**
   * Builds the URL to send the browser to, with `state`, the PKCE S256 challenge of `codeVerifier`,
   * `redirect_uri` and the scopes (`scopes` replaces the configured ones when given). Synchronous so
   * `getAuthUrl()` can return a string; a provider whose endpoints come from discovery throws
   * `OAuthProviderError` (`network`) until {@link OAuthProvider.prepare} succeeded.
   */
  createAuthorizationUrl(state: string, codeVerifier: string, scopes?: string[]): URL;
  /** Loads what the provider needs before its first authorization URL (OIDC discovery). Idempotent. */
  prepare?(): Promise<void>;
  /** Exchanges the callback's `code` (with the PKCE verifier) at the token endpoint. */
  exchangeCode(code: string, codeVerifier: string): Promise<ProviderTokens>;
  /**
   * Loads and normalises the account behind `tokens`. With `callback`, an ID token's `nonce` must be the
   * flow's; the library always passes it.
   */
  fetchProfile(tokens: ProviderTokens, callback?: ProviderCallback): Promise<ProviderProfile>;
}

/**
 * Turns the `error` query parameter of a callback (`?error=access_denied`) into an
 * {@link OAuthProviderError}: `access_denied` keeps its reason, anything else is `bad_response`.
 */
export function callbackError(provider: string, error: unknown): OAuthProviderError {
  const code = typeof error === "string" && /^[a-z_]{1,64}$/.test(error) ? error : null;
  return new OAuthProviderError(provider, code === "access_denied" ? "access_denied" : "bad_response", {
    providerCode: code,
  });
}

/** A fresh random OAuth `state` (32 random bytes, base64url). */
export function generateOAuthState(): string {
  return arcticState();
}

/** A fresh random PKCE code verifier (32 random bytes, base64url). */
export function generateOAuthCodeVerifier(): string {
  return arcticCodeVerifier();
}
