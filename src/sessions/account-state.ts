import { inArray, sql } from "drizzle-orm";
import type { AuthContext } from "../core/context.js";
import { profileColumns } from "../core/profile-columns.js";
import { qualified } from "../core/sql-columns.js";
import type { AccountState } from "./validity.js";

/** The columns of an {@link AccountState}, for a select from `accounts`. */
export function accountStateColumns(ctx: AuthContext) {
  const a = ctx.t.accounts;
  return {
    id: a.id,
    email: a.email,
    status: a.status,
    rolemask: a.rolemask,
    verified: a.verified,
    forceLogout: a.forceLogout,
    hasPassword: sql<boolean>`(${qualified(a.password)} is not null)`.mapWith((v: unknown) => v === true || v === "t"),
    ...profileColumns(ctx),
  };
}

/** Reads the current state of the given accounts in one statement; ids that are gone are absent. */
export async function readAccountStates(ctx: AuthContext, ids: readonly number[]): Promise<Map<number, AccountState>> {
  const rows = await ctx.db
    .select(accountStateColumns(ctx))
    .from(ctx.t.accounts)
    .where(inArray(ctx.t.accounts.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row]));
}
