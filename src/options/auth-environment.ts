/**
 * The Auth.js environment conventions, read once when a config is resolved; an explicit option always
 * wins over its variable.
 *
 * - `AUTH_SECRET`, with `AUTH_SECRET_1`, `AUTH_SECRET_2`, `AUTH_SECRET_3` as previous secrets;
 * - `AUTH_URL`: the public URL of the auth routes (origin plus mount path), else config `url`;
 * - `AUTH_<ID>_ID`, `AUTH_<ID>_SECRET`, `AUTH_<ID>_ISSUER` per provider, read by src/providers/normalize.ts.
 */

/** The environment the conventions are read from: `process.env` unless a test passes its own. */
export type AuthEnvironment = Readonly<Record<string, string | undefined>>;

/** The mount path assumed when `url` / `AUTH_URL` is only an origin, as in @auth/express. */
export const DEFAULT_AUTH_PATH = "/auth";

/** The process's environment. */
export function processEnvironment(): AuthEnvironment {
  return process.env;
}

/** A variable's value, or undefined when unset or empty. */
export function envValue(env: AuthEnvironment, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Where each secret came from, for error messages. */
export interface AuthSecrets {
  /** The current secret: config `secret`, else `AUTH_SECRET`. */
  secret: string | undefined;
  /** The option or variable `secret` came from. */
  secretSource: "secret" | "AUTH_SECRET";
  /** Earlier secrets: config `previousSecrets`, else the set ones of `AUTH_SECRET_1…3`. */
  previous: readonly string[];
  /** The option or variables `previous` came from. */
  previousSource: "previousSecrets" | "AUTH_SECRET_1…3";
}

/** The secrets of a config (explicit options first, then the Auth.js variables). */
export function authSecrets(
  config: { secret?: unknown; previousSecrets?: unknown },
  env: AuthEnvironment = processEnvironment(),
): AuthSecrets {
  const fromEnv = config.secret === undefined;
  const previousFromEnv = config.previousSecrets === undefined;
  return {
    secret: fromEnv ? envValue(env, "AUTH_SECRET") : (config.secret as string),
    secretSource: fromEnv ? "AUTH_SECRET" : "secret",
    previous: previousFromEnv
      ? [1, 2, 3].map((n) => envValue(env, `AUTH_SECRET_${n}`)).filter((s): s is string => s !== undefined)
      : (config.previousSecrets as readonly string[]),
    previousSource: previousFromEnv ? "AUTH_SECRET_1…3" : "previousSecrets",
  };
}

/** The public URL of the auth routes, resolved. */
export interface AuthUrl {
  /** The app's origin, e.g. `https://app.example.com`. */
  origin: string;
  /** The routes' base, without a trailing slash, e.g. `https://app.example.com/auth`. */
  base: string;
  /** Where it came from: the option, the variable, or the development default. */
  source: "url" | "AUTH_URL" | "development default";
}

/**
 * Resolves `url` (else `AUTH_URL`): an absolute http(s) URL whose path is the mount path of the auth
 * routes, `/auth` when only an origin is given. Without either, a development app gets
 * `http://localhost:<PORT or 3000>/auth` and a production one (`NODE_ENV=production`) null: the public
 * URL is never taken from a request's `Host` header, which a client chooses.
 * @returns null for an invalid value (the caller names it) or a production app without one
 */
export function resolveAuthUrl(url: unknown, env: AuthEnvironment = processEnvironment()): AuthUrl | null | "invalid" {
  const given = url !== undefined ? url : envValue(env, "AUTH_URL");
  const source = url !== undefined ? "url" : "AUTH_URL";
  if (given === undefined) {
    if (env.NODE_ENV === "production") return null;
    const port = /^\d{1,5}$/.test(env.PORT ?? "") ? env.PORT : "3000";
    const origin = `http://localhost:${port}`;
    return { origin, base: `${origin}${DEFAULT_AUTH_PATH}`, source: "development default" };
  }
  let parsed: URL;
  try {
    if (typeof given !== "string") return "invalid";
    parsed = new URL(given);
  } catch {
    return "invalid";
  }
  if (!["http:", "https:"].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username)
    return "invalid";
  const path = parsed.pathname.replace(/\/+$/, "");
  return { origin: parsed.origin, base: `${parsed.origin}${path === "" ? DEFAULT_AUTH_PATH : path}`, source };
}
