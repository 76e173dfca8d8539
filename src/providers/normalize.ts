/**
 * The `providers` option in either form, turned into complete provider options once, when the config is
 * resolved: the Auth.js array (`[GitHub, Google({ … })]`, plain `{ type: "oauth" | "oidc" }` objects)
 * and the keyed form (`{ github: { … }, keycloak: { type: "oidc", … } }`). Missing client ids, secrets
 * and issuers come from `AUTH_<ID>_ID`, `AUTH_<ID>_SECRET` and `AUTH_<ID>_ISSUER`; a missing
 * `redirectUri` is `<auth url>/callback/<id>`. Explicit options always win.
 */
import { AuthConfigError } from "../errors.js";
import { BUILT_IN_PROVIDERS } from "./catalog.js";
import {
  PROVIDER_DEFINITION,
  type ProviderConfig,
  isProviderConfig,
  isProviderFactory,
  providerEnvName,
} from "./definition.js";
import OAuth2 from "./modules/oauth2.js";
import OIDC from "./modules/oidc.js";

/** Where the missing parts of the provider options come from. */
export interface ProviderSources {
  /** The environment (`process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The public URL of the auth routes (`https://app.example.com/auth`), or null when none is known. */
  authBase: string | null;
}

/** One provider with its options completed, ready to be built. */
export interface CompletedProvider {
  /** The provider module's config. */
  config: ProviderConfig;
  /** Its options with the environment and the callback URL filled in. */
  options: Record<string | symbol, unknown>;
}

const NAME = /^[a-z][a-z0-9_-]{0,49}$/;
const RESERVED = new Set(["credentials", "email", "link", "unlink", "list", "constructor", "prototype", "__proto__"]);

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

/** A plain custom provider (`{ id, type: "oauth" | "oidc", … }`) as the generic module's config. */
function customProvider(at: string, raw: Record<string, unknown>, id: string | undefined): ProviderConfig {
  const key = id ?? (typeof raw.id === "string" ? raw.id : undefined);
  // Unnamed, it is called by its built-in namesake ("Keycloak") or its id, not "OpenID Connect".
  const known = key !== undefined && Object.hasOwn(BUILT_IN_PROVIDERS, key) ? BUILT_IN_PROVIDERS[key] : undefined;
  const name = raw.name ?? known?.[PROVIDER_DEFINITION].name ?? key;
  const options = { ...raw, ...(id === undefined ? {} : { id }), ...(name === undefined ? {} : { name }) };
  if (raw.type === "oidc") return OIDC(options as never) as ProviderConfig;
  if (raw.type === "oauth") return OAuth2(options as never) as ProviderConfig;
  return fail(`${at}.type`, '"oidc" or "oauth" (or use a built-in provider module or key)');
}

/** One array entry as a provider config. */
function fromArrayEntry(at: string, entry: unknown): ProviderConfig {
  if (isProviderFactory(entry)) return entry() as ProviderConfig;
  if (isProviderConfig(entry)) return entry;
  if (typeof entry === "object" && entry !== null && !Array.isArray(entry))
    return customProvider(at, entry as Record<string, unknown>, undefined);
  return fail(at, "a provider module (e.g. GitHub or GitHub({ … })) or a { type: \"oauth\" | \"oidc\" } object");
}

/** One keyed entry as a provider config whose id is the key. */
function fromKeyedEntry(key: string, entry: unknown): ProviderConfig {
  const at = `providers.${key}`;
  if (isProviderFactory(entry)) return entry({ id: key }) as ProviderConfig;
  if (isProviderConfig(entry)) return entry.id === key ? entry : fromArrayEntry(at, { ...entry, id: key });
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) fail(at, "an object");
  const o = entry as Record<string, unknown>;
  const builtIn = Object.hasOwn(BUILT_IN_PROVIDERS, key) ? BUILT_IN_PROVIDERS[key] : undefined;
  if (builtIn && o.type === undefined) return builtIn({ ...o, id: key } as never) as ProviderConfig;
  return customProvider(at, o, key);
}

/** Fills in what the options leave to the environment and the auth URL. */
function complete(config: ProviderConfig, sources: ProviderSources): CompletedProvider {
  const id = config.id;
  const at = `providers.${id}`;
  const given = config.options as Record<string | symbol, unknown>;
  const definition = config[PROVIDER_DEFINITION];
  const options: Record<string | symbol, unknown> = { ...given };
  delete options.id;
  const env = (suffix: "ID" | "SECRET" | "ISSUER") => {
    const value = sources.env[providerEnvName(id, suffix)];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  options.clientId = given.clientId ?? env("ID");
  if (options.clientId === undefined) fail(`${at}.clientId`, `set (or the ${providerEnvName(id, "ID")} variable)`);
  if (!("clientSecret" in given) || given.clientSecret === undefined) {
    options.clientSecret = env("SECRET");
    if (options.clientSecret === undefined)
      fail(`${at}.clientSecret`, `set (or the ${providerEnvName(id, "SECRET")} variable; null for a public client)`);
  }
  if (definition.readsIssuer && given.issuer === undefined && env("ISSUER") !== undefined) options.issuer = env("ISSUER");
  if (given.redirectUri === undefined) {
    if (sources.authBase === null)
      fail(`${at}.redirectUri`, "set, or the app's url (config url or AUTH_URL) in production");
    options.redirectUri = `${sources.authBase}/callback/${id}`;
  }
  return { config, options };
}

/**
 * Both forms of `providers` as completed providers, in order, with unique ids.
 * @throws {AuthConfigError} naming the entry, the option or the missing variable
 */
export function normalizeProviders(raw: unknown, sources: ProviderSources): CompletedProvider[] {
  if (raw === undefined) return [];
  const configs: ProviderConfig[] = Array.isArray(raw)
    ? raw.map((entry, i) => fromArrayEntry(`providers[${i}]`, entry))
    : typeof raw === "object" && raw !== null
      ? Object.entries(raw as Record<string, unknown>)
          .filter(([, entry]) => entry !== undefined)
          .map(([key, entry]) => {
            if (!NAME.test(key) || RESERVED.has(key)) fail(`providers key "${key.slice(0, 60)}"`, "a lower-case name");
            return fromKeyedEntry(key, entry);
          })
      : fail("providers", "an array of provider modules or an object keyed by provider id");
  const seen = new Set<string>();
  return configs.map((config, i) => {
    if (typeof config.id !== "string" || !NAME.test(config.id) || RESERVED.has(config.id))
      fail(`providers[${i}].id`, "a lower-case name (letters, digits, - and _)");
    if (seen.has(config.id)) fail(`providers[${i}].id`, `unique ("${config.id}" is configured twice; rename one with id)`);
    seen.add(config.id);
    return complete(config, sources);
  });
}
