import { getTableConfig } from "drizzle-orm/pg-core";
import type { AuthTables } from "../../schema/create-auth-schema.js";

/**
 * What a channel name may be: a lower-case SQL identifier of at most 63 bytes (PostgreSQL's limit).
 * Anything else is refused at configuration time, so no value can reach `LISTEN` unchecked.
 */
export const CHANNEL_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** True when `value` is an acceptable channel name ({@link CHANNEL_PATTERN}). */
export function isValidChannel(value: unknown): value is string {
  return typeof value === "string" && CHANNEL_PATTERN.test(value);
}

/**
 * Quotes a validated channel name as an SQL identifier, for `LISTEN "name"`. Throws on a name that
 * did not pass {@link isValidChannel}: a channel is never built from unchecked input.
 * @example quoteChannel("auth_invalidate") // '"auth_invalidate"'
 * @internal
 */
export function quoteChannel(channel: string): string {
  if (!isValidChannel(channel)) throw new TypeError("invalid channel name");
  // The pattern already excludes quotes; doubling them keeps the quoting correct on its own.
  return `"${channel.replace(/"/g, '""')}"`;
}

/**
 * The default channel of a set of tables: the table prefix followed by `invalidate`, and the Postgres
 * schema in front when it is not `public` (`auth_invalidate` for the default tables). Two auth
 * installations in one database (different prefixes or schemas) therefore never share a channel.
 * Returns null when the name would be longer than 63 bytes; the config must then name a channel.
 * @internal
 */
export function defaultChannel(tables: AuthTables): string | null {
  const { name, schema } = getTableConfig(tables.accounts);
  const prefix = name.endsWith("accounts") ? name.slice(0, -"accounts".length) : `${name}_`;
  const channel = `${schema && schema !== "public" ? `${schema}_` : ""}${prefix}invalidate`.toLowerCase();
  return isValidChannel(channel) ? channel : null;
}
