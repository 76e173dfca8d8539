import { join } from "node:path";

/** Where the PGlite template dump is written by the global setup. */
export const TEMPLATE_DUMP = join(
  process.cwd(),
  "node_modules",
  ".cache",
  "express-drizzle-auth",
  "pglite-template.tar",
);

/** The migrated template database on the PostgreSQL server. */
export const TEMPLATE_DATABASE = "eda_test_template";

/** The same connection URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
