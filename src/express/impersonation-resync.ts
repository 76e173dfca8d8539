import { inArray, sql } from "drizzle-orm";
import { AuthStatus } from "../core/status.js";
import { hasLowerPrivilege } from "../impersonation/options.js";
import { withSpan } from "../tracing/tracer.js";
import type { AuthSession } from "./auth-session.js";
import { endImpersonatedSession, stopImpersonation } from "./impersonation.js";
import type { AuthScope } from "./scope.js";

/**
 * The resync of an impersonating session. Expiry needs no database access and is checked on every
 * request. Otherwise, at most once per `resyncInterval` (or when forced or invalidated), the actor and
 * the target are read in one statement: an actor gone, not Normal or force-logged-out ends the whole
 * session; a demoted actor, or a target gone or not Normal, ends the impersonation (back to the actor);
 * the target's own force-logout is ignored while impersonated.
 */
export async function resyncImpersonation(scope: AuthScope, auth: AuthSession, force: boolean): Promise<void> {
  const actor = auth.actor!;
  const { ctx } = scope;
  const now = ctx.now().getTime();
  if (now >= actor.expiresAt) return stopImpersonation(scope, "expired");
  if (!force && now - auth.lastResync < ctx.config.resyncMs) return;
  const a = ctx.t.accounts;
  const rows = await withSpan(ctx, "auth.session.resync", { "auth.impersonating": true }, async () =>
    ctx.db
      .select({
        id: a.id,
        email: a.email,
        status: a.status,
        rolemask: a.rolemask,
        verified: a.verified,
        forceLogout: a.forceLogout,
        hasPassword: sql<boolean>`${a.password} is not null`,
      })
      .from(a)
      .where(inArray(a.id, [actor.accountId, auth.accountId])),
  );
  const actorRow = rows.find((r) => r.id === actor.accountId);
  const target = rows.find((r) => r.id === auth.accountId);
  if (!actorRow || actorRow.status !== AuthStatus.Normal || actorRow.forceLogout > actor.forceLogout)
    return endImpersonatedSession(scope, "actor_inactive");
  if (!target) return stopImpersonation(scope, "target_gone");
  if (target.status !== AuthStatus.Normal) return stopImpersonation(scope, "target_inactive");
  if (ctx.config.impersonation.requireLowerPrivilege && !hasLowerPrivilege(actorRow.rolemask, target.rolemask))
    return stopImpersonation(scope, "actor_demoted");
  Object.assign(auth, {
    email: target.email,
    status: target.status,
    rolemask: target.rolemask,
    verified: target.verified,
    hasPassword: target.hasPassword === true || (target.hasPassword as unknown) === "t",
    lastResync: now,
  });
}
