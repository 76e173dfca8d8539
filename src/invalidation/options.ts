import type { AuthTables } from "../../schema/create-auth-schema.js";
import { AuthConfigError } from "../errors.js";
import { CHANNEL_PATTERN, defaultChannel, isValidChannel } from "./channel.js";

/** `config.invalidation`: instant cross-instance invalidation over PostgreSQL LISTEN/NOTIFY. */
export interface InvalidationOptions {
  /**
   * Send a NOTIFY on every security-relevant write and listen for them, so every instance re-reads an
   * affected session on its next request instead of after `resyncInterval`. @default false
   */
  listen?: boolean;
  /**
   * The channel: a lower-case identifier matching `/^[a-z_][a-z0-9_]{0,62}$/`. Every instance of one
   * app must use the same one. @default the table prefix + "invalidate" ("auth_invalidate")
   */
  channel?: string;
}

/** The validated invalidation settings of a config that turned it on. */
export interface ResolvedInvalidation {
  channel: string;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

/**
 * Validates `config.invalidation` once, when the config is first used. Returns null when invalidation
 * is off (the option is absent or `listen` is not true).
 * @throws {AuthConfigError} INVALID_CONFIG: not an object, `listen` not a boolean, or a channel that does
 * not match `/^[a-z_][a-z0-9_]{0,62}$/`
 * @example resolveInvalidation({ listen: true }, authSchema) // { channel: "auth_invalidate" }
 */
export function resolveInvalidation(value: unknown, tables: AuthTables): ResolvedInvalidation | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) fail("invalidation", "an object { listen, channel }");
  const { listen, channel } = value as InvalidationOptions;
  if (listen !== undefined && typeof listen !== "boolean") fail("invalidation.listen", "a boolean");
  if (channel !== undefined && !isValidChannel(channel))
    fail("invalidation.channel", `a lower-case identifier matching ${CHANNEL_PATTERN}`);
  if (listen !== true) return null;
  const resolved = channel ?? defaultChannel(tables);
  if (resolved === null)
    fail("invalidation.channel", "given: the default (schema + table prefix + invalidate) is longer than 63 bytes");
  return { channel: resolved };
}
