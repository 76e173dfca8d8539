import { type AnyPgColumn, foreignKey, pgSchema, pgTable } from "drizzle-orm/pg-core";

/** The table constructor every table group uses: `pgTable`, or `pgSchema(name).table` for a Postgres schema. */
export type TableFactory = typeof pgTable;

/** Options of {@link createAuthSchema}. */
export interface AuthSchemaOptions {
  /** Prefix of every table, index and constraint name. Lower-case letters, digits and `_`. @default "auth_" */
  prefix?: string;
  /** Postgres schema to create the tables in, instead of `public`. */
  pgSchema?: string;
}

/** The default table prefix. */
export const DEFAULT_PREFIX = "auth_";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,30}$/;

/**
 * Checks a prefix or schema name before it becomes part of an SQL identifier.
 * Only `^[a-z_][a-z0-9_]{0,30}$` passes, so no configuration value can inject SQL.
 */
export function assertIdentifier(value: string, option: string): void {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) {
    throw new TypeError(`${option} must match ${IDENTIFIER.source}, got ${JSON.stringify(value)}`);
  }
}

/** Resolves the prefix and the table constructor for a set of options. */
export function resolveTableFactory(options: AuthSchemaOptions): { prefix: string; table: TableFactory } {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertIdentifier(prefix, "prefix");
  // `public` is the default schema: tables there are plain `pgTable`s (drizzle refuses pgSchema("public")).
  if (options.pgSchema === undefined || options.pgSchema === "public") return { prefix, table: pgTable };
  assertIdentifier(options.pgSchema, "pgSchema");
  // Same shape as pgTable; only the schema type parameter differs.
  return { prefix, table: pgSchema(options.pgSchema).table as unknown as TableFactory };
}

/**
 * A foreign key to `accounts.id` with an explicit, prefixed constraint name, so drizzle-kit and
 * `createAuthTables` produce the same names for any prefix.
 */
export function accountForeignKey(
  name: string,
  column: AnyPgColumn,
  accounts: { id: AnyPgColumn },
  onDelete: "cascade" | "set null",
) {
  return foreignKey({ name, columns: [column], foreignColumns: [accounts.id] }).onDelete(onDelete);
}
