import { bigint, boolean, index, integer, jsonb, text, timestamp } from "drizzle-orm/pg-core";
import type { AccountsTable } from "./accounts.js";
import { accountForeignKey, type TableFactory } from "./table-factory.js";

/** `activity_log`: the audit trail. Deleting an account sets its ids to NULL; history is never erased by it. */
export function activityLogTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}activity_log`,
    {
      id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id"),
      actorAccountId: integer("actor_account_id"),
      action: text("action").notNull(),
      ipAddress: text("ip_address"),
      userAgent: text("user_agent"),
      browser: text("browser"),
      os: text("os"),
      device: text("device"),
      success: boolean("success").notNull().default(true),
      metadata: jsonb("metadata").$type<Record<string, unknown>>(),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}activity_log_account_id_fk`, t.accountId, accounts, "set null"),
      accountForeignKey(`${p}activity_log_actor_account_id_fk`, t.actorAccountId, accounts, "set null"),
      index(`${p}activity_log_created_at_idx`).on(t.createdAt),
      index(`${p}activity_log_account_id_idx`).on(t.accountId),
      index(`${p}activity_log_actor_account_id_idx`).on(t.actorAccountId),
      index(`${p}activity_log_action_idx`).on(t.action),
    ],
  );
}
