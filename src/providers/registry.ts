/**
 * The configured providers of one auth config: built and checked once, at config time, with their
 * linking policy. What a provider needs before its first URL (OIDC discovery) is loaded in the
 * background from then on (see ./preparation.ts); only that provider's own routes ever wait for it.
 */
import { AuthConfigError } from "../errors.js";
import { PROVIDER_TIMEOUT_EXPECTED, providerTimeoutMs } from "./http.js";
import { type ProviderName, type ProviderOptionsMap, createProvider } from "./index.js";
import type { OAuthProvider } from "./oauth-provider.js";
import { createOidcProvider, type OidcProviderOptions } from "./oidc.js";
import { type PreparationOptions, startPreparation } from "./preparation.js";

/** Policy options every provider entry accepts next to its client options. */
export interface ProviderPolicy {
  /**
   * Link a new identity to the existing account with the same email when the provider vouches for
   * the address (GitHub primary+verified, Google `email_verified`, OIDC `email_verified`). Never
   * applies to Entra ID, whose email is not verified. @default false
   */
  allowEmailLinking?: boolean;
  /**
   * Treat the provider's email as verified even when it does not say so. Only for an identity provider
   * you control (a single-tenant Entra ID, a company Keycloak): never for a multi-tenant one, where
   * anyone can set any address. Refused for Entra ID without a specific `tenantId`. @default false
   */
  trustEmail?: boolean;
}

/** A custom OpenID Connect provider under a name of its own (`providers.keycloak = { type: "oidc", … }`). */
export type NamedOidcProviderConfig = OidcProviderOptions & ProviderPolicy & { type: "oidc" };

/** The `providers` section of the config. Built-in keys as in @prsm/auth, plus `oidc` and named OIDC entries. */
export type ProvidersConfig = { [K in ProviderName]?: ProviderOptionsMap[K] & ProviderPolicy } & {
  [name: string]: (ProviderOptionsMap[ProviderName] & ProviderPolicy) | NamedOidcProviderConfig | undefined;
};

/** One configured provider and its policy. */
export interface ProviderEntry {
  provider: OAuthProvider;
  allowEmailLinking: boolean;
  trustEmail: boolean;
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

const BUILT_IN = new Set<string>(["github", "google", "azure", "oidc"]);
const NAME = /^[a-z][a-z0-9_-]{0,49}$/;
const RESERVED = new Set(["link", "unlink", "list", "credentials", "constructor", "prototype", "__proto__"]);

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

function checkEntry(name: string, raw: unknown): Record<string, unknown> {
  const at = `providers.${name}`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(at, "an object");
  const o = raw as Record<string, unknown>;
  if (typeof o.clientId !== "string" || o.clientId === "") fail(`${at}.clientId`, "a non-empty string");
  if (o.clientSecret !== null && (typeof o.clientSecret !== "string" || o.clientSecret === ""))
    fail(`${at}.clientSecret`, "a non-empty string (or null for a public client)");
  checkUrl(`${at}.redirectUri`, o.redirectUri);
  if (o.scopes !== undefined && (!Array.isArray(o.scopes) || !o.scopes.every((s) => typeof s === "string")))
    fail(`${at}.scopes`, "an array of strings");
  if (o.issuer !== undefined) checkUrl(`${at}.issuer`, o.issuer);
  if (o.endpoints !== undefined) {
    if (typeof o.endpoints !== "object" || o.endpoints === null) fail(`${at}.endpoints`, "an object of URLs");
    for (const [key, url] of Object.entries(o.endpoints))
      if (url !== undefined) checkUrl(`${at}.endpoints.${key}`, url);
  }
  if (o.allowEmailLinking !== undefined && typeof o.allowEmailLinking !== "boolean")
    fail(`${at}.allowEmailLinking`, "a boolean");
  if (o.trustEmail !== undefined && typeof o.trustEmail !== "boolean") fail(`${at}.trustEmail`, "a boolean");
  if (providerTimeoutMs(o.timeout) === null) fail(`${at}.timeout`, PROVIDER_TIMEOUT_EXPECTED);
  // Tenant names are case-insensitive at Microsoft; the consumer tenant's id is multi-tenant too.
  const tenant = typeof o.tenantId === "string" ? o.tenantId.trim().toLowerCase() : "common";
  const multiTenant = ["common", "organizations", "consumers", "9188040d-6c67-4c5b-b112-36a304b66dad"].includes(tenant);
  if (name === "azure" && o.trustEmail === true && multiTenant)
    fail(`${at}.trustEmail`, "false unless tenantId names your own tenant (any tenant can claim any address)");
  if (name === "azure" && o.allowEmailLinking === true && o.trustEmail !== true)
    fail(`${at}.allowEmailLinking`, "false (Entra ID addresses are not verified; link from a signed-in session)");
  return o;
}

function build(name: string, o: Record<string, unknown>, githubUserAgent: string | undefined): OAuthProvider {
  try {
    if (!BUILT_IN.has(name)) {
      if (o.type !== "oidc")
        fail(`providers.${name}.type`, '"oidc" (or use a built-in key: github, google, azure, oidc)');
      return createOidcProvider(o as unknown as OidcProviderOptions, name);
    }
    const options = name === "github" && githubUserAgent && !o.userAgent ? { ...o, userAgent: githubUserAgent } : o;
    return createProvider(name as ProviderName, options as never);
  } catch (err) {
    if (err instanceof AuthConfigError) throw err;
    throw new AuthConfigError(`Invalid auth config: providers.${name}: ${(err as Error).message}`);
  }
}

/**
 * Checks and builds the configured providers, and starts preparing those that need it in the background.
 * @throws {AuthConfigError} naming the bad option
 */
export function createProviderRegistry(
  config: unknown,
  options: { githubUserAgent?: string | undefined } & PreparationOptions = {},
): ProviderRegistry {
  if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config)))
    fail("providers", "an object keyed by provider name");
  const entries = new Map<string, ProviderEntry>();
  for (const [name, raw] of Object.entries((config ?? {}) as Record<string, unknown>)) {
    if (raw === undefined) continue;
    if (!NAME.test(name) || RESERVED.has(name)) fail(`providers key "${name.slice(0, 60)}"`, "a lower-case name");
    const o = checkEntry(name, raw);
    entries.set(name, {
      provider: build(name, o, options.githubUserAgent),
      allowEmailLinking: o.allowEmailLinking === true,
      trustEmail: o.trustEmail === true,
    });
  }
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
