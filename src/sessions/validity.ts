/**
 * The one decision on whether a stored session is still signed in. Every reader of a session (the
 * middleware's resync, `getSession`, `authenticateRequest`, the REST router) asks this function and
 * acts on its answer; no other code reads `req.session.auth` fields to decide validity.
 *
 * It is pure: the stored state, the accounts as read now (or "not read"), the clock, the config's
 * rules and the invalidations this instance received are all inputs.
 */
import { hasLowerPrivilege } from "../impersonation/options.js";
import { AuthStatus } from "../primitives/status.js";
import type { AuthSession } from "./state.js";
import { readAuthState } from "./state-reader.js";

/** The account fields a session carries and the decision compares, as read from `accounts`. */
export interface AccountState {
  id: number;
  email: string;
  status: number;
  rolemask: number;
  verified: boolean;
  forceLogout: number;
  hasPassword: boolean;
  /** Display name and avatar of the most recently updated provider identity, if any. */
  name: string | null;
  image: string | null;
}

/** The config rules the decision applies. */
export interface ValidityRules {
  /** Absolute lifetime of a signed-in session, or null for none. */
  sessionLifetimeMs: number | null;
  /** How long account fields may be served without re-reading the account. */
  resyncMs: number;
  /** Impersonation: the target's roles must stay a strict subset of the actor's. */
  requireLowerPrivilege: boolean;
}

/** Everything the decision looks at. */
export interface ValidityInput {
  /** `req.session.auth` as stored: anything, including garbage from a corrupt row. */
  auth: unknown;
  /** The accounts read for this decision, by id (a missing id is an account that is gone); omitted: not read. */
  accounts?: ReadonlyMap<number, AccountState> | undefined;
  /** Now, epoch ms on the auth clock. */
  now: number;
  rules: ValidityRules;
  /** True when this instance received an invalidation of the account at or after `since`. */
  invalidatedSince(accountId: number, since: number): boolean;
  /** Re-read the accounts whatever the interval says (after a sign-in method changed, say). */
  force?: boolean;
}

/** Why a whole session ended. */
export type SessionEndReason =
  | "malformed"
  | "force_logout_flag"
  | "lifetime"
  | "account_gone"
  | "account_inactive"
  | "force_logout"
  | "actor_inactive";

/** Why an impersonation ended while the actor's own session goes on. */
export type ImpersonationEndReason = "expired" | "target_gone" | "target_inactive" | "actor_demoted";

/** The answer. */
export type SessionValidity =
  /** No signed-in state (never signed in, or waiting for a second factor). */
  | { kind: "anonymous" }
  /** Signed in; serve the stored fields as they are. */
  | { kind: "valid"; auth: AuthSession }
  /** The accounts must be read before deciding: call again with `accounts`. */
  | { kind: "read"; auth: AuthSession; accountIds: number[] }
  /** Signed in; copy `fields` into the stored state (they came from the accounts just read). */
  | { kind: "refresh"; auth: AuthSession; fields: Partial<AuthSession> }
  /** The session is over. */
  | { kind: "ended"; reason: SessionEndReason; auth: AuthSession | null }
  /** The impersonation is over; the actor's own session resumes. */
  | { kind: "impersonation_ended"; reason: ImpersonationEndReason; auth: AuthSession };

/**
 * The account rule every signed-in session obeys: its account still exists, is `Normal`, and its
 * `force_logout` counter has not moved past the one the session began with. Also used where a
 * session is rebuilt for an account (impersonation start and stop).
 */
export function accountAllowsSession<T extends { status: number; forceLogout: number }>(
  row: T | null | undefined,
  sessionForceLogout: number,
): row is T {
  return !!row && row.status === AuthStatus.Normal && row.forceLogout <= sessionForceLogout;
}

function due(input: ValidityInput, auth: AuthSession, ids: number[]): boolean {
  if (input.force) return true;
  if (input.now - auth.lastResync >= input.rules.resyncMs) return true;
  return ids.some((id) => input.invalidatedSince(id, auth.lastResync));
}

function fieldsOf(row: AccountState, now: number): Partial<AuthSession> {
  return {
    email: row.email,
    status: row.status,
    rolemask: row.rolemask,
    verified: row.verified,
    hasPassword: row.hasPassword,
    name: row.name,
    image: row.image,
    lastResync: now,
  };
}

function decideImpersonation(input: ValidityInput, auth: AuthSession): SessionValidity {
  const actor = auth.actor!;
  if (input.now >= actor.expiresAt) return { kind: "impersonation_ended", reason: "expired", auth };
  const ids = [actor.accountId, auth.accountId];
  if (!input.accounts) return due(input, auth, ids) ? { kind: "read", auth, accountIds: ids } : { kind: "valid", auth };
  const actorRow = input.accounts.get(actor.accountId);
  if (!accountAllowsSession(actorRow, actor.forceLogout)) return { kind: "ended", reason: "actor_inactive", auth };
  const target = input.accounts.get(auth.accountId);
  if (!target) return { kind: "impersonation_ended", reason: "target_gone", auth };
  if (target.status !== AuthStatus.Normal) return { kind: "impersonation_ended", reason: "target_inactive", auth };
  if (input.rules.requireLowerPrivilege && !hasLowerPrivilege(actorRow.rolemask, target.rolemask))
    return { kind: "impersonation_ended", reason: "actor_demoted", auth };
  // The target's own force-logout does not end a session that belongs to the actor.
  return { kind: "refresh", auth, fields: fieldsOf(target, input.now) };
}

/**
 * Decides whether a stored session is signed in. Call it without `accounts` first: the answer is
 * `valid` (no query needed), `read` (read the listed accounts and call again with them), or final.
 * With `accounts`, the answer is `refresh`, `ended` or `impersonation_ended`.
 */
export function decideSession(input: ValidityInput): SessionValidity {
  const read = readAuthState(input.auth);
  if (read === null) return { kind: "anonymous" };
  if (read === "malformed") return { kind: "ended", reason: "malformed", auth: null };
  const auth = read;
  if (auth.shouldForceLogout) return { kind: "ended", reason: "force_logout_flag", auth };
  const lifetime = input.rules.sessionLifetimeMs;
  if (lifetime !== null && input.now - auth.startedAt >= lifetime) return { kind: "ended", reason: "lifetime", auth };
  if (auth.actor) return decideImpersonation(input, auth);
  if (!input.accounts)
    return due(input, auth, [auth.accountId])
      ? { kind: "read", auth, accountIds: [auth.accountId] }
      : { kind: "valid", auth };
  const row = input.accounts.get(auth.accountId);
  if (!row) return { kind: "ended", reason: "account_gone", auth };
  if (row.status !== AuthStatus.Normal) return { kind: "ended", reason: "account_inactive", auth };
  if (row.forceLogout > auth.forceLogout) return { kind: "ended", reason: "force_logout", auth };
  return { kind: "refresh", auth, fields: fieldsOf(row, input.now) };
}
