import { index, integer, text, timestamp } from "drizzle-orm/pg-core";
import type { TableFactory } from "./table-factory.js";

/** `rate_limits`: fixed-window counters of the built-in limiter, one row per key (keys are hashed). */
export function rateLimitsTable(table: TableFactory, p: string) {
  return table(
    `${p}rate_limits`,
    {
      key: text("key").primaryKey(),
      count: integer("count").notNull(),
      resetAt: timestamp("reset_at", { withTimezone: true }).notNull(),
    },
    (t) => [index(`${p}rate_limits_reset_at_idx`).on(t.resetAt)],
  );
}
