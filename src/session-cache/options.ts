import { parseDuration } from "../primitives/duration.js";
import { AuthConfigError } from "../errors.js";

/**
 * `config.sessionCache`: the in-process cache of stored sessions (docs/sessions.md).
 *
 * With `invalidation.listen` on it is on by default and coherent across instances; without LISTEN it
 * is off unless a `ttl` is given, which bounds how long a session written or revoked elsewhere may
 * still be served here.
 */
export interface SessionCacheConfig {
  /** Most sessions kept per process (least recently used first out). About 1–2 KB each. @default 10000 */
  maxEntries?: number;
  /**
   * Longest time a cached session is served. Required to cache without LISTEN (the staleness it
   * allows); with LISTEN, an optional extra bound. A duration ("5s") or milliseconds.
   */
  ttl?: number | string;
}

/** The resolved settings: null when the cache is off. */
export interface ResolvedSessionCache {
  maxEntries: number;
  ttlMs: number | null;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

/**
 * Validates `config.sessionCache` once. `false` turns it off; absent means on with LISTEN, off without.
 * @throws {AuthConfigError} INVALID_CONFIG naming the option
 */
export function resolveSessionCache(value: unknown, listening: boolean): ResolvedSessionCache | null {
  if (value === false) return null;
  if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value)))
    fail("sessionCache", "false or an object { maxEntries, ttl }");
  const options = (value ?? {}) as SessionCacheConfig;
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000)
    fail("sessionCache.maxEntries", "an integer from 1 to 10000000");
  let ttlMs: number | null = null;
  if (options.ttl !== undefined) {
    ttlMs = parseDuration(options.ttl);
    if (ttlMs === null || ttlMs <= 0) fail("sessionCache.ttl", 'a positive duration ("5s") or milliseconds');
  }
  if (!listening && ttlMs === null) return null;
  return { maxEntries, ttlMs };
}
