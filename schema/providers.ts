import { index, integer, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { AccountsTable } from "./accounts.js";
import { accountForeignKey, type TableFactory } from "./table-factory.js";

/** `providers`: OAuth identities linked to an account, keyed by the provider's stable id. */
export function providersTable(table: TableFactory, p: string, accounts: AccountsTable) {
  return table(
    `${p}providers`,
    {
      id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
      accountId: integer("account_id").notNull(),
      provider: text("provider").notNull(),
      providerId: text("provider_id").notNull(),
      providerEmail: text("provider_email"),
      providerUsername: text("provider_username"),
      providerName: text("provider_name"),
      providerAvatar: text("provider_avatar"),
      createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
      updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    },
    (t) => [
      accountForeignKey(`${p}providers_account_id_fk`, t.accountId, accounts, "cascade"),
      uniqueIndex(`${p}providers_identity_key`).on(t.provider, t.providerId),
      index(`${p}providers_account_id_idx`).on(t.accountId),
    ],
  );
}
