/**
 * `express-drizzle-auth/providers/oauth2`: any plain OAuth 2.0 provider (no OpenID Connect), the kind
 * most of Auth.js's providers are. Give it an id, its three endpoints and a `profile(raw)`:
 *
 * ```ts
 * OAuth2({
 *   id: "acme",
 *   name: "Acme",
 *   authorization: "https://acme.example/oauth/authorize",
 *   token: "https://acme.example/oauth/token",
 *   userinfo: "https://api.acme.example/me",
 *   profile: (raw) => ({ id: String(raw.id), email: null, emailVerified: false }),
 * })
 * ```
 *
 * A plain object with `type: "oauth"` and the same fields does the same in `providers: [...]`.
 * Environment: `AUTH_<ID>_ID`, `AUTH_<ID>_SECRET`.
 */
import { defineProvider } from "../definition.js";
import type { TokenAuthMethod } from "../http.js";
import { createOAuth2Provider, type OAuth2Profile } from "../oauth2.js";
import type { ProviderTokens } from "../oauth-provider.js";

export { customFetch } from "../custom-fetch.js";
export type { OAuth2Profile } from "../oauth2.js";

/** An endpoint: its URL, or `{ url, params }` as Auth.js writes it (params are added to the URL). */
export type EndpointOption = string | { url: string; params?: Record<string, string> };

/** The generic provider's own options. */
export interface OAuth2Options {
  /** Marks a plain-object custom provider; ignored by the factory. */
  type?: "oauth";
  /** Authorization endpoint; `params.scope` sets the default scopes. */
  authorization: EndpointOption;
  /** Token endpoint. */
  token: EndpointOption;
  /** Userinfo endpoint (GET with the access token as a bearer). */
  userinfo: EndpointOption;
  /** Maps the userinfo answer to the account; `emailVerified` is required. */
  profile: (raw: Record<string, unknown>, tokens: ProviderTokens) => OAuth2Profile | Promise<OAuth2Profile>;
  /** Client authentication at the token endpoint. @default "client_secret_basic" */
  tokenAuthMethod?: TokenAuthMethod;
  /** Send a PKCE challenge. @default true */
  pkce?: boolean;
}

/** The URL of an endpoint option, its params added; undefined when it is not one. */
function endpointUrl(option: unknown): string | undefined {
  const raw = typeof option === "string" ? { url: option } : option;
  if (typeof raw !== "object" || raw === null || typeof (raw as { url?: unknown }).url !== "string") return undefined;
  const { url, params } = raw as { url: string; params?: unknown };
  try {
    const parsed = new URL(url);
    if (!["http:", "https:"].includes(parsed.protocol)) return undefined;
    if (typeof params === "object" && params !== null)
      for (const [key, value] of Object.entries(params)) if (key !== "scope") parsed.searchParams.set(key, String(value));
    return parsed.toString();
  } catch {
    return undefined;
  }
}

function scopeParam(option: EndpointOption): string[] | undefined {
  const scope = typeof option === "object" ? option.params?.scope : undefined;
  return typeof scope === "string" ? scope.split(/[\s,]+/).filter(Boolean) : undefined;
}

/** A generic OAuth 2.0 provider (default id `oauth2`; give it your own). */
const OAuth2 = defineProvider<OAuth2Options>({
  id: "oauth2",
  name: "OAuth 2.0",
  type: "oauth",
  check(options, fail) {
    for (const key of ["authorization", "token", "userinfo"] as const)
      if (endpointUrl(options[key]) === undefined) fail(key, "an absolute http(s) URL (or { url, params })");
    if (typeof options.profile !== "function") fail("profile", "a function mapping the userinfo answer");
    if (options.tokenAuthMethod !== undefined && !["client_secret_basic", "client_secret_post"].includes(options.tokenAuthMethod))
      fail("tokenAuthMethod", '"client_secret_basic" or "client_secret_post"');
  },
  create: (options, id) =>
    createOAuth2Provider(
      {
        ...options,
        endpoints: {
          authorization: endpointUrl(options.authorization)!,
          token: endpointUrl(options.token)!,
          userinfo: endpointUrl(options.userinfo)!,
        },
        defaultScopes: scopeParam(options.authorization) ?? [],
        flow: { pkce: options.pkce !== false },
      },
      id,
    ),
});
export default OAuth2;
