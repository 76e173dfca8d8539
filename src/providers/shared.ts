/** Internal helpers shared by the provider files: options, error mapping, token and claim normalisation. */
import { decodeIdToken } from "arctic";
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Duration } from "../primitives/duration.js";
import { customFetch, type ProviderFetch } from "./custom-fetch.js";
import { OAuthProviderError, type ProviderTokens } from "./oauth-provider.js";

/** Options every provider accepts. */
export interface BaseProviderOptions {
  /** OAuth client id. */
  clientId: string;
  /** OAuth client secret; null for a public client (then `client_id` goes in the body). */
  clientSecret: string | null;
  /** Absolute callback URL registered at the provider. */
  redirectUri: string;
  /** Scopes to request; each provider has a sensible default. */
  scopes?: string[];
  /**
   * How long one request to the provider (discovery, token exchange, userinfo, GitHub's API) may take,
   * answer body included, before it fails as `OAuthProviderError` (`network`). At most 5 minutes.
   * @default "10s"
   */
  timeout?: Duration;
  /** The app's own `fetch` for this provider's requests (see {@link customFetch}). @default globalThis.fetch */
  [customFetch]?: ProviderFetch;
}

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The non-empty string at `key`, else undefined. */
export function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** An id that may be a string or a safe integer (GitHub ids are numbers). */
export function idOf(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Any error of a provider step as an {@link OAuthProviderError}: ours pass through, anything else is `bad_response`. */
export function toProviderError(provider: string, error: unknown): OAuthProviderError {
  return error instanceof OAuthProviderError
    ? error
    : new OAuthProviderError(provider, "bad_response", { cause: error });
}

/** Maps an OAuth `error` code: `access_denied`, `invalid_grant` (GitHub: `bad_verification_code`), else `bad_response`. */
export function fromOAuthErrorCode(provider: string, code: string): OAuthProviderError {
  const reason =
    code === "access_denied"
      ? "access_denied"
      : code === "invalid_grant" || code === "bad_verification_code"
        ? "invalid_grant"
        : "bad_response";
  return new OAuthProviderError(provider, reason, { providerCode: /^[\w.-]{1,64}$/.test(code) ? code : null });
}

/** Normalises a token endpoint's JSON answer with explicit checks. */
export function readTokens(provider: string, data: unknown): ProviderTokens {
  if (!isObject(data)) throw new OAuthProviderError(provider, "bad_response");
  const error = str(data, "error"); // GitHub answers errors with 200 + { error }
  if (error) throw fromOAuthErrorCode(provider, error);
  const accessToken = str(data, "access_token");
  if (!accessToken) throw new OAuthProviderError(provider, "bad_response");
  const expiresIn = data.expires_in;
  const scope = str(data, "scope");
  return {
    accessToken,
    refreshToken: str(data, "refresh_token") ?? null,
    idToken: str(data, "id_token") ?? null,
    expiresAt:
      typeof expiresIn === "number" && Number.isFinite(expiresIn) ? new Date(Date.now() + expiresIn * 1000) : null,
    scopes: scope ? scope.split(/[\s,]+/).filter(Boolean) : [],
  };
}

/**
 * Decodes the ID token's claims (no signature check: it came straight from the token endpoint over TLS)
 * and checks that `aud` names this client. Malformed → `bad_profile`.
 */
export function idTokenClaims(provider: string, idToken: string | null, clientId: string): JsonObject {
  if (idToken === null) throw new OAuthProviderError(provider, "bad_profile");
  let claims: unknown;
  try {
    claims = decodeIdToken(idToken);
  } catch {
    throw new OAuthProviderError(provider, "bad_profile");
  }
  if (!isObject(claims)) throw new OAuthProviderError(provider, "bad_profile");
  const aud = claims.aud;
  const audOk = aud === clientId || (Array.isArray(aud) && aud.includes(clientId));
  if (!audOk) throw new OAuthProviderError(provider, "bad_profile");
  return claims;
}

/**
 * Checks the ID token's `nonce` against the one the authorization URL carried ({@link nonceFor}).
 * A token without a nonce passes only when `required` is false (providers that never echo it).
 */
export function checkNonce(provider: string, claims: JsonObject, codeVerifier: string, required = true): void {
  const nonce = claims.nonce;
  if (nonce === undefined && !required) return;
  if (nonce !== nonceFor(codeVerifier)) throw new OAuthProviderError(provider, "bad_profile");
}

/**
 * The OpenID Connect `nonce` of a flow: base64url(SHA-256("nonce:" + code verifier)). The verifier is
 * secret and bound to the browser's session, so the nonce needs no storage of its own and cannot be
 * guessed from the URL, and an ID token minted for another flow fails the check.
 */
export function nonceFor(codeVerifier: string): string {
  return encodeBase64urlNoPadding(sha256(new TextEncoder().encode(`nonce:${codeVerifier}`)));
}

/** Copies the optional profile fields that are non-empty strings. */
export function optionalFields(fields: {
  username?: string | undefined;
  name?: string | undefined;
  avatar?: string | undefined;
}): { username?: string; name?: string; avatar?: string } {
  const out: { username?: string; name?: string; avatar?: string } = {};
  if (fields.username) out.username = fields.username;
  if (fields.name) out.name = fields.name;
  if (fields.avatar) out.avatar = fields.avatar;
  return out;
}
