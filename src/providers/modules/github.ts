/**
 * `express-drizzle-auth/providers/github`: GitHub and GitHub Enterprise Server (OAuth 2.0 + PKCE).
 * Callback URL `<auth url>/callback/github`; scopes `read:user user:email`; the email is the one GitHub
 * marks primary and verified, else none. Environment: `AUTH_GITHUB_ID`, `AUTH_GITHUB_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createGitHubProvider, type GitHubProviderOptions } from "../github.js";
import type { BaseProviderOptions } from "../shared.js";

export { customFetch } from "../custom-fetch.js";

/** GitHub's own options (`enterprise`, `endpoints`, `userAgent`), next to the common ones. */
export type GitHubOptions = Omit<GitHubProviderOptions, keyof BaseProviderOptions>;

/** GitHub: `providers: [GitHub]` or `GitHub({ clientId, clientSecret, enterprise: { baseUrl } })`. */
const GitHub = defineProvider<GitHubOptions>({
  id: "github",
  name: "GitHub",
  type: "oauth",
  check(options, fail) {
    const base = options.enterprise?.baseUrl;
    if (options.enterprise !== undefined && (typeof base !== "string" || !/^https?:\/\//.test(base)))
      fail("enterprise.baseUrl", "an absolute http(s) URL");
  },
  create: (options, id) => createGitHubProvider(options, id),
});
export default GitHub;
