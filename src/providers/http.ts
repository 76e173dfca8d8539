/**
 * The providers' outbound HTTP: discovery, the token request, userinfo and GitHub's API all go through
 * {@link createProviderHttp}. Each request, headers and body together, is bounded by the provider's
 * `timeout`, so an endpoint that accepts the connection and never answers costs at most that long and
 * ends as `OAuthProviderError` (`network`), never as a hang. The token request is sent here rather than
 * by arctic, whose client takes no abort signal.
 */
import { parseDuration } from "../primitives/duration.js";
import { customFetch, type ProviderFetch } from "./custom-fetch.js";
import { OAuthProviderError, type ProviderTokens } from "./oauth-provider.js";
import { type BaseProviderOptions, fromOAuthErrorCode, isObject, readTokens, str } from "./shared.js";

/** The timeout of every provider request when the provider sets none: 10 seconds. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;
/** The longest `timeout` a provider may set: 5 minutes. */
export const MAX_PROVIDER_TIMEOUT_MS = 300_000;

/** The largest answer body read from a provider (1 MiB); a larger one is `bad_response`, never buffered. */
export const MAX_PROVIDER_BODY_BYTES = 1024 * 1024;

/**
 * How the client authenticates at the token endpoint (RFC 6749 2.3.1): HTTP Basic (the default, and
 * what the specification prefers) or `client_id` and `client_secret` in the form body (LinkedIn, Apple).
 */
export type TokenAuthMethod = "client_secret_basic" | "client_secret_post";

/** What a valid `timeout` looks like, for error messages. */
export const PROVIDER_TIMEOUT_EXPECTED =
  'a positive duration of at most 5 minutes (milliseconds or a string like "10s")';

/** The timeout in milliseconds of a provider's `timeout` option: the default when absent, null when invalid. */
export function providerTimeoutMs(value: unknown): number | null {
  if (value === undefined) return DEFAULT_PROVIDER_TIMEOUT_MS;
  const ms = parseDuration(value);
  return ms !== null && ms >= 1 && ms <= MAX_PROVIDER_TIMEOUT_MS ? Math.ceil(ms) : null;
}

/** The HTTP calls of one provider, each bounded by its timeout. */
export interface ProviderHttp {
  /** The timeout of each request, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * GETs a JSON document (with `Authorization: Bearer` when `accessToken` is given).
   * Unreachable or too slow → `network`; non-2xx → `bad_response`; not JSON → `bad_profile`.
   */
  getJson(url: string, accessToken: string | null, headers?: Record<string, string>): Promise<unknown>;
  /**
   * Redeems an authorization code with its PKCE verifier (`null`: the flow sent no challenge) at
   * `tokenEndpoint` (RFC 6749 4.1.3): client secret per the provider's {@link TokenAuthMethod}, or only
   * `client_id` in the body for a public client. OAuth errors map to their stable reasons; unreachable or
   * too slow → `network`; anything unexpected → `bad_response`.
   */
  redeemCode(tokenEndpoint: string, code: string, codeVerifier: string | null): Promise<ProviderTokens>;
}

interface Answer {
  status: number;
  /** The parsed JSON body, or {@link NOT_JSON}. */
  json: unknown;
}

const NOT_JSON = Symbol("not json");

/** The body as text, refused past {@link MAX_PROVIDER_BODY_BYTES} whatever `Content-Length` claims. */
async function boundedText(response: Response): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_PROVIDER_BODY_BYTES || !response.body) {
    await response.body?.cancel().catch(() => {});
    return declared > MAX_PROVIDER_BODY_BYTES ? null : "";
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_PROVIDER_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * Creates the HTTP calls of provider `name` from its options (`timeout`, and `userAgent` when it has one).
 * @throws {TypeError} when `timeout` is not a valid duration
 */
export function createProviderHttp(
  name: string,
  options: Pick<BaseProviderOptions, "clientId" | "clientSecret" | "redirectUri" | "timeout" | typeof customFetch> & {
    userAgent?: string;
    tokenAuthMethod?: TokenAuthMethod;
  },
): ProviderHttp {
  const parsed = providerTimeoutMs(options.timeout);
  if (parsed === null) throw new TypeError(`timeout must be ${PROVIDER_TIMEOUT_EXPECTED}`);
  const timeoutMs = parsed;
  const userAgent = options.userAgent ?? "express-drizzle-auth";
  const doFetch: ProviderFetch = options[customFetch] ?? ((input, init) => fetch(input, init));

  /** One request, its whole body read within the same deadline and size bound. */
  async function send(url: string, init: RequestInit): Promise<Answer> {
    let text: string | null;
    let status: number;
    try {
      const response = await doFetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      text = await boundedText(response);
    } catch (cause) {
      throw new OAuthProviderError(name, "network", { cause });
    }
    if (text === null) throw new OAuthProviderError(name, "bad_response");
    return { status, json: parse(text) };
  }

  return {
    timeoutMs,
    async getJson(url, accessToken, headers = {}) {
      const h = new Headers({ Accept: "application/json", ...headers });
      if (accessToken !== null) h.set("Authorization", `Bearer ${accessToken}`);
      const answer = await send(url, { headers: h });
      if (answer.status < 200 || answer.status > 299) throw new OAuthProviderError(name, "bad_response");
      if (answer.json === NOT_JSON) throw new OAuthProviderError(name, "bad_profile");
      return answer.json;
    },
    async redeemCode(tokenEndpoint, code, codeVerifier) {
      const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: options.redirectUri });
      if (codeVerifier !== null) body.set("code_verifier", codeVerifier);
      const headers = new Headers({
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
        "User-Agent": userAgent,
      });
      if (options.clientSecret === null) body.set("client_id", options.clientId);
      else if (options.tokenAuthMethod === "client_secret_post") {
        body.set("client_id", options.clientId);
        body.set("client_secret", options.clientSecret);
      } else
        headers.set(
          "Authorization",
          `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`,
        );
      const { status, json } = await send(tokenEndpoint, { method: "POST", headers, body: body.toString() });
      if ((status === 400 || status === 401) && isObject(json)) {
        const error = str(json, "error");
        throw error ? fromOAuthErrorCode(name, error) : new OAuthProviderError(name, "bad_response");
      }
      if (status !== 200 || json === NOT_JSON) throw new OAuthProviderError(name, "bad_response");
      return readTokens(name, json);
    },
  };
}
