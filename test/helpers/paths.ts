import { join } from "node:path";

/** Where the PGlite template dump of one test run is written by the global setup. */
export function templateDumpPath(runId: string): string {
  return join(process.cwd(), "node_modules", ".cache", "express-drizzle-auth", `pglite-template-${runId}.tar`);
}

/** Every database a test run creates on the server starts with this, so teardown can find them all. */
export function runDatabasePrefix(runId: string): string {
  return `eda_test_${runId}`;
}

/** The migrated template database of one test run. */
export function templateDatabase(runId: string): string {
  return `${runDatabasePrefix(runId)}_tpl`;
}

/** The same connection URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
