/**
 * Provider modules in the Auth.js shape. `express-drizzle-auth/providers/github` exports a factory,
 * `GitHub`, usable called (`GitHub({ clientId })`) and uncalled (`GitHub`): both give a
 * {@link ProviderConfig}, which `providers: [...]` takes. The config is turned into a provider once,
 * when the auth config is resolved (./normalize.ts), after the Auth.js environment variables and the
 * callback URL have filled in what the options left out.
 */
import type { OAuthProvider } from "./oauth-provider.js";
import type { BaseProviderOptions } from "./shared.js";

/** Policy options every provider accepts next to its client options. */
export interface ProviderPolicy {
  /**
   * Link a new identity to the existing account with the same email when the provider vouches for
   * the address (GitHub primary+verified, Google `email_verified`, OIDC `email_verified`). Never
   * applies to a provider whose email is not verified (Entra ID, Facebook). @default false
   */
  allowEmailLinking?: boolean;
  /**
   * Treat the provider's email as verified even when it does not say so. Only for an identity provider
   * you control (a single-tenant Entra ID, a company Keycloak): never for a multi-tenant one, where
   * anyone can set any address. Refused for Entra ID without a specific tenant. @default false
   */
  trustEmail?: boolean;
}

/** What every provider module's options add to its own: all optional, since the environment can fill them. */
export interface ProviderModuleOptions
  extends Partial<Pick<BaseProviderOptions, "clientId" | "redirectUri">>,
    Omit<BaseProviderOptions, "clientId" | "clientSecret" | "redirectUri">,
    ProviderPolicy {
  /**
   * The provider's id: its key in `req.auth.providers`, its routes (`/signin/<id>`, `/callback/<id>`)
   * and its environment variables (`AUTH_<ID>_ID`). Rename to configure two apps of one provider.
   * @default the module's id, e.g. "github"
   */
  id?: string;
  /** The name shown on the sign-in page and in `GET /providers`. @default e.g. "GitHub" */
  name?: string;
  /** OAuth client secret; null for a public client. @default env AUTH_<ID>_SECRET */
  clientSecret?: string | null;
  /** A logo URL shown on the sign-in page's button. */
  logo?: string;
}

/** A provider's kind, as `GET /providers` reports it. */
export type ProviderType = "oauth" | "oidc";

/** What a provider module knows about itself. */
export interface ProviderDefinition<O> {
  /** Default id (Auth.js's, so registered callback URLs do not change). */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** OAuth 2.0 or OpenID Connect. */
  readonly type: ProviderType;
  /** Also reads `AUTH_<ID>_ISSUER` (OIDC presets, Entra ID). */
  readonly readsIssuer?: boolean;
  /** Needs a client secret (a public client is not possible with this provider). @default false */
  readonly secretRequired?: boolean;
  /**
   * Provider-specific checks of the completed options, throwing `AuthConfigError` through `fail`
   * (Entra ID's tenant rules, an OIDC preset without an issuer).
   */
  check?(
    options: O & BaseProviderOptions & ProviderPolicy,
    fail: (option: string, expected: string) => never,
    id: string,
  ): void;
  /** Builds the provider from the completed options under `id`. */
  create(options: O & BaseProviderOptions, id: string): OAuthProvider;
}

/** `AUTH_<ID>_<SUFFIX>`: the id upper-cased, `-` turned into `_` (`microsoft-entra-id` → `AUTH_MICROSOFT_ENTRA_ID_ID`). */
export function providerEnvName(id: string, suffix: "ID" | "SECRET" | "ISSUER"): string {
  return `AUTH_${id.toUpperCase().replace(/-/g, "_")}_${suffix}`;
}

/** The brand of provider configs and factories (`Symbol.for`: shared by the ESM and CommonJS builds). */
export const PROVIDER_DEFINITION: unique symbol = Symbol.for("express-drizzle-auth.provider") as never;

/** One configured provider module: what `GitHub(...)` returns, and what `providers: [...]` takes. */
export interface ProviderConfig<O = unknown> {
  readonly [PROVIDER_DEFINITION]: ProviderDefinition<O>;
  /** The provider's id (`options.id` or the module's). */
  readonly id: string;
  /** The display name. */
  readonly name: string;
  /** OAuth 2.0 or OpenID Connect. */
  readonly type: ProviderType;
  /** The options as given. */
  readonly options: O & ProviderModuleOptions;
}

/** A provider module's default export: call it with options, or pass it uncalled. */
export interface ProviderFactory<O> {
  (options?: O & ProviderModuleOptions): ProviderConfig<O>;
  readonly [PROVIDER_DEFINITION]: ProviderDefinition<O>;
}

/** Makes a provider module's factory from its definition. */
export function defineProvider<O>(definition: ProviderDefinition<O>): ProviderFactory<O> {
  const factory = (options?: O & ProviderModuleOptions): ProviderConfig<O> => {
    const given = (options ?? {}) as O & ProviderModuleOptions;
    return {
      [PROVIDER_DEFINITION]: definition,
      id: typeof given.id === "string" ? given.id : definition.id,
      name: typeof given.name === "string" && given.name !== "" ? given.name : definition.name,
      type: definition.type,
      options: given,
    };
  };
  return Object.assign(factory, { [PROVIDER_DEFINITION]: definition }) as ProviderFactory<O>;
}

/** True for what {@link defineProvider} made. */
export function isProviderFactory(value: unknown): value is ProviderFactory<unknown> {
  return typeof value === "function" && PROVIDER_DEFINITION in value;
}

/** True for what a provider factory returned. */
export function isProviderConfig(value: unknown): value is ProviderConfig {
  return typeof value === "object" && value !== null && PROVIDER_DEFINITION in value;
}
