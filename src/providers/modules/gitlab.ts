/**
 * `express-drizzle-auth/providers/gitlab`: GitLab.com or a self-hosted GitLab (OAuth 2.0 + PKCE).
 * Callback URL `<auth url>/callback/gitlab`; scope `read_user`. The email counts as verified only when
 * the user has confirmed it (`confirmed_at` set). Environment: `AUTH_GITLAB_ID`, `AUTH_GITLAB_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createOAuth2Provider, type OAuth2Endpoints } from "../oauth2.js";

export { customFetch } from "../custom-fetch.js";

/** GitLab's own options. */
export interface GitLabOptions {
  /** A self-hosted GitLab's base URL (`https://gitlab.example.com`). @default "https://gitlab.com" */
  baseUrl?: string;
  /** Endpoint overrides (they win over `baseUrl`). */
  endpoints?: Partial<OAuth2Endpoints>;
}

/** GitLab: `providers: [GitLab]` or `GitLab({ baseUrl: "https://gitlab.example.com" })`. */
const GitLab = defineProvider<GitLabOptions>({
  id: "gitlab",
  name: "GitLab",
  type: "oauth",
  check(options, fail) {
    if (options.baseUrl !== undefined && (typeof options.baseUrl !== "string" || !/^https?:\/\//.test(options.baseUrl)))
      fail("baseUrl", "an absolute http(s) URL");
  },
  create: (options, id) => {
    const base = (options.baseUrl ?? "https://gitlab.com").replace(/\/+$/, "");
    return createOAuth2Provider(
      {
        ...options,
        endpoints: {
          authorization: `${base}/oauth/authorize`,
          token: `${base}/oauth/token`,
          userinfo: `${base}/api/v4/user`,
          ...options.endpoints,
        },
        defaultScopes: ["read_user"],
        profile: (raw) => ({
          id: raw.id as number,
          email: typeof raw.email === "string" ? raw.email : null,
          emailVerified: typeof raw.confirmed_at === "string" && raw.confirmed_at !== "",
          name: (raw.name as string | null) ?? (raw.username as string),
          username: raw.username as string | null,
          image: raw.avatar_url as string | null,
        }),
      },
      id,
    );
  },
});
export default GitLab;
