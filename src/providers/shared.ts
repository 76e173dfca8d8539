/** Internal helpers shared by the provider files: error mapping, token normalisation, JSON fetches. */
import {
  ArcticFetchError,
  CodeChallengeMethod,
  OAuth2Client,
  OAuth2RequestError,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
  decodeIdToken,
  type OAuth2Tokens,
} from "arctic";
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

/** Maps any error thrown while talking to a provider to an {@link OAuthProviderError}. */
export function toProviderError(provider: string, error: unknown): OAuthProviderError {
  if (error instanceof OAuthProviderError) return error;
  if (error instanceof OAuth2RequestError) return fromOAuthErrorCode(provider, error.code);
  if (error instanceof ArcticFetchError) return new OAuthProviderError(provider, "network", { cause: error.cause });
  if (error instanceof UnexpectedResponseError || error instanceof UnexpectedErrorResponseBodyError) {
    return new OAuthProviderError(provider, "bad_response");
  }
  return new OAuthProviderError(provider, "bad_response", { cause: error });
}

/** Maps an OAuth `error` code: `access_denied`, `invalid_grant` (GitHub: `bad_verification_code`), else `bad_response`. */
function fromOAuthErrorCode(provider: string, code: string): OAuthProviderError {
  const reason =
    code === "access_denied"
      ? "access_denied"
      : code === "invalid_grant" || code === "bad_verification_code"
        ? "invalid_grant"
        : "bad_response";
  return new OAuthProviderError(provider, reason, { providerCode: /^[\w.-]{1,64}$/.test(code) ? code : null });
}

/** Runs `fn`, rethrowing anything as an {@link OAuthProviderError}. */
export async function guard<T>(provider: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toProviderError(provider, error);
  }
}

/** Normalises arctic's tokens with explicit checks on the raw token response. */
export function readTokens(provider: string, tokens: OAuth2Tokens): ProviderTokens {
  const data: unknown = tokens.data;
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
 * GETs a JSON document. Unreachable → `network`; non-2xx → `bad_response`; not JSON → `bad_profile`.
 * Sends `Authorization: Bearer` when `accessToken` is given.
 */
export async function fetchJson(
  provider: string,
  url: string,
  accessToken: string | null,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const h = new Headers({ Accept: "application/json", ...headers });
  if (accessToken !== null) h.set("Authorization", `Bearer ${accessToken}`);
  let response: Response;
  try {
    response = await fetch(url, { headers: h });
  } catch (cause) {
    throw new OAuthProviderError(provider, "network", { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new OAuthProviderError(provider, "bad_response");
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    throw new OAuthProviderError(provider, "bad_profile");
  }
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

/** The two steps every provider shares: the authorization URL (PKCE S256) and the code exchange. */
export type CodeFlow = Pick<import("./oauth-provider.js").OAuthProvider, "createAuthorizationUrl" | "exchangeCode">;

/** Builds the code-flow steps of a provider with fixed endpoints on arctic's generic client. */
export function pkceCodeFlow(
  name: string,
  options: BaseProviderOptions,
  endpoints: { authorization: string; token: string },
  defaultScopes: string[],
): CodeFlow {
  const client = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);
  return {
    createAuthorizationUrl(state, codeVerifier, scopes) {
      const s = scopes ?? options.scopes ?? defaultScopes;
      return client.createAuthorizationURLWithPKCE(
        endpoints.authorization,
        state,
        CodeChallengeMethod.S256,
        codeVerifier,
        s,
      );
    },
    exchangeCode(code, codeVerifier) {
      return guard(name, async () =>
        readTokens(name, await client.validateAuthorizationCode(endpoints.token, code, codeVerifier)),
      );
    },
  };
}
