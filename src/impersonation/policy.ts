/**
 * Who may impersonate whom, in two steps: the actor-level permission, which needs no target and so can
 * refuse before anything about the target is revealed, and the per-target checks.
 */
import type { AccountRecord, AuthAccount } from "../primitives/account.js";
import { AuthStatus } from "../primitives/status.js";
import { type ResolvedImpersonation, hasLowerPrivilege } from "./options.js";

/** The account as the policy hooks see it: without the password hash. */
function strip({ password: _p, ...rest }: AccountRecord): AuthAccount {
  return rest;
}

/** Runs an app hook: only `true` allows; a throw or a rejection refuses as `policy_error` (fail closed). */
async function ask(hook: () => unknown): Promise<string | null> {
  try {
    return (await hook()) === true ? null : "denied";
  } catch {
    return "policy_error";
  }
}

/**
 * The actor-level permission: a `canImpersonate` policy exists, the actor holds a role (with
 * `requireLowerPrivilege` a role-less actor outranks nobody), and `mayImpersonate`, when set, allows.
 * Returns null when the actor passes, else the refusal reason for the audit row.
 */
export async function actorRefusal(options: ResolvedImpersonation, actor: AccountRecord): Promise<string | null> {
  if (!options.canImpersonate) return "denied";
  if (options.requireLowerPrivilege && actor.rolemask === 0) return "privilege";
  const may = options.mayImpersonate;
  return may ? ask(() => may(strip(actor))) : null;
}

/**
 * The per-target checks, after {@link actorRefusal} passed: never oneself, a Normal target, strictly
 * fewer roles (with `requireLowerPrivilege`), and `canImpersonate(actor, target)` returning `true`.
 * Returns null when allowed, else the refusal reason.
 */
export async function targetRefusal(
  options: ResolvedImpersonation,
  actor: AccountRecord,
  target: AccountRecord,
): Promise<string | null> {
  if (target.id === actor.id) return "self_impersonation";
  if (target.status !== AuthStatus.Normal) return "target_inactive";
  if (options.requireLowerPrivilege && !hasLowerPrivilege(actor.rolemask, target.rolemask)) return "privilege";
  const can = options.canImpersonate;
  return can ? ask(() => can(strip(actor), strip(target))) : "denied";
}
