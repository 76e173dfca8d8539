import type { AuthContext } from "../core/context.js";
import { wasInvalidatedSince } from "../invalidation/notify.js";
import { withSpan } from "../tracing/tracer.js";
import { readAccountStates } from "./account-state.js";
import { type AccountState, type SessionValidity, type ValidityInput, decideSession } from "./validity.js";

/** A final answer of the validity decision: never `read`. */
export type FinalValidity = Exclude<SessionValidity, { kind: "read" }>;

/** The validity inputs of a stored auth state on this context, before any account is read. */
export function validityInput(ctx: AuthContext, auth: unknown, force = false): ValidityInput {
  return {
    auth,
    now: ctx.now().getTime(),
    rules: {
      sessionLifetimeMs: ctx.config.sessionLifetimeMs,
      resyncMs: ctx.config.resyncMs,
      requireLowerPrivilege: ctx.config.impersonation.requireLowerPrivilege,
    },
    invalidatedSince: (accountId, since) => wasInvalidatedSince(ctx, accountId, since),
    force,
  };
}

/** Options of {@link checkSession}. */
export interface CheckOptions {
  /** Re-read the accounts whatever `resyncInterval` says. */
  force?: boolean;
  /** Accounts already read with the session (a join); used when they cover every account the state names. */
  known?: ReadonlyMap<number, AccountState> | undefined;
}

/**
 * Runs the validity decision to its end for a stored auth state: no query while the stored fields are
 * fresh, else one statement reading the session's account (and the actor while impersonating), unless
 * `known` already holds them.
 */
export async function checkSession(ctx: AuthContext, auth: unknown, options: CheckOptions = {}): Promise<FinalValidity> {
  const input = validityInput(ctx, auth, options.force);
  const first = decideSession(input);
  if (first.kind !== "read") return first;
  const known = options.known;
  if (known && first.accountIds.every((id) => known.has(id))) return decideSession({ ...input, accounts: known }) as FinalValidity;
  const accounts = await withSpan(ctx, "auth.session.resync", { "auth.impersonating": !!first.auth.actor }, () =>
    readAccountStates(ctx, first.accountIds),
  );
  return decideSession({ ...input, accounts }) as FinalValidity;
}
