import { sql } from "drizzle-orm";
import { type AuthAccount, accountColumns } from "../core/accounts.js";
import type { AuthContext } from "../core/context.js";

/**
 * The columns of an {@link AuthAccount} for explicit selects: every public column, and `hasPassword`
 * computed in SQL, so the password hash is never read into memory.
 * @internal
 */
export function publicAccountColumns(ctx: AuthContext) {
  const a = ctx.t.accounts;
  const { password: _hash, ...columns } = accountColumns(ctx);
  return {
    ...columns,
    // Drivers return a boolean; the "t" case covers text-mode protocols.
    hasPassword: sql<boolean>`(${a.password} is not null)`.mapWith((v: unknown) => v === true || v === "t"),
  };
}

/** Copies the public fields of a row selected with {@link publicAccountColumns} (drops anything else). @internal */
export function toPublicAccount(row: AuthAccount): AuthAccount {
  return {
    id: row.id,
    userId: row.userId,
    email: row.email,
    verified: row.verified,
    status: row.status,
    rolemask: row.rolemask,
    lastLogin: row.lastLogin,
    forceLogout: row.forceLogout,
    resettable: row.resettable,
    registered: row.registered,
    hasPassword: row.hasPassword,
  };
}
