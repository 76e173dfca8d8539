import { accountsTable } from "./accounts.js";
import { activityLogTable } from "./activity-log.js";
import { providersTable } from "./providers.js";
import { rateLimitsTable } from "./rate-limits.js";
import { remembersTable, sessionsTable } from "./sessions.js";
import { type AuthSchemaOptions, resolveTableFactory } from "./table-factory.js";
import { confirmationsTable, resetsTable } from "./tokens.js";
import { twoFactorBackupCodesTable, twoFactorMethodsTable, twoFactorTokensTable } from "./two-factor.js";
import { usedNoncesTable } from "./used-nonces.js";

/**
 * Builds every auth table for a prefix and, optionally, a Postgres schema.
 *
 * drizzle-kit only sees top-level exports, so destructure the result in your schema file:
 * @example
 * export const { accounts, sessions, remembers, confirmations, resets, providers, activityLog,
 *   twoFactorMethods, twoFactorBackupCodes, twoFactorTokens, rateLimits, usedNonces } =
 *   createAuthSchema({ prefix: "myauth_" })
 */
export function createAuthSchema(options: AuthSchemaOptions = {}) {
  const { prefix: p, table } = resolveTableFactory(options);
  const accounts = accountsTable(table, p);
  return {
    accounts,
    sessions: sessionsTable(table, p, accounts),
    remembers: remembersTable(table, p, accounts),
    confirmations: confirmationsTable(table, p, accounts),
    resets: resetsTable(table, p, accounts),
    providers: providersTable(table, p, accounts),
    activityLog: activityLogTable(table, p, accounts),
    twoFactorMethods: twoFactorMethodsTable(table, p, accounts),
    twoFactorBackupCodes: twoFactorBackupCodesTable(table, p, accounts),
    twoFactorTokens: twoFactorTokensTable(table, p, accounts),
    rateLimits: rateLimitsTable(table, p),
    usedNonces: usedNoncesTable(table, p),
  };
}

/** Every table the library owns, as returned by {@link createAuthSchema}. */
export type AuthTables = ReturnType<typeof createAuthSchema>;
