import { index, integer, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { AccountsTable } from "./accounts.js";
import { accountForeignKey, type TableFactory } from "./table-factory.js";

/** `sessions`: the express-session store. The key is the SHA-256 of the session id, never the id itself. */
export function sessionsTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}sessions`,
    {
      id: text("id").primaryKey(),
      /** The session data as JSON text. */
      sess: text("sess").notNull(),
      expires: timestamp("expires", { withTimezone: true }).notNull(),
      accountId: integer("account_id"),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
      updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
      ipAddress: text("ip_address"),
      userAgent: text("user_agent"),
    },
    (t) => [
      accountForeignKey(`${p}sessions_account_id_fk`, t.accountId, accounts, "cascade"),
      index(`${p}sessions_expires_idx`).on(t.expires),
      index(`${p}sessions_account_id_idx`).on(t.accountId),
    ],
  );
}

/** `remembers`: remember-me tokens, one row per device (selector + SHA-256 of the validator). */
export function remembersTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}remembers`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      selector: text("selector").notNull(),
      validatorHash: text("validator_hash").notNull(),
      /** The hash replaced by the last rotation, accepted for a short grace window (parallel tabs). */
      previousHash: text("previous_hash"),
      rotatedAt: timestamp("rotated_at", { withTimezone: true }),
      expires: timestamp("expires", { withTimezone: true }).notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}remembers_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}remembers_selector_key`).on(t.selector),
      index(`${p}remembers_account_id_idx`).on(t.accountId),
      index(`${p}remembers_expires_idx`).on(t.expires),
    ],
  );
}
