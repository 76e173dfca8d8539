import type { AuthTables } from "../../schema/create-auth-schema.js";
import { type AuthConfig, type ResolvedAuthConfig, resolveAuthConfig } from "../config.js";
import { createPasswordHasher, type PasswordHasher } from "../crypto/password-hasher.js";
import { type AnyPgDatabase, toDrizzleDatabase } from "./database.js";

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
}

/** Who caused a write and from where; recorded in the audit log. */
export interface RequestInfo {
  ip?: string | null;
  userAgent?: string | null;
  /** The account acting on behalf of another (admin, impersonation). */
  actorAccountId?: number | null;
}

const contexts = new WeakMap<AuthConfig, Promise<AuthContext>>();

/** Returns the (cached) context of a config. The first call validates the config and wraps a raw client. */
export function getAuthContext(config: AuthConfig): Promise<AuthContext> {
  let ctx = contexts.get(config);
  if (!ctx) {
    const resolved = resolveAuthConfig(config);
    const hasher = createPasswordHasher(resolved.passwordHashing);
    ctx = toDrizzleDatabase(resolved.db).then((db) => ({
      db,
      t: resolved.tables,
      config: resolved,
      hasher,
      now: resolved.now,
    }));
    ctx.catch(() => contexts.delete(config));
    contexts.set(config, ctx);
  }
  return ctx;
}

/** The same context bound to a transaction. */
export function withTransaction(ctx: AuthContext, tx: AnyPgDatabase): AuthContext {
  return { ...ctx, db: tx };
}

/** `now + ms` on the context's clock. */
export function later(ctx: AuthContext, ms: number): Date {
  return new Date(ctx.now().getTime() + ms);
}
