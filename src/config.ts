import type { AuthTables } from "../schema/create-auth-schema.js";
import { createAuthSchema } from "../schema/create-auth-schema.js";
import { type DatabaseInput, isDatabaseInput } from "./primitives/database.js";
import { type Duration, parseDuration } from "./primitives/duration.js";
import { AuthRole, adminBit, type RoleSet } from "./primitives/roles.js";
import type { PasswordHashingOptions } from "./crypto/password-hasher.js";
import type { AuthNotification } from "./primitives/notification.js";
import { AuthConfigError } from "./errors.js";
import type { OAuthUserData } from "./providers/user-data.js";
import type { InvalidationOptions } from "./invalidation/options.js";
import type { SessionCacheConfig } from "./session-cache/options.js";
import {
  type ImpersonationOptions,
  type ResolvedImpersonation,
  resolveImpersonation,
} from "./impersonation/options.js";
import { resolveActivityRetention } from "./options/activity-retention.js";
import { type ExternalLimiter, isExternalLimiter } from "./rate-limit/external.js";
import { type RateLimitOptions, type ResolvedRateLimits, resolveRateLimits } from "./rate-limit/options.js";
import { type AuthTracer, isAuthTracer } from "./tracing/tracer.js";
import { type AuthUrl, authSecrets, resolveAuthUrl } from "./options/auth-environment.js";
import { createProviderRegistry, type ProviderRegistry, type ProvidersConfig } from "./providers/registry.js";
import { type ResolvedTwoFactor, resolveTwoFactor, type TwoFactorOptions } from "./options/two-factor.js";

export type { ExternalLimiter, LimiterResult } from "./rate-limit/external.js";

/** Remember-me cookie attributes. The cookie is always `HttpOnly`. */
export interface AuthCookieOptions {
  domain?: string;
  /** @default req.secure */
  secure?: boolean;
  /** @default "lax" */
  sameSite?: "strict" | "lax" | "none";
  /** @default "/" */
  path?: string;
}

/** The configuration shared by the middleware, the session store, the admin context and standalone functions. */
export interface AuthConfig {
  /** A Drizzle PostgreSQL database (postgres.js, node-postgres, PGlite), or a raw `pg.Pool`, postgres.js `sql` or `PGlite`. */
  db: DatabaseInput;
  /**
   * Secret used to encrypt secrets at rest and key code hashes (two-factor). At least 32 characters when
   * given. @default the `AUTH_SECRET` environment variable
   */
  secret?: string;
  /**
   * Earlier values of `secret`, still accepted for decryption after a rotation.
   * @default the set ones of `AUTH_SECRET_1`, `AUTH_SECRET_2`, `AUTH_SECRET_3`
   */
  previousSecrets?: readonly string[];
  /**
   * The public URL of the auth routes: the app's origin plus the router's mount path
   * (`https://app.example.com/auth`; `/auth` when only an origin is given). Provider callback URLs are
   * `<url>/callback/<id>` and emailed links use its origin; neither is ever taken from a request's
   * `Host` header. Required in production for providers without an explicit `redirectUri` and for
   * mailed links. @default the `AUTH_URL` environment variable, else `http://localhost:<PORT or 3000>/auth`
   * outside production
   */
  url?: string;
  /** Prefix of every table. @default "auth_" */
  tablePrefix?: string;
  /** Postgres schema of the tables. @default "public" */
  pgSchema?: string;
  /** The tables, when the app built them with `createAuthSchema` (overrides `tablePrefix`/`pgSchema`). */
  tables?: AuthTables;
  /** Role set for `getRoleNames()` and the admin context. @default AuthRole */
  roles?: RoleSet;
  /** The role `isAdmin()` checks. @default roles.Admin ?? roles.admin ?? 0 */
  adminRole?: number;
  /** Minimum password length in code points (NIST 800-63B-4: 15 for single-factor). @default 15 */
  minPasswordLength?: number;
  /** Maximum password length in code points. @default 1024 */
  maxPasswordLength?: number;
  /** argon2id cost; values below the OWASP minimum are refused. */
  passwordHashing?: PasswordHashingOptions;
  /** Lifetime of a remember-me token. @default "30d" */
  rememberDuration?: Duration;
  /** Name of the remember-me cookie. @default "remember_token" */
  rememberCookieName?: string;
  /** Remember-me cookie attributes. */
  cookie?: AuthCookieOptions;
  /** Longest time a session trusts its cached account state before re-reading it. @default "30s" */
  resyncInterval?: Duration;
  /**
   * Absolute lifetime of a signed-in session, however active: after it the user signs in again (or is
   * restored from a remember-me cookie). `false` turns it off. @default "12h"
   */
  sessionLifetime?: Duration | false;
  /** Lifetime of an email confirmation token. @default "24h" */
  confirmationExpiry?: Duration;
  /** Default lifetime of a password reset token. @default "30m" */
  resetExpiry?: Duration;
  /** Default maximum of unexpired reset requests per account. @default 2 */
  maxOpenResets?: number;
  /** Consecutive failed logins per account before the account's login locks, and for how long. `false` turns it off. */
  loginLockout?: { maxFailures?: number; duration?: Duration } | false;
  /**
   * An external limiter (e.g. Redis-backed) that replaces the built-in one: consulted once per attempt of
   * login, second-factor verification, password reset and confirmation resend, with the keys
   * `<action>:account:<sha256 of the email>` and `<action>:ip:<sha256 of the client /64 or IPv4>`.
   */
  limiter?: ExternalLimiter;
  /** Audit log settings. */
  /**
   * The audit log: `enabled`, an allow-list of `actions`, and what `cleanupExpiredTokens` prunes:
   * `retention` (default `"365d"`, `false` keeps rows of any age) and `maxEntries` (a row cap, default none).
   */
  activityLog?: {
    enabled?: boolean;
    actions?: readonly string[] | null;
    maxEntries?: number | false;
    retention?: Duration | false;
  };
  /**
   * Called after security-relevant changes (password changed or reset, email changed, remember-me theft,
   * two-factor changes, backup codes used or regenerated) so the app can tell the account holder.
   */
  notify?: (notification: AuthNotification) => unknown;
  /** The clock. Tests inject one; every timestamp is computed from it. @default () => new Date() */
  now?: () => Date;
  /**
   * The built-in rate limiter (stored in PostgreSQL, shared by every instance): failed sign-ins and
   * second-factor answers per client IP, password reset requests and confirmation resends per account and
   * per IP. `false` turns it off; a `limiter` replaces it. See docs/rate-limiting.md.
   */
  rateLimits?: RateLimitOptions | false;
  /**
   * Returns the app's `user_id` for a new OAuth user (create the app's user row here). Without it a
   * random UUID is used. Called before the account is written; a throw aborts the sign-in.
   */
  createUser?: (userData: OAuthUserData) => string | number | Promise<string | number>;
  /**
   * OAuth / OpenID Connect providers: `github`, `google`, `azure` (Microsoft Entra ID), `oidc`, and
   * custom OIDC entries `{ type: "oidc", … }` under names of their own. See docs/oauth.md.
   */
  providers?: ProvidersConfig;
  /** `User-Agent` sent to the GitHub API. @default "express-drizzle-auth" */
  githubUserAgent?: string;
  /** Two-factor authentication (TOTP, email/SMS codes, backup codes). Needs `secret`. */
  twoFactor?: TwoFactorOptions;
  /** Audited impersonation: off unless `enabled`; see docs/impersonation.md. */
  impersonation?: ImpersonationOptions;
  /** Instant cross-instance invalidation over LISTEN/NOTIFY (docs/invalidation-and-scaling.md). */
  invalidation?: InvalidationOptions;
  /** The in-process session cache: on with `invalidation.listen`, `false` for off (docs/sessions.md). */
  sessionCache?: SessionCacheConfig | false;
  /**
   * Tracing: an object with `span(name, attributes, fn)` (the @prsm/auth duck type), or `false` for none.
   * When absent, OpenTelemetry is used through `@opentelemetry/api` if it is installed.
   */
  tracer?: AuthTracer | false;
}

/** The validated configuration with every default applied and every duration in milliseconds. */
export interface ResolvedAuthConfig {
  db: DatabaseInput;
  secret: string | undefined;
  previousSecrets: readonly string[];
  /** The public URL of the auth routes (`url` / `AUTH_URL`), or null in production without one. */
  authUrl: AuthUrl | null;
  twoFactor: ResolvedTwoFactor;
  tables: AuthTables;
  roles: RoleSet;
  adminRole: number;
  minPasswordLength: number;
  maxPasswordLength: number;
  passwordHashing: PasswordHashingOptions;
  rememberMs: number;
  rememberCookieName: string;
  cookie: AuthCookieOptions;
  resyncMs: number;
  sessionLifetimeMs: number | null;
  confirmationMs: number;
  resetMs: number;
  maxOpenResets: number;
  lockout: { maxFailures: number; durationMs: number } | null;
  limiter: ExternalLimiter | undefined;
  rateLimits: ResolvedRateLimits;
  impersonation: ResolvedImpersonation;
  activityLog: { enabled: boolean; actions: ReadonlySet<string> | null };
  now: () => Date;
  notify: ((notification: AuthNotification) => unknown) | undefined;
  /** The configured OAuth providers. */
  providers: ProviderRegistry;
  createUser: ((userData: OAuthUserData) => string | number | Promise<string | number>) | undefined;
  source: AuthConfig;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

function duration(option: string, value: Duration | undefined, fallback: string, allowZero = false): number {
  const ms = parseDuration(value ?? fallback);
  if (ms === null || ms < 0 || (ms === 0 && !allowZero))
    fail(option, 'a positive duration (milliseconds or a string like "30m")');
  return ms;
}

function integer(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) fail(option, `an integer from ${min} to ${max}`);
  return v;
}

function resolveTables(config: AuthConfig): AuthTables {
  if (config.tables) {
    if (typeof config.tables !== "object" || !config.tables.accounts)
      fail("tables", "the result of createAuthSchema()");
    return config.tables;
  }
  try {
    return createAuthSchema({
      prefix: config.tablePrefix ?? "auth_",
      ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    });
  } catch (err) {
    throw new AuthConfigError(
      `Invalid auth config: ${config.pgSchema !== undefined ? "tablePrefix or pgSchema" : "tablePrefix"}: ${(err as Error).message}`,
    );
  }
}

const cache = new WeakMap<AuthConfig, ResolvedAuthConfig>();

/**
 * Validates a configuration once and applies the defaults. Errors name the option. Defaults use `??`,
 * so `0` and `false` are honoured rather than replaced (unlike @prsm/auth's `||`).
 * @throws {AuthConfigError} INVALID_CONFIG
 */
export function resolveAuthConfig(config: AuthConfig): ResolvedAuthConfig {
  const cached = cache.get(config);
  if (cached) return cached;
  if (typeof config !== "object" || config === null) fail("config", "an object");
  if (!isDatabaseInput(config.db)) fail("db", "a Drizzle PostgreSQL database, pg.Pool, postgres.js sql or PGlite");
  const secrets = authSecrets(config);
  if (secrets.secret !== undefined && (typeof secrets.secret !== "string" || secrets.secret.length < 32))
    fail(secrets.secretSource, "a string of at least 32 characters");
  if (
    !Array.isArray(secrets.previous) ||
    secrets.previous.some((x) => typeof x !== "string" || x.length < 32)
  ) {
    fail(secrets.previousSource, "an array of strings of at least 32 characters");
  }
  const roles = config.roles ?? AuthRole;
  if (typeof roles !== "object" || Object.values(roles).some((b) => !Number.isInteger(b) || b <= 0 || b > 0x7fffffff))
    fail("roles", "a role set from defineRoles()");
  const adminRole = config.adminRole;
  if (adminRole != null && (!Number.isInteger(adminRole) || adminRole < 0 || adminRole > 0x7fffffff))
    fail("adminRole", "a role bit (an integer from 0 to 2147483647)");
  const minPasswordLength = integer("minPasswordLength", config.minPasswordLength, 15, 8, 1024);
  const maxPasswordLength = integer("maxPasswordLength", config.maxPasswordLength, 1024, minPasswordLength, 4096);
  const lockout =
    config.loginLockout === false
      ? null
      : {
          maxFailures: integer("loginLockout.maxFailures", config.loginLockout?.maxFailures, 10, 1, 100),
          durationMs: duration("loginLockout.duration", config.loginLockout?.duration, "15m"),
        };
  const cookieName = config.rememberCookieName ?? "remember_token";
  if (typeof cookieName !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(cookieName))
    fail("rememberCookieName", "a cookie name token");
  const sameSite = config.cookie?.sameSite;
  if (sameSite !== undefined && !["strict", "lax", "none"].includes(sameSite))
    fail("cookie.sameSite", '"strict", "lax" or "none"');
  if (config.limiter !== undefined && !isExternalLimiter(config.limiter))
    fail("limiter", "an object with take, hit, drip, consume or check");
  if (config.now !== undefined && typeof config.now !== "function") fail("now", "a function returning a Date");
  if (config.notify !== undefined && typeof config.notify !== "function") fail("notify", "a function");
  if (config.tracer !== undefined && config.tracer !== false && !isAuthTracer(config.tracer))
    fail("tracer", "an object with span(name, attributes, fn), or false");
  if (config.createUser !== undefined && typeof config.createUser !== "function") fail("createUser", "a function");
  if (config.githubUserAgent !== undefined && (typeof config.githubUserAgent !== "string" || !config.githubUserAgent))
    fail("githubUserAgent", "a non-empty string");
  const authUrl = resolveAuthUrl(config.url);
  if (authUrl === "invalid")
    fail(config.url !== undefined ? "url" : "AUTH_URL", "an absolute http(s) URL (origin plus mount path, no query)");
  const providers = createProviderRegistry(config.providers, {
    githubUserAgent: config.githubUserAgent,
    authBase: authUrl?.base ?? null,
  });
  resolveActivityRetention(config);
  const actions = config.activityLog?.actions;
  if (actions != null && !Array.isArray(actions)) fail("activityLog.actions", "an array of action names or null");
  const resolved: ResolvedAuthConfig = {
    db: config.db,
    secret: secrets.secret,
    previousSecrets: secrets.previous,
    authUrl,
    twoFactor: resolveTwoFactor(config.twoFactor),
    tables: resolveTables(config),
    roles,
    adminRole: config.adminRole ?? adminBit(roles),
    minPasswordLength,
    maxPasswordLength,
    passwordHashing: config.passwordHashing ?? {},
    rememberMs: duration("rememberDuration", config.rememberDuration, "30d"),
    rememberCookieName: cookieName,
    cookie: { sameSite: "lax", path: "/", ...config.cookie },
    resyncMs: duration("resyncInterval", config.resyncInterval, "30s", true),
    sessionLifetimeMs:
      config.sessionLifetime === false ? null : duration("sessionLifetime", config.sessionLifetime, "12h"),
    confirmationMs: duration("confirmationExpiry", config.confirmationExpiry, "24h"),
    resetMs: duration("resetExpiry", config.resetExpiry, "30m"),
    maxOpenResets: integer("maxOpenResets", config.maxOpenResets, 2, 1, 100),
    lockout,
    limiter: config.limiter,
    rateLimits: resolveRateLimits(config.rateLimits),
    impersonation: resolveImpersonation(config.impersonation),
    activityLog: { enabled: config.activityLog?.enabled !== false, actions: actions ? new Set(actions) : null },
    now: config.now ?? (() => new Date()),
    notify: config.notify,
    providers,
    createUser: config.createUser,
    source: config,
  };
  cache.set(config, resolved);
  return resolved;
}
