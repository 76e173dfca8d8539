import { index, integer, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { AccountsTable } from "./accounts.js";
import { accountForeignKey, type TableFactory } from "./table-factory.js";

/** `confirmations`: email confirmation tokens (selector + SHA-256 of the validator), bound to the address. */
export function confirmationsTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}confirmations`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      selector: text("selector").notNull(),
      validatorHash: text("validator_hash").notNull(),
      /** The address being confirmed: the current one, or the new one during an email change. */
      email: text("email").notNull(),
      expires: timestamp("expires", { withTimezone: true }).notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}confirmations_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}confirmations_selector_key`).on(t.selector),
      index(`${p}confirmations_account_id_idx`).on(t.accountId),
      index(`${p}confirmations_expires_idx`).on(t.expires),
    ],
  );
}

/** `resets`: password reset tokens (selector + SHA-256 of the validator). */
export function resetsTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}resets`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      selector: text("selector").notNull(),
      validatorHash: text("validator_hash").notNull(),
      expires: timestamp("expires", { withTimezone: true }).notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}resets_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}resets_selector_key`).on(t.selector),
      index(`${p}resets_account_id_idx`).on(t.accountId),
      index(`${p}resets_expires_idx`).on(t.expires),
    ],
  );
}
