import type { AuthTables } from "../../schema/create-auth-schema.js";
import { type AuthConfig, type ResolvedAuthConfig, resolveAuthConfig } from "../config.js";
import { createPasswordHasher, type PasswordHasher } from "../crypto/password-hasher.js";
import { type InvalidationHub, startInvalidationHub } from "../invalidation/hub.js";
import { resolveInvalidation } from "../invalidation/options.js";
import { type AnyPgDatabase, toDrizzleDatabase } from "../primitives/database.js";
import type { SessionCache } from "../session-cache/cache.js";
import { resolveSessionCache } from "../session-cache/options.js";
import { createSessionCache } from "../session-cache/coherence.js";

/**
 * What every service receives: the database (or a transaction), the tables, the resolved config,
 * the clock and the password hasher. Built once per config object.
 */
export interface AuthContext {
  db: AnyPgDatabase;
  t: AuthTables;
  config: ResolvedAuthConfig;
  hasher: PasswordHasher;
  now(): Date;
  /** LISTEN/NOTIFY invalidation, present when `invalidation.listen` is on. */
  invalidation?: InvalidationHub | undefined;
  /** The session cache, present when it is on (`sessionCache`). */
  sessionCache?: SessionCache | undefined;
}

/** Who caused a write and from where; recorded in the audit log. */
export interface RequestInfo {
  ip?: string | null;
  userAgent?: string | null;
  /** The account acting on behalf of another (admin, impersonation). */
  actorAccountId?: number | null;
}

const contexts = new WeakMap<AuthConfig, Promise<AuthContext>>();

/**
 * Returns the (cached) context of a config. The first call validates the config, wraps a raw client and,
 * when `invalidation.listen` is on, starts the invalidation listener in the background (one connection,
 * held until {@link closeAuth}).
 * @throws {AuthConfigError} INVALID_CONFIG, synchronously
 */
export function getAuthContext(config: AuthConfig): Promise<AuthContext> {
  let ctx = contexts.get(config);
  if (!ctx) {
    const resolved = resolveAuthConfig(config);
    const invalidation = resolveInvalidation(resolved.source.invalidation, resolved.tables);
    const cacheOptions = resolveSessionCache(resolved.source.sessionCache, invalidation !== null);
    const hasher = createPasswordHasher(resolved.passwordHashing);
    ctx = toDrizzleDatabase(resolved.db).then((db) => {
      const hub =
        invalidation &&
        startInvalidationHub({ db, channel: invalidation.channel, now: resolved.now, resyncMs: resolved.resyncMs });
      return {
        db,
        t: resolved.tables,
        config: resolved,
        hasher,
        now: resolved.now,
        ...(hub && { invalidation: hub }),
        ...(cacheOptions && { sessionCache: createSessionCache(cacheOptions, hub || null, resolved.now) }),
      };
    });
    ctx.catch(() => contexts.delete(config));
    contexts.set(config, ctx);
  }
  return ctx;
}

/**
 * Releases what the context of a config holds open: the invalidation listener and its connection, and
 * the background retries of provider discovery. Call
 * it on shutdown (before ending your database pool) and in tests. The context stays usable afterwards:
 * writes still send NOTIFY, and sessions are re-read every `resyncInterval`. It does not close the
 * database you passed in. Resolves at once for a config never used.
 * @example process.on("SIGTERM", async () => { server.close(); await closeAuth(authConfig); await pool.end() })
 */
export async function closeAuth(config: AuthConfig): Promise<void> {
  const ctx = await contexts.get(config)?.catch(() => undefined);
  ctx?.config.providers.close();
  await ctx?.invalidation?.close();
}

/** The same context bound to a transaction. */
export function withTransaction(ctx: AuthContext, tx: AnyPgDatabase): AuthContext {
  return { ...ctx, db: tx };
}

/** `now + ms` on the context's clock. */
export function later(ctx: AuthContext, ms: number): Date {
  return new Date(ctx.now().getTime() + ms);
}
