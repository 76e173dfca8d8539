import { type Column, type SQL, getTableName, sql } from "drizzle-orm";

/**
 * A column written as `"table"."column"` for raw SQL fragments.
 *
 * Drizzle strips the table name from columns that sit directly in a `sql` template used as a selected
 * field of a single-table query (it renders `"id"`, not `"auth_accounts"."id"`). Inside a subquery over
 * another table such a bare name binds to the inner table, so a correlated subquery silently stops
 * looking at the outer row. Every raw fragment that names a column of another table than the one it
 * reads from goes through this helper, so the name can never bind to the wrong table.
 */
export function qualified(column: Column): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}
