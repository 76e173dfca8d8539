/**
 * Audited impersonation: an actor's session becomes the target's for a capped time, and returns to the
 * actor's own session at stop or expiry, after the actor is checked again.
 */
import { type AccountIdentifier, type AccountRecord, findAccount, requireAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { durationArg } from "../core/input.js";
import {
  AlreadyImpersonatingError,
  ImpersonationDisabledError,
  ImpersonationNotAllowedError,
  InvalidInputError,
  NotImpersonatingError,
  UserInactiveError,
  UserNotFoundError,
  UserNotLoggedInError,
} from "../errors.js";
import { actorRefusal, targetRefusal } from "../impersonation/policy.js";
import { type AuthSession, type ImpersonationActor, impersonationOf, loggedInSession } from "../sessions/state.js";
import { accountAllowsSession } from "../sessions/validity.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { auditImpersonationEnd, endSession, replaceSession } from "./session-writer.js";

/** Why an impersonation ended (stored in the audit row). */
export type ImpersonationEnd =
  | "manual"
  | "logout"
  | "expired"
  | "target_gone"
  | "target_inactive"
  | "actor_demoted"
  | "actor_inactive"
  | "session_expired"
  | "signin";

/** One side of an impersonation, as `getImpersonationInfo()` describes it. */
export interface ImpersonationParty {
  accountId: number;
  userId: string;
  email: string;
  rolemask: number;
}

/** What `getImpersonationInfo()` returns (@prsm/auth's shape): enough for a banner, nothing secret. */
export interface ImpersonationInfo {
  actor: ImpersonationParty;
  /** The account the session currently acts as. */
  target: ImpersonationParty;
  reason: string | null;
  startedAt: Date;
  expiresAt: Date;
}

const MAX_REASON = 500;

/** Refuses a sensitive operation while impersonating (password, email, factors, sessions, admin actions). */
export function assertNotImpersonating(scope: AuthScope): void {
  if (impersonationOf(scope.req.session?.auth))
    throw new ImpersonationNotAllowedError("This operation is not allowed while impersonating");
}

/** Audits a refused start (`impersonation_rejected`) and returns the error to throw. */
async function reject(
  scope: AuthScope,
  actor: AccountRecord,
  reason: string,
  targetAccountId: number | null,
  error: Error = new ImpersonationNotAllowedError(),
): Promise<Error> {
  await logActivity(scope.ctx, {
    accountId: actor.id,
    action: AuthActivityAction.ImpersonationRejected,
    success: false,
    metadata: { reason, targetAccountId },
    request: requestInfo(scope.req, actor.id),
  });
  return error;
}

/**
 * Starts impersonating `identifier`. The actor must be signed in, Normal and not impersonating, and pass
 * the actor-level permission (a policy, a role, `mayImpersonate`); the target must be another Normal
 * account with fewer roles (unless `requireLowerPrivilege: false`) that `canImpersonate` allows. The
 * session moves to a new id; the TTL is capped by `maxTtl`. The target is looked up for every request,
 * but an actor refused at the actor level gets {@link ImpersonationNotAllowedError} whether or not it
 * exists. An unknown target is {@link UserNotFoundError} (as in @prsm/auth) once the actor passed the
 * actor-level permission, audited as `target_not_found`.
 * @throws {UserNotLoggedInError} | {ImpersonationDisabledError} | {AlreadyImpersonatingError} |
 * {ImpersonationNotAllowedError} | {UserNotFoundError} | {UserInactiveError} | {InvalidInputError}
 */
export async function startImpersonation(
  scope: AuthScope,
  identifier: AccountIdentifier,
  options: { reason?: unknown; ttl?: unknown } = {},
): Promise<void> {
  const auth = scope.req.session?.auth;
  if (!auth?.loggedIn) throw new UserNotLoggedInError();
  const config = scope.ctx.config.impersonation;
  if (!config.enabled) throw new ImpersonationDisabledError();
  if (auth.actor) throw new AlreadyImpersonatingError();
  if (typeof options !== "object" || options === null) throw new InvalidInputError("options");
  const reason = options.reason === undefined || options.reason === null ? null : options.reason;
  if (reason !== null && (typeof reason !== "string" || reason.length > MAX_REASON))
    throw new InvalidInputError("reason", `reason must be a string of at most ${MAX_REASON} characters`);
  const requested = durationArg(options.ttl, "ttl");
  const actor = await requireAccount(scope.ctx, { accountId: auth.accountId });
  if (!accountAllowsSession(actor, auth.forceLogout)) {
    await endSession(scope);
    throw new UserInactiveError();
  }
  // Looked up before the actor-level verdict, so a refused actor costs the same work either way.
  const target = await findAccount(scope.ctx, identifier);
  const notPermitted = await actorRefusal(config, actor);
  if (notPermitted) throw await reject(scope, actor, notPermitted, target?.id ?? null);
  // Only an actor past the actor-level permission learns that the target does not exist.
  if (!target) throw await reject(scope, actor, "target_not_found", null, new UserNotFoundError());
  const refused = await targetRefusal(config, actor, target);
  if (refused) throw await reject(scope, actor, refused, target.id);
  const now = scope.ctx.now().getTime();
  const expiresAt = now + Math.min(requested ?? config.defaultTtlMs, config.maxTtlMs);
  const snapshot: ImpersonationActor = {
    accountId: actor.id,
    userId: actor.userId,
    email: actor.email,
    rolemask: actor.rolemask,
    forceLogout: actor.forceLogout,
    reason,
    startedAt: now,
    expiresAt,
    sessionStartedAt: auth.startedAt,
    authenticatedAt: auth.authenticatedAt,
    remembered: auth.remembered,
  };
  await logActivity(scope.ctx, {
    accountId: target.id,
    action: AuthActivityAction.ImpersonationStarted,
    metadata: { targetAccountId: target.id, reason, expiresAt: new Date(expiresAt).toISOString() },
    request: requestInfo(scope.req, actor.id),
  });
  const info = requestInfo(scope.req);
  await replaceSession(scope, {
    ...loggedInSession(target, now, {
      remembered: false,
      ipAddress: info.ip ?? null,
      userAgent: info.userAgent ?? null,
    }),
    startedAt: auth.startedAt,
    authenticatedAt: 0,
    actor: snapshot,
  });
}

/**
 * Ends the impersonation and returns to the actor's own session (new session id), after checking the
 * actor again: an actor deleted, not Normal, or force-logged-out meanwhile is signed out instead.
 * The actor's remember-me tokens are never touched.
 */
export async function stopImpersonation(scope: AuthScope, cause: ImpersonationEnd = "manual"): Promise<void> {
  const auth = scope.req.session?.auth;
  const actor = impersonationOf(auth);
  if (!auth || !actor) throw new NotImpersonatingError();
  await logActivity(scope.ctx, {
    accountId: cause === "target_gone" ? null : auth.accountId,
    action: cause === "expired" ? AuthActivityAction.ImpersonationExpired : AuthActivityAction.ImpersonationStopped,
    metadata: { targetAccountId: auth.accountId, cause, startedAt: new Date(actor.startedAt).toISOString() },
    request: requestInfo(scope.req, actor.accountId),
  });
  const account = await findAccount(scope.ctx, { accountId: actor.accountId });
  // The stop row above already records the end; the actor lost access meanwhile: no session at all.
  if (!accountAllowsSession(account, actor.forceLogout)) return endSession(scope);
  const now = scope.ctx.now().getTime();
  const info = requestInfo(scope.req);
  await replaceSession(scope, {
    ...loggedInSession(account, now, {
      remembered: actor.remembered,
      ipAddress: info.ip ?? null,
      userAgent: info.userAgent ?? null,
    }),
    startedAt: actor.sessionStartedAt,
    authenticatedAt: actor.authenticatedAt,
  });
}

/**
 * Ends an impersonating session entirely (the actor lost access, or the session outlived its lifetime),
 * writing the `impersonation_stopped` row first so every start has an end in the audit log.
 */
export async function endImpersonatedSession(
  scope: AuthScope,
  cause: "actor_inactive" | "session_expired",
): Promise<void> {
  await auditImpersonationEnd(scope, cause);
  await endSession(scope);
}

/** The banner facts of the current impersonation, or null. */
export function impersonationInfo(auth: AuthSession | undefined): ImpersonationInfo | null {
  const actor = impersonationOf(auth);
  if (!auth || !actor) return null;
  return {
    actor: { accountId: actor.accountId, userId: actor.userId ?? "", email: actor.email, rolemask: actor.rolemask },
    target: { accountId: auth.accountId, userId: auth.userId, email: auth.email, rolemask: auth.rolemask },
    reason: actor.reason,
    startedAt: new Date(actor.startedAt),
    expiresAt: new Date(actor.expiresAt),
  };
}
