/**
 * The library's own OAuth provider interface. Everything outside `src/providers/` talks to providers
 * through these types only, so arctic (no longer developed) can be replaced or vendored in this folder.
 */
import { generateCodeVerifier as arcticCodeVerifier, generateState as arcticState } from "arctic";
import { AuthError } from "../errors.js";

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
  /** Loads and normalises the account behind `tokens`. */
  fetchProfile(tokens: ProviderTokens): Promise<ProviderProfile>;
}

/** Why a provider step failed. Stable; safe to show or branch on. */
export type OAuthProviderErrorReason = "access_denied" | "invalid_grant" | "network" | "bad_response" | "bad_profile";

const MESSAGES: Record<OAuthProviderErrorReason, string> = {
  access_denied: "The user denied access at the provider",
  invalid_grant: "The provider rejected the authorization code",
  network: "The provider could not be reached",
  bad_response: "The provider sent an unexpected response",
  bad_profile: "The provider sent a malformed profile",
};

/** A provider step failed. The message never contains tokens, codes or secrets. */
export class OAuthProviderError extends AuthError {
  /** Stable reason, see {@link OAuthProviderErrorReason}. */
  readonly reason: OAuthProviderErrorReason;
  /** Provider key. */
  readonly provider: string;
  /** The OAuth `error` code the provider returned (e.g. `invalid_client`), when there was one. */
  readonly providerCode: string | null;

  constructor(
    provider: string,
    reason: OAuthProviderErrorReason,
    options: { providerCode?: string | null; cause?: unknown } = {},
  ) {
    super(`${MESSAGES[reason]} (${provider})`, "OAUTH_PROVIDER_ERROR", { cause: options.cause });
    this.provider = provider;
    this.reason = reason;
    this.providerCode = options.providerCode ?? null;
  }
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
