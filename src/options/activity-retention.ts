import { AuthConfigError } from "../errors.js";
import { parseDuration } from "../primitives/duration.js";

/**
 * How long audit rows are kept when `activityLog.retention` is not set. There is no row cap by default:
 * a cap lets a flood of (attacker-made) failed logins push older evidence out; an age limit does not.
 */
export const DEFAULT_ACTIVITY_RETENTION = "365d";

/** The audit log retention policy, resolved from `config.activityLog`. */
export interface ActivityRetentionPolicy {
  /** Keep at most this many rows (the newest by id); null keeps any number. */
  maxEntries: number | null;
  /** Delete rows older than this many milliseconds; null keeps rows of any age. */
  retentionMs: number | null;
}

/** The part of a raw config the retention policy is read from (an `AuthConfig` is one). */
export interface ActivityRetentionSource {
  activityLog?: { maxEntries?: unknown; retention?: unknown } | undefined;
}

/**
 * Reads `activityLog.maxEntries` (default none, `false` for none) and `activityLog.retention` (a duration
 * such as `"90d"`, default `"365d"`, `false` for none) from the raw config.
 * @throws {AuthConfigError} INVALID_CONFIG when either value is malformed
 */
export function resolveActivityRetention(config: ActivityRetentionSource): ActivityRetentionPolicy {
  const options = (config.activityLog ?? {}) as { maxEntries?: unknown; retention?: unknown };
  const max = options.maxEntries;
  if (max !== undefined && max !== false && (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1)) {
    throw new AuthConfigError("Invalid auth config: activityLog.maxEntries must be a positive integer or false");
  }
  const retention = options.retention === undefined ? DEFAULT_ACTIVITY_RETENTION : options.retention;
  let retentionMs: number | null = null;
  if (retention !== undefined && retention !== false) {
    retentionMs = parseDuration(retention);
    if (retentionMs === null || retentionMs <= 0)
      throw new AuthConfigError('Invalid auth config: activityLog.retention must be a positive duration like "90d"');
  }
  return { maxEntries: max === false || max === undefined ? null : max, retentionMs };
}
