import { type Column, sql } from "drizzle-orm";
import type { AuthContext } from "./context.js";
import { qualified } from "./sql-columns.js";

/**
 * The profile columns of an account lookup: the display name and avatar of its most recently updated
 * provider identity, as correlated scalar subqueries (qualified, so they look at the outer account
 * row). They ride along with a select, an update's `returning`, or a join: no statement of their own.
 */
export function profileColumns(ctx: AuthContext) {
  const p = ctx.t.providers;
  const a = ctx.t.accounts;
  const latest = (column: Column) =>
    sql<
      string | null
    >`(select ${qualified(column)} from ${p} where ${qualified(p.accountId)} = ${qualified(a.id)} order by ${qualified(p.updatedAt)} desc limit 1)`;
  return { name: latest(p.providerName), image: latest(p.providerAvatar) };
}
