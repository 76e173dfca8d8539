/**
 * The auth tables as Drizzle schema. Importing this entry never loads Express.
 *
 * `export * from "express-drizzle-auth/schema"` in your Drizzle schema file makes drizzle-kit generate the
 * default-prefix (`auth_`) tables alongside yours.
 */
import { createAuthSchema } from "./create-auth-schema.js";

export { createAuthSchema, type AuthTables } from "./create-auth-schema.js";
export { type AuthSchemaOptions, DEFAULT_PREFIX } from "./table-factory.js";

/** All default-prefix tables in one object, to spread into `drizzle({ schema: { ...authSchema } })`. */
export const authSchema = createAuthSchema();

/** `auth_accounts` */
export const authAccounts = authSchema.accounts;
/** `auth_sessions` */
export const authSessions = authSchema.sessions;
/** `auth_remembers` */
export const authRemembers = authSchema.remembers;
/** `auth_confirmations` */
export const authConfirmations = authSchema.confirmations;
/** `auth_resets` */
export const authResets = authSchema.resets;
/** `auth_providers` */
export const authProviders = authSchema.providers;
/** `auth_activity_log` */
export const authActivityLog = authSchema.activityLog;
/** `auth_2fa_methods` */
export const authTwoFactorMethods = authSchema.twoFactorMethods;
/** `auth_2fa_backup_codes` */
export const authTwoFactorBackupCodes = authSchema.twoFactorBackupCodes;
/** `auth_2fa_tokens` */
export const authTwoFactorTokens = authSchema.twoFactorTokens;
/** `auth_rate_limits` */
export const authRateLimits = authSchema.rateLimits;
/** `auth_used_nonces` */
export const authUsedNonces = authSchema.usedNonces;
