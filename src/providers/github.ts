/** GitHub (and GitHub Enterprise via `endpoints`). Profile from `GET /user` and `GET /user/emails`. */
import { OAuthProviderError, type OAuthProvider, type ProviderProfile, type ProviderTokens } from "./oauth-provider.js";
import { pkceCodeFlow } from "./code-flow.js";
import { createProviderHttp } from "./http.js";
import { type BaseProviderOptions, idOf, isObject, optionalFields, str } from "./shared.js";

/** GitHub endpoints; override for GitHub Enterprise or tests. */
export interface GitHubEndpoints {
  /** @default "https://github.com/login/oauth/authorize" */
  authorization?: string;
  /** @default "https://github.com/login/oauth/access_token" */
  token?: string;
  /** REST API base; `/user` and `/user/emails` are appended. @default "https://api.github.com" */
  api?: string;
}

/** Options of {@link createGitHubProvider}. */
export interface GitHubProviderOptions extends BaseProviderOptions {
  /** Endpoint overrides (they win over `enterprise`). */
  endpoints?: GitHubEndpoints;
  /**
   * GitHub Enterprise Server: its base URL (`https://github.example.com`). Authorization and token go to
   * `<baseUrl>/login/oauth/…`, the API to `<baseUrl>/api/v3`.
   */
  enterprise?: { baseUrl: string };
  /** `User-Agent` sent to the API (GitHub requires one). @default "express-drizzle-auth" */
  userAgent?: string;
}

const DEFAULT_SCOPES = ["read:user", "user:email"];

/** Creates the GitHub provider (authorization code + PKCE S256). */
export function createGitHubProvider(options: GitHubProviderOptions, name = "github"): OAuthProvider {
  const enterprise = options.enterprise?.baseUrl.replace(/\/+$/, "");
  const site = enterprise ?? "https://github.com";
  const authorization = options.endpoints?.authorization ?? `${site}/login/oauth/authorize`;
  const token = options.endpoints?.token ?? `${site}/login/oauth/access_token`;
  const api = (options.endpoints?.api ?? (enterprise ? `${enterprise}/api/v3` : "https://api.github.com")).replace(
    /\/+$/,
    "",
  );
  const headers = { "User-Agent": options.userAgent ?? "express-drizzle-auth", "X-GitHub-Api-Version": "2022-11-28" };
  const http = createProviderHttp(name, options);

  return {
    name,
    ...pkceCodeFlow(name, options, { authorization, token }, DEFAULT_SCOPES, http),
    async fetchProfile(tokens: ProviderTokens): Promise<ProviderProfile> {
      const user = await http.getJson(`${api}/user`, tokens.accessToken, headers);
      if (!isObject(user)) throw new OAuthProviderError(name, "bad_profile");
      const id = idOf(user, "id");
      if (!id) throw new OAuthProviderError(name, "bad_profile");
      const emails = await http.getJson(`${api}/user/emails`, tokens.accessToken, headers);
      if (!Array.isArray(emails)) throw new OAuthProviderError(name, "bad_profile");
      const email = primaryVerifiedEmail(emails);
      return {
        id,
        email,
        emailVerified: email !== null,
        ...optionalFields({ username: str(user, "login"), name: str(user, "name"), avatar: str(user, "avatar_url") }),
      };
    },
  };
}

/** The address GitHub marks both `primary` and `verified`, else null. Other addresses are ignored. */
export function primaryVerifiedEmail(emails: unknown[]): string | null {
  for (const entry of emails) {
    if (!isObject(entry) || entry.primary !== true || entry.verified !== true) continue;
    const email = str(entry, "email");
    if (email) return email;
  }
  return null;
}
