/**
 * The REST handler's configuration: the library's `AuthConfig` plus what an Auth.js-style router needs
 * (its session cookie, trusted origins for redirects and CSRF, mail hooks, pages).
 */
import type { AuthConfig } from "../config.js";
import type { SessionStoreOptions } from "../express/session-store.js";
import { AuthConfigError } from "../errors.js";
import { authSecrets, resolveAuthUrl } from "../options/auth-environment.js";
import { type PagesOptions, type ResolvedPages, resolvePagesOptions } from "./pages/index.js";

/** A link the app must deliver (by email): the address, the full URL and the token inside it. */
export interface AuthLink {
  email: string;
  url: string;
  token: string;
}

/** `ExpressAuth(config)`: everything `createAuthMiddleware` takes, plus the router's own options. */
export interface ExpressAuthConfig extends AuthConfig {
  /**
   * Secret(s) signing the session cookie (the first signs, all verify). At least 32 characters.
   * @default `secret` and `previousSecrets` (else `AUTH_SECRET`, then `AUTH_SECRET_1…3`)
   */
  sessionSecret?: string | string[];
  /** The session cookie's name. @default "__Host-auth.sid" with secure cookies, else "auth.sid" */
  sessionCookieName?: string;
  /** Send cookies with `Secure` (and the `__Host-` prefix). @default true when NODE_ENV is "production" */
  useSecureCookies?: boolean;
  /**
   * Origins (e.g. `https://app.example.com`) that may appear in `callbackUrl` and in the `Origin`
   * header of POSTs, besides the request's own origin.
   */
  trustedOrigins?: string[];
  /** Where to go after sign-in or sign-out when no valid `callbackUrl` is given. @default "/" */
  defaultRedirect?: string;
  /** How the app mails links. Without them the matching routes answer 404 (`NOT_CONFIGURED`). */
  mail?: {
    /** Email confirmation after `POST /register`. Without it, new accounts are verified at once. */
    sendVerification?: (link: AuthLink) => unknown;
    /** Password reset after `POST /password/forgot`. */
    sendPasswordReset?: (link: AuthLink) => unknown;
  };
  /** Options of the router's session store (when the app did not mount express-session itself). */
  sessionStore?: SessionStoreOptions;
  /** Built-in pages: theme, language and strings. `false` turns the pages off (JSON API only). */
  pages?: PagesOptions | false;
}

/** The router's resolved options. */
export interface ResolvedRestOptions {
  sessionSecrets: string[];
  cookieName: string;
  secureCookies: boolean;
  trustedOrigins: Set<string>;
  /** The origin of emailed links, or null to take the request's (development only). */
  linkOrigin: string | null;
  defaultRedirect: string;
  pages: ResolvedPages | null;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

const cache = new WeakMap<object, ResolvedRestOptions>();

/** Validates the router options once per config object. @throws {AuthConfigError} naming the option */
export function resolveRestOptions(config: ExpressAuthConfig): ResolvedRestOptions {
  const cached = cache.get(config);
  if (cached) return cached;
  const own = authSecrets(config);
  const raw = config.sessionSecret ?? (own.secret === undefined ? undefined : [own.secret, ...own.previous]);
  const secrets = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== "string" || s.length < 32))
    fail(
      config.sessionSecret !== undefined ? "sessionSecret" : own.secretSource,
      config.sessionSecret !== undefined || own.secret !== undefined
        ? "a string of at least 32 characters"
        : "set: the AUTH_SECRET variable or the secret option (a random string of at least 32 characters)",
    );
  if (config.useSecureCookies !== undefined && typeof config.useSecureCookies !== "boolean")
    fail("useSecureCookies", "a boolean");
  const secureCookies = config.useSecureCookies ?? process.env.NODE_ENV === "production";
  const cookieName = config.sessionCookieName ?? (secureCookies ? "__Host-auth.sid" : "auth.sid");
  if (typeof cookieName !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(cookieName))
    fail("sessionCookieName", "a cookie name token");
  const trustedOrigins = new Set<string>();
  for (const origin of config.trustedOrigins ?? []) {
    let parsed: URL | null = null;
    try {
      parsed = typeof origin === "string" ? new URL(origin) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || !["http:", "https:"].includes(parsed.protocol) || parsed.origin === "null")
      fail("trustedOrigins", "a list of http(s) origins");
    trustedOrigins.add(parsed.origin);
  }
  // Emailed links use the configured origin; only a development app without one takes the request's.
  const authUrl = resolveAuthUrl(config.url);
  if (authUrl === "invalid")
    fail(config.url !== undefined ? "url" : "AUTH_URL", "an absolute http(s) URL (origin plus mount path, no query)");
  const linkOrigin = authUrl && authUrl.source !== "development default" ? authUrl.origin : null;
  if (authUrl === null && (config.mail?.sendVerification || config.mail?.sendPasswordReset))
    fail("url", "set in production when mail hooks are configured (or AUTH_URL; emailed links must not come from the Host header)");
  const defaultRedirect = config.defaultRedirect ?? "/";
  if (typeof defaultRedirect !== "string" || !defaultRedirect.startsWith("/") || defaultRedirect.startsWith("//"))
    fail("defaultRedirect", 'a path starting with "/"');
  if (config.mail !== undefined && (typeof config.mail !== "object" || config.mail === null)) fail("mail", "an object");
  for (const hook of ["sendVerification", "sendPasswordReset"] as const)
    if (config.mail?.[hook] !== undefined && typeof config.mail[hook] !== "function")
      fail(`mail.${hook}`, "a function");
  const resolved: ResolvedRestOptions = {
    sessionSecrets: secrets as string[],
    cookieName,
    secureCookies,
    trustedOrigins,
    linkOrigin,
    defaultRedirect,
    pages: config.pages === false ? null : resolvePagesOptions(config.pages),
  };
  cache.set(config, resolved);
  return resolved;
}
