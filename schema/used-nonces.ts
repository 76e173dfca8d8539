import { index, text, timestamp } from "drizzle-orm/pg-core";
import type { TableFactory } from "./table-factory.js";

/**
 * `used_nonces`: single-use markers. One row says "this value was used for this purpose"; inserting it
 * is the claim, so of many concurrent uses exactly one succeeds. The key is the SHA-256 of purpose and
 * value, never the value itself. Serves the OAuth `state` (and any other one-time value without a row of
 * its own); rows are deleted once they expire.
 */
export function usedNoncesTable(table: TableFactory, p: string) {
  return table(
    `${p}used_nonces`,
    {
      key: text("key").primaryKey(),
      expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    },
    (t) => [index(`${p}used_nonces_expires_at_idx`).on(t.expiresAt)],
  );
}
