import { eq, sql } from "drizzle-orm";
import { AuthStatus } from "../core/status.js";
import { wasInvalidatedSince } from "../invalidation/notify.js";
import { withSpan } from "../tracing/tracer.js";
import type { AuthScope } from "./scope.js";
import { endSession } from "./sign-in.js";
import { resyncImpersonation } from "./impersonation-resync.js";
import { endImpersonatedSession } from "./impersonation.js";

/**
 * Keeps a signed-in session in step with its account. A session older than `sessionLifetime` ends
 * (no database access needed). At most once per `resyncInterval` (or when forced, or when this instance
 * received an invalidation of the account since the session's last resync) it re-reads the account and
 * ends the session when the account is gone, not Normal, or its `force_logout` counter moved past the
 * session's; otherwise it refreshes the cached fields.
 */
export async function resyncSession(scope: AuthScope, force = false): Promise<void> {
  const auth = scope.req.session?.auth;
  if (!auth?.loggedIn) return;
  if (auth.shouldForceLogout) return endSession(scope);
  const now = scope.ctx.now().getTime();
  const lifetime = scope.ctx.config.sessionLifetimeMs;
  if (lifetime !== null && now - (auth.startedAt ?? auth.lastRememberCheck) >= lifetime)
    return auth.actor ? endImpersonatedSession(scope, "session_expired") : endSession(scope);
  if (auth.actor) {
    const { ctx } = scope;
    const invalidated =
      wasInvalidatedSince(ctx, auth.actor.accountId, auth.lastResync) ||
      wasInvalidatedSince(ctx, auth.accountId, auth.lastResync);
    return resyncImpersonation(scope, auth, force || invalidated);
  }
  if (
    !force &&
    now - auth.lastResync < scope.ctx.config.resyncMs &&
    !wasInvalidatedSince(scope.ctx, auth.accountId, auth.lastResync)
  )
    return;
  const a = scope.ctx.t.accounts;
  const [row] = await withSpan(scope.ctx, "auth.session.resync", {}, async () =>
    scope.ctx.db
      .select({
        email: a.email,
        status: a.status,
        rolemask: a.rolemask,
        verified: a.verified,
        forceLogout: a.forceLogout,
        hasPassword: sql<boolean>`${a.password} is not null`,
      })
      .from(a)
      .where(eq(a.id, auth.accountId))
      .limit(1),
  );
  if (!row || row.forceLogout > auth.forceLogout || row.status !== AuthStatus.Normal) return endSession(scope);
  Object.assign(auth, {
    email: row.email,
    status: row.status,
    rolemask: row.rolemask,
    verified: row.verified,
    hasPassword: row.hasPassword === true || (row.hasPassword as unknown) === "t",
    lastResync: now,
  });
}
