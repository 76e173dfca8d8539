/**
 * Any OpenID Connect provider (Keycloak, Auth0, Okta, a company IdP): endpoints from the issuer's
 * discovery document (fetched once, then cached) or given explicitly.
 */
import { type CodeFlow, pkceCodeFlow } from "./code-flow.js";
import { createProviderHttp, type ProviderHttp, type TokenAuthMethod } from "./http.js";
import {
  OAuthProviderError,
  type OAuthProvider,
  type ProviderCallback,
  type ProviderProfile,
  type ProviderTokens,
} from "./oauth-provider.js";
import {
  checkNonce,
  idTokenClaims,
  isObject,
  optionalFields,
  str,
  type BaseProviderOptions,
  type JsonObject,
} from "./shared.js";

/** OIDC endpoints. `authorization` and `token` are required unless `issuer` is set. */
export interface OidcEndpoints {
  /** Authorization endpoint. */
  authorization?: string;
  /** Token endpoint. */
  token?: string;
  /** Userinfo endpoint; without it the profile comes from the ID token alone. */
  userinfo?: string;
}

/** Options of {@link createOidcProvider}. Give `issuer`, or `endpoints` with authorization and token. */
export interface OidcProviderOptions extends BaseProviderOptions {
  /** Issuer URL; `<issuer>/.well-known/openid-configuration` is fetched once. Also checked against `iss`. */
  issuer?: string;
  /** Explicit endpoints; they win over discovered ones. */
  endpoints?: OidcEndpoints;
  /** Client authentication at the token endpoint. @default "client_secret_basic" */
  tokenAuthMethod?: TokenAuthMethod;
  /** Send a PKCE challenge. `false` only for a provider that refuses it (LinkedIn). @default true */
  pkce?: boolean;
}

interface ResolvedEndpoints {
  authorization: string;
  token: string;
  userinfo: string | null;
}

const DEFAULT_SCOPES = ["openid", "email", "profile"];
const trim = (url: string) => url.replace(/\/+$/, "");

/**
 * Creates a generic OpenID Connect provider (authorization code + PKCE S256). Every request (discovery
 * included) is bounded by `options.timeout`.
 * @throws {TypeError} without an issuer or both endpoints, or with an invalid `timeout`
 */
export function createOidcProvider(options: OidcProviderOptions, name = "oidc"): OAuthProvider {
  const http = createProviderHttp(name, options);
  const explicit = options.endpoints ?? {};
  if (!options.issuer && (!explicit.authorization || !explicit.token)) {
    throw new TypeError(`OIDC provider "${name}" needs an issuer or authorization and token endpoints`);
  }
  const fixed =
    !options.issuer || (explicit.authorization && explicit.token && explicit.userinfo)
      ? { authorization: explicit.authorization!, token: explicit.token!, userinfo: explicit.userinfo ?? null }
      : null;
  let resolved: ResolvedEndpoints | null = fixed;
  /** The code-flow steps, once the endpoints are known. */
  const shape = { nonce: true, pkce: options.pkce !== false };
  let flow: CodeFlow | null = fixed && pkceCodeFlow(name, options, fixed, DEFAULT_SCOPES, http, shape);
  let inFlight: Promise<ResolvedEndpoints> | null = null;

  /** Resolves the endpoints once (discovery), retrying on the next call after a failure. */
  const endpoints = (): Promise<ResolvedEndpoints> => {
    if (resolved) return Promise.resolve(resolved);
    inFlight ??= discover(name, http, options.issuer!).then(
      (doc) => {
        resolved = {
          authorization: explicit.authorization ?? doc.authorization,
          token: explicit.token ?? doc.token,
          userinfo: explicit.userinfo ?? doc.userinfo,
        };
        flow = pkceCodeFlow(name, options, resolved, DEFAULT_SCOPES, http, shape);
        return resolved;
      },
      (error: unknown) => {
        inFlight = null;
        throw error;
      },
    );
    return inFlight;
  };

  return {
    name,
    async prepare() {
      await endpoints();
    },
    createAuthorizationUrl(state, codeVerifier, scopes) {
      if (!flow) throw new OAuthProviderError(name, "network");
      return flow.createAuthorizationUrl(state, codeVerifier, scopes);
    },
    async exchangeCode(code, codeVerifier) {
      await endpoints();
      return flow!.exchangeCode(code, codeVerifier);
    },
    async fetchProfile(tokens: ProviderTokens, callback?: ProviderCallback): Promise<ProviderProfile> {
      const { userinfo } = await endpoints();
      let claims: JsonObject = {};
      if (tokens.idToken !== null) {
        claims = idTokenClaims(name, tokens.idToken, options.clientId);
        if (callback) checkNonce(name, claims, callback.codeVerifier);
        const iss = str(claims, "iss");
        if (options.issuer && (!iss || trim(iss) !== trim(options.issuer))) {
          throw new OAuthProviderError(name, "bad_profile");
        }
      } else if (userinfo === null) {
        throw new OAuthProviderError(name, "bad_profile");
      }
      if (userinfo !== null) {
        const info = await http.getJson(userinfo, tokens.accessToken);
        if (!isObject(info)) throw new OAuthProviderError(name, "bad_profile");
        // OIDC Core 5.3.2: the userinfo `sub` must equal the ID token's.
        if (claims.sub !== undefined && info.sub !== claims.sub) throw new OAuthProviderError(name, "bad_profile");
        claims = { ...claims, ...info };
      }
      const id = str(claims, "sub");
      if (!id) throw new OAuthProviderError(name, "bad_profile");
      const email = str(claims, "email") ?? null;
      return {
        id,
        email,
        emailVerified: email !== null && claims.email_verified === true,
        ...optionalFields({
          username: str(claims, "preferred_username"),
          name: str(claims, "name"),
          avatar: str(claims, "picture"),
        }),
      };
    },
  };
}

/** Fetches and checks the discovery document (its `issuer` must match the configured one). */
async function discover(name: string, http: ProviderHttp, issuer: string): Promise<ResolvedEndpoints> {
  const doc = await http.getJson(`${trim(issuer)}/.well-known/openid-configuration`, null);
  if (!isObject(doc)) throw new OAuthProviderError(name, "bad_response");
  const iss = str(doc, "issuer");
  const authorization = str(doc, "authorization_endpoint");
  const token = str(doc, "token_endpoint");
  if (!iss || trim(iss) !== trim(issuer) || !authorization || !token) {
    throw new OAuthProviderError(name, "bad_response");
  }
  return { authorization, token, userinfo: str(doc, "userinfo_endpoint") ?? null };
}
