import { inArray, lt } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { AuthConfig } from "../config.js";
import { deleteExpiredActivity } from "./activity-retention.js";
import { type AuthContext, getAuthContext } from "./context.js";

const BATCH = 5000;

async function deleteExpired(ctx: AuthContext, table: PgTable, key: PgColumn, expires: PgColumn): Promise<number> {
  let total = 0;
  for (;;) {
    // Bounded batches keep each lock short even with millions of expired rows.
    const batch = ctx.db.select({ k: key }).from(table).where(lt(expires, ctx.now())).limit(BATCH);
    const deleted = await ctx.db.delete(table).where(inArray(key, batch)).returning({ k: key });
    total += deleted.length;
    if (deleted.length < BATCH) return total;
  }
}

/** How many expired rows {@link cleanupExpiredTokens} deleted, per table. */
export interface CleanupResult {
  confirmations: number;
  remembers: number;
  resets: number;
  twoFactorTokens: number;
  sessions: number;
  rateLimits: number;
  /** Single-use markers (`used_nonces`, e.g. claimed OAuth states) past their expiry. */
  usedNonces: number;
  /** Audit rows beyond `activityLog.maxEntries` or older than `activityLog.retention`. */
  activityLog: number;
}

/**
 * Deletes expired tokens, sessions, limiter rows and single-use markers, and prunes the audit log to its
 * retention policy (see {@link pruneActivityLog}), all in bounded batches. Run it on a schedule.
 */
export async function cleanupExpiredTokens(config: AuthConfig): Promise<CleanupResult> {
  const ctx = await getAuthContext(config);
  const t = ctx.t;
  return {
    confirmations: await deleteExpired(ctx, t.confirmations, t.confirmations.id, t.confirmations.expires),
    remembers: await deleteExpired(ctx, t.remembers, t.remembers.id, t.remembers.expires),
    resets: await deleteExpired(ctx, t.resets, t.resets.id, t.resets.expires),
    twoFactorTokens: await deleteExpired(ctx, t.twoFactorTokens, t.twoFactorTokens.id, t.twoFactorTokens.expiresAt),
    sessions: await deleteExpired(ctx, t.sessions, t.sessions.id, t.sessions.expires),
    rateLimits: await deleteExpired(ctx, t.rateLimits, t.rateLimits.key, t.rateLimits.resetAt),
    usedNonces: await deleteExpired(ctx, t.usedNonces, t.usedNonces.key, t.usedNonces.expiresAt),
    activityLog: await deleteExpiredActivity(ctx),
  };
}

/**
 * Prunes the audit log: keeps the newest `activityLog.maxEntries` rows (default 10000; `false` keeps all)
 * and, when `activityLog.retention` is set (e.g. `"90d"`), deletes rows older than that. Deletes in batches
 * of 5000 rows. Returns how many rows were deleted. {@link cleanupExpiredTokens} calls it too.
 * @throws {AuthConfigError} INVALID_CONFIG when the policy is malformed
 */
export async function pruneActivityLog(config: AuthConfig): Promise<number> {
  return deleteExpiredActivity(await getAuthContext(config));
}

/** Row counts of the auth tables, as returned by {@link getAuthTableStats}. */
export interface AuthTableStats {
  accounts: number;
  providers: number;
  confirmations: number;
  remembers: number;
  resets: number;
  sessions: number;
  twoFactorMethods: number;
  twoFactorTokens: number;
  expiredConfirmations: number;
  expiredRemembers: number;
  expiredResets: number;
  expiredTwoFactorTokens: number;
  expiredSessions: number;
}

/** Counts the rows of every auth table, and the expired ones awaiting cleanup. */
export async function getAuthTableStats(config: AuthConfig): Promise<AuthTableStats> {
  const ctx = await getAuthContext(config);
  const t = ctx.t;
  const now = ctx.now();
  const n = (table: PgTable, where?: ReturnType<typeof lt>) => ctx.db.$count(table, where).then(Number);
  const [accounts, providers, confirmations, remembers, resets, sessions, twoFactorMethods, twoFactorTokens] =
    await Promise.all(
      [
        t.accounts,
        t.providers,
        t.confirmations,
        t.remembers,
        t.resets,
        t.sessions,
        t.twoFactorMethods,
        t.twoFactorTokens,
      ].map((x) => n(x)),
    );
  const [expiredConfirmations, expiredRemembers, expiredResets, expiredTwoFactorTokens, expiredSessions] =
    await Promise.all([
      n(t.confirmations, lt(t.confirmations.expires, now)),
      n(t.remembers, lt(t.remembers.expires, now)),
      n(t.resets, lt(t.resets.expires, now)),
      n(t.twoFactorTokens, lt(t.twoFactorTokens.expiresAt, now)),
      n(t.sessions, lt(t.sessions.expires, now)),
    ]);
  return {
    accounts: accounts!,
    providers: providers!,
    confirmations: confirmations!,
    remembers: remembers!,
    resets: resets!,
    sessions: sessions!,
    twoFactorMethods: twoFactorMethods!,
    twoFactorTokens: twoFactorTokens!,
    expiredConfirmations,
    expiredRemembers,
    expiredResets,
    expiredTwoFactorTokens,
    expiredSessions,
  };
}
