import { boolean, index, integer, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { TableFactory } from "./table-factory.js";

/** `accounts`: one row per sign-in identity, linked to the app's user through `user_id`. */
export function accountsTable(table: TableFactory, p: string) {
  return table(
    `${p}accounts`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      userId: text("user_id").notNull(),
      /** Canonical form (NFKC, trimmed, lower-case): the only form ever stored or compared. */
      email: text("email").notNull(),
      /** PHC string (argon2id), or null for accounts that sign in only through OAuth. */
      password: text("password"),
      verified: boolean("verified").notNull().default(false),
      status: integer("status").notNull().default(0),
      rolemask: integer("rolemask").notNull().default(0),
      lastLogin: timestamp("last_login", { withTimezone: true }),
      /** Counter: raising it ends every session that recorded a lower value. */
      forceLogout: integer("force_logout").notNull().default(0),
      resettable: boolean("resettable").notNull().default(true),
      registered: timestamp("registered", { withTimezone: true }).notNull(),
    },
    (t) => [
      uniqueIndex(`${p}accounts_user_id_key`).on(t.userId),
      uniqueIndex(`${p}accounts_email_key`).on(t.email),
      index(`${p}accounts_email_pattern_idx`).on(t.email.op("text_pattern_ops")),
      index(`${p}accounts_status_idx`).on(t.status),
    ],
  );
}

/** The `accounts` table type. */
export type AccountsTable = ReturnType<typeof accountsTable>;
