/** Microsoft Entra ID (Azure AD). Identity is `tid` + `oid` from the ID token; its email is never trusted. */
import { OAuthProviderError, type OAuthProvider, type ProviderProfile, type ProviderTokens } from "./oauth-provider.js";
import { pkceCodeFlow } from "./code-flow.js";
import { type BaseProviderOptions, idTokenClaims, optionalFields, str } from "./shared.js";

/** Entra endpoints; override for sovereign clouds or tests. */
export interface EntraEndpoints {
  /** @default "https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/authorize" */
  authorization?: string;
  /** @default "https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/token" */
  token?: string;
}

/** Options of {@link createEntraIdProvider}. */
export interface EntraIdProviderOptions extends BaseProviderOptions {
  /** `common`, `organizations`, `consumers` or a tenant id. @default "common" */
  tenantId?: string;
  /** Endpoint overrides. */
  endpoints?: EntraEndpoints;
}

const DEFAULT_SCOPES = ["openid", "profile", "email"];

/**
 * Creates the Entra ID provider (authorization code + PKCE S256). The profile `id` is `<tid>:<oid>`
 * (`sub` is pairwise per app, `oid` alone repeats across guest tenants); `emailVerified` is always false.
 */
export function createEntraIdProvider(options: EntraIdProviderOptions, name = "azure"): OAuthProvider {
  const base = `https://login.microsoftonline.com/${encodeURIComponent(options.tenantId ?? "common")}/oauth2/v2.0`;
  const authorization = options.endpoints?.authorization ?? `${base}/authorize`;
  const token = options.endpoints?.token ?? `${base}/token`;

  return {
    name,
    ...pkceCodeFlow(name, options, { authorization, token }, DEFAULT_SCOPES),
    async fetchProfile(tokens: ProviderTokens): Promise<ProviderProfile> {
      const claims = idTokenClaims(name, tokens.idToken, options.clientId);
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
