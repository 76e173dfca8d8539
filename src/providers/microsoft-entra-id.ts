/** Microsoft Entra ID (Azure AD). Identity is `tid` + `oid` from the ID token; its email is never trusted. */
import {
  OAuthProviderError,
  type OAuthProvider,
  type ProviderCallback,
  type ProviderProfile,
  type ProviderTokens,
} from "./oauth-provider.js";
import { pkceCodeFlow } from "./code-flow.js";
import { type BaseProviderOptions, checkNonce, idTokenClaims, optionalFields, str } from "./shared.js";

/** Entra endpoints; override for sovereign clouds or tests. */
export interface EntraEndpoints {
  /** @default "https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/authorize" */
  authorization?: string;
  /** @default "https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/token" */
  token?: string;
}

/** Options of {@link createEntraIdProvider}. */
export interface EntraIdProviderOptions extends BaseProviderOptions {
  /** `common`, `organizations`, `consumers` or a tenant id. @default the issuer's tenant, else "common" */
  tenantId?: string;
  /**
   * The issuer, as Auth.js takes it: `https://login.microsoftonline.com/<tenant>/v2.0`. Its tenant is
   * used when `tenantId` is not set.
   */
  issuer?: string;
  /** Endpoint overrides. */
  endpoints?: EntraEndpoints;
}

const DEFAULT_SCOPES = ["openid", "profile", "email"];

/**
 * Creates the Entra ID provider (authorization code + PKCE S256). The profile `id` is `<tid>:<oid>`
 * (`sub` is pairwise per app, `oid` alone repeats across guest tenants); `emailVerified` is always false.
 */
export function createEntraIdProvider(options: EntraIdProviderOptions, name = "azure"): OAuthProvider {
  const tenant = entraTenant(options);
  const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0`;
  const authorization = options.endpoints?.authorization ?? `${base}/authorize`;
  const token = options.endpoints?.token ?? `${base}/token`;

  return {
    name,
    ...pkceCodeFlow(name, options, { authorization, token }, DEFAULT_SCOPES, undefined, { nonce: true }),
    async fetchProfile(tokens: ProviderTokens, callback?: ProviderCallback): Promise<ProviderProfile> {
      const claims = idTokenClaims(name, tokens.idToken, options.clientId);
      if (callback) checkNonce(name, claims, callback.codeVerifier);
      const oid = str(claims, "oid");
      const tid = str(claims, "tid");
      if (!oid || !tid) throw new OAuthProviderError(name, "bad_profile");
      return {
        id: `${tid}:${oid}`,
        email: str(claims, "email") ?? null,
        emailVerified: false,
        tenantId: tid,
        ...optionalFields({ username: str(claims, "preferred_username"), name: str(claims, "name") }),
      };
    },
  };
}

/**
 * The tenant of an Entra ID config: `tenantId`, else the first path segment of `issuer`
 * (`https://login.microsoftonline.com/<tenant>/v2.0`), else `common`. Lower-cased: tenant names are
 * case-insensitive at Microsoft.
 */
export function entraTenant(options: Pick<EntraIdProviderOptions, "tenantId" | "issuer">): string {
  if (typeof options.tenantId === "string" && options.tenantId.trim() !== "") return options.tenantId.trim().toLowerCase();
  if (typeof options.issuer === "string") {
    try {
      const segment = new URL(options.issuer).pathname.split("/").filter(Boolean)[0];
      if (segment) return decodeURIComponent(segment).toLowerCase();
    } catch {
      // an invalid issuer is reported by the config checks
    }
  }
  return "common";
}
