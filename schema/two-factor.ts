import { bigint, boolean, index, integer, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { AccountsTable } from "./accounts.js";
import { accountForeignKey, type TableFactory } from "./table-factory.js";

/** `2fa_methods`: one row per account and mechanism (1 TOTP, 2 email, 3 SMS). TOTP secrets are encrypted. */
export function twoFactorMethodsTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}2fa_methods`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      mechanism: integer("mechanism").notNull(),
      /** TOTP: the AES-GCM encrypted key. Email/SMS: the contact address. */
      secret: text("secret"),
      verified: boolean("verified").notNull().default(false),
      /** The last accepted TOTP time step; a step at or below it is a replay. */
      lastUsedStep: bigint("last_used_step", { mode: "number" }),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
      lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    },
    (t) => [
      accountForeignKey(`${p}2fa_methods_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}2fa_methods_account_mechanism_key`).on(t.accountId, t.mechanism),
    ],
  );
}

/** `2fa_backup_codes`: one hashed backup code per row, consumed by one DELETE. */
export function twoFactorBackupCodesTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}2fa_backup_codes`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      codeHash: text("code_hash").notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}2fa_backup_codes_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}2fa_backup_codes_account_code_key`).on(t.accountId, t.codeHash),
    ],
  );
}

/** `2fa_tokens`: email/SMS one-time codes, hashed, with an attempt counter. */
export function twoFactorTokensTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}2fa_tokens`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      mechanism: integer("mechanism").notNull(),
      selector: text("selector").notNull(),
      tokenHash: text("token_hash").notNull(),
      attempts: integer("attempts").notNull().default(0),
      expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}2fa_tokens_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}2fa_tokens_selector_key`).on(t.selector),
      index(`${p}2fa_tokens_account_id_idx`).on(t.accountId),
      index(`${p}2fa_tokens_expires_at_idx`).on(t.expiresAt),
    ],
  );
}
