/**
 * The configured providers of one auth config: built and checked once, at config time, with their
 * linking policy. What a provider needs before its first URL (OIDC discovery) is loaded in the
 * background from then on (see ./preparation.ts); only that provider's own routes ever wait for it.
 */
import { AuthConfigError } from "../errors.js";
import { customFetch } from "./custom-fetch.js";
import {
  PROVIDER_DEFINITION,
  type ProviderConfig,
  type ProviderFactory,
  type ProviderModuleOptions,
  type ProviderPolicy,
  type ProviderType,
} from "./definition.js";
import { PROVIDER_TIMEOUT_EXPECTED, providerTimeoutMs } from "./http.js";
import type { ProviderName, ProviderOptionsMap } from "./index.js";
import type { OAuth2Options } from "./modules/oauth2.js";
import { type CompletedProvider, type ProviderSources, normalizeProviders } from "./normalize.js";
import type { OAuthProvider } from "./oauth-provider.js";
import type { OidcProviderOptions } from "./oidc.js";
import { type PreparationOptions, startPreparation } from "./preparation.js";

export type { ProviderPolicy } from "./definition.js";

/** A custom OpenID Connect provider under a name of its own (`providers.keycloak = { type: "oidc", … }`). */
export type NamedOidcProviderConfig = OidcProviderOptions & ProviderPolicy & { type: "oidc" };

/** A custom OAuth 2.0 provider under a name of its own (`providers.acme = { type: "oauth", … }`). */
export type NamedOAuth2ProviderConfig = OAuth2Options & ProviderModuleOptions & { type: "oauth" };

/** The keyed form: built-in keys as in @prsm/auth (`github`, `google`, `azure`, `oidc`, …) and named custom entries. */
export type KeyedProvidersConfig = { [K in ProviderName]?: ProviderOptionsMap[K] & ProviderPolicy } & {
  [name: string]:
    | (Partial<ProviderOptionsMap[ProviderName]> & ProviderModuleOptions)
    | NamedOidcProviderConfig
    | NamedOAuth2ProviderConfig
    | ProviderConfig
    | undefined;
};

/** One entry of the Auth.js array form: a provider module, called or not, or a plain custom provider. */
export type ProviderInput =
  | ProviderConfig<never>
  | ProviderFactory<never>
  | (NamedOidcProviderConfig & ProviderModuleOptions)
  | NamedOAuth2ProviderConfig;

/**
 * The `providers` section of the config: the Auth.js array (`[GitHub, Google({ … })]`) or the keyed
 * form. Both are normalised once, when the config is resolved.
 */
export type ProvidersConfig = readonly ProviderInput[] | KeyedProvidersConfig;

/** One configured provider, its policy and what `GET /providers` and the sign-in page show of it. */
export interface ProviderEntry {
  provider: OAuthProvider;
  allowEmailLinking: boolean;
  trustEmail: boolean;
  /** The provider's id (its key in `entries`). */
  id: string;
  /** Display name, e.g. "GitHub". */
  displayName: string;
  /** OAuth 2.0 or OpenID Connect. */
  type: ProviderType;
  /** The callback URL registered at the provider (its `redirectUri`). */
  callbackUrl: string;
  /** A logo URL for the sign-in page, or null. */
  logo: string | null;
}

/**
 * Every configured provider, keyed by name. Providers that need preparing (OIDC discovery) are prepared
 * in the background from creation on, retried with a bounded backoff until they succeed.
 */
export interface ProviderRegistry {
  readonly entries: ReadonlyMap<string, ProviderEntry>;
  /**
   * Waits until provider `name` is prepared, starting an attempt now when none is running (its requests
   * bounded by the provider's `timeout`). Resolves at once for a prepared provider or an unknown name.
   * @throws {OAuthProviderError} `network` (unreachable, too slow) or `bad_response` (bad discovery document)
   */
  ready(name: string): Promise<void>;
  /** Tries every provider not prepared yet, now. Never rejects. */
  prepare(): Promise<void>;
  /** Stops the background retries (an attempt under way still ends within its timeout). Idempotent. */
  close(): void;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

function checkUrl(option: string, value: unknown): void {
  let ok = false;
  try {
    const url = typeof value === "string" ? new URL(value) : null;
    ok = url !== null && (url.protocol === "https:" || url.protocol === "http:");
  } catch {
    ok = false;
  }
  if (!ok) fail(option, "an absolute http(s) URL");
}

/** The checks every completed provider passes, whichever module it comes from. */
function checkCompleted(at: string, o: Record<string, unknown>): void {
  if (typeof o.clientId !== "string" || o.clientId === "") fail(`${at}.clientId`, "a non-empty string");
  if (o.clientSecret !== null && (typeof o.clientSecret !== "string" || o.clientSecret === ""))
    fail(`${at}.clientSecret`, "a non-empty string (or null for a public client)");
  checkUrl(`${at}.redirectUri`, o.redirectUri);
  if (o.scopes !== undefined && (!Array.isArray(o.scopes) || !o.scopes.every((s) => typeof s === "string")))
    fail(`${at}.scopes`, "an array of strings");
  if (o.issuer !== undefined) checkUrl(`${at}.issuer`, o.issuer);
  if (o.logo !== undefined) checkUrl(`${at}.logo`, o.logo);
  if (o.endpoints !== undefined) {
    if (typeof o.endpoints !== "object" || o.endpoints === null) fail(`${at}.endpoints`, "an object of URLs");
    for (const [key, url] of Object.entries(o.endpoints))
      if (url !== undefined) checkUrl(`${at}.endpoints.${key}`, url);
  }
  if (o.allowEmailLinking !== undefined && typeof o.allowEmailLinking !== "boolean")
    fail(`${at}.allowEmailLinking`, "a boolean");
  if (o.trustEmail !== undefined && typeof o.trustEmail !== "boolean") fail(`${at}.trustEmail`, "a boolean");
  if (providerTimeoutMs(o.timeout) === null) fail(`${at}.timeout`, PROVIDER_TIMEOUT_EXPECTED);
  const fetcher = o[customFetch as unknown as string];
  if (fetcher !== undefined && typeof fetcher !== "function") fail(`${at}[customFetch]`, "a fetch function");
}

/** Checks and builds one completed provider. */
function build({ config, options }: CompletedProvider, githubUserAgent: string | undefined): ProviderEntry {
  const at = `providers.${config.id}`;
  const definition = config[PROVIDER_DEFINITION];
  checkCompleted(at, options as Record<string, unknown>);
  definition.check?.(options as never, (option, expected) => fail(`${at}.${option}`, expected), config.id);
  const withAgent =
    definition.id === "github" && githubUserAgent && !options.userAgent ? { ...options, userAgent: githubUserAgent } : options;
  let provider: OAuthProvider;
  try {
    provider = definition.create(withAgent as never, config.id);
  } catch (err) {
    if (err instanceof AuthConfigError) throw err;
    throw new AuthConfigError(`Invalid auth config: ${at}: ${(err as Error).message}`);
  }
  return {
    provider,
    allowEmailLinking: options.allowEmailLinking === true,
    trustEmail: options.trustEmail === true,
    id: config.id,
    displayName: config.name,
    type: config.type,
    callbackUrl: options.redirectUri as string,
    logo: typeof options.logo === "string" ? options.logo : null,
  };
}

/**
 * Checks and builds the configured providers, and starts preparing those that need it in the background.
 * @throws {AuthConfigError} naming the bad option
 */
export function createProviderRegistry(
  config: unknown,
  options: { githubUserAgent?: string | undefined } & Partial<ProviderSources> & PreparationOptions = {},
): ProviderRegistry {
  const completed = normalizeProviders(config, {
    env: options.env ?? process.env,
    authBase: options.authBase === undefined ? null : options.authBase,
  });
  const entries = new Map<string, ProviderEntry>();
  for (const one of completed) entries.set(one.config.id, build(one, options.githubUserAgent));
  const preparation = startPreparation(
    [...entries.values()].map((e) => e.provider),
    options,
  );
  return {
    entries,
    ready: (name) => {
      const entry = entries.get(name);
      return entry ? preparation.ready(entry.provider) : Promise.resolve();
    },
    prepare: () => preparation.attempt(),
    close: () => preparation.stop(),
  };
}
