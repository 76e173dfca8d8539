import type { AuthAccount } from "../core/accounts.js";
import { type Duration, parseDuration } from "../core/duration.js";
import { AuthConfigError } from "../errors.js";

/** Impersonation settings (`config.impersonation`). Off unless `enabled` is exactly true. */
export interface ImpersonationOptions {
  /** Turns impersonation on. @default false */
  enabled?: boolean;
  /** Lifetime of an impersonation when `startImpersonation` gets no `ttl`. @default "30m" */
  defaultTtl?: Duration;
  /** Upper bound of any impersonation's lifetime. @default "1h" */
  maxTtl?: Duration;
  /**
   * The policy: may `actor` impersonate `target`? Required: without it every attempt is refused. A throw
   * refuses too (fail closed).
   */
  canImpersonate?: (actor: AuthAccount, target: AuthAccount) => boolean | Promise<boolean>;
  /**
   * Refuse targets whose roles are not a strict subset of the actor's (an admin cannot impersonate
   * another admin, nobody can impersonate someone with a role they lack). `false` leaves this to
   * `canImpersonate` alone. @default true
   */
  requireLowerPrivilege?: boolean;
}

/** The resolved settings. */
export interface ResolvedImpersonation {
  enabled: boolean;
  defaultTtlMs: number;
  maxTtlMs: number;
  canImpersonate: ImpersonationOptions["canImpersonate"] | null;
  requireLowerPrivilege: boolean;
}

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: impersonation${option ? `.${option}` : ""} must be ${expected}`);
}

function ttl(option: string, value: Duration | undefined, fallback: string): number {
  const ms = parseDuration(value ?? fallback);
  if (ms === null || ms <= 0) fail(option, 'a positive duration such as "30m"');
  return ms;
}

/** Validates `config.impersonation`. @throws {AuthConfigError} naming the option */
export function resolveImpersonation(options: ImpersonationOptions | undefined): ResolvedImpersonation {
  if (options !== undefined && (typeof options !== "object" || options === null)) fail("", "an object");
  const o = options ?? {};
  if (o.canImpersonate !== undefined && typeof o.canImpersonate !== "function") fail("canImpersonate", "a function");
  if (o.requireLowerPrivilege !== undefined && typeof o.requireLowerPrivilege !== "boolean")
    fail("requireLowerPrivilege", "a boolean");
  const maxTtlMs = ttl("maxTtl", o.maxTtl, "1h");
  const defaultTtlMs = Math.min(ttl("defaultTtl", o.defaultTtl, "30m"), maxTtlMs);
  return {
    enabled: o.enabled === true,
    defaultTtlMs,
    maxTtlMs,
    canImpersonate: o.canImpersonate ?? null,
    requireLowerPrivilege: o.requireLowerPrivilege !== false,
  };
}

/** True when `target`'s roles are a strict subset of `actor`'s. */
export function hasLowerPrivilege(actorMask: number, targetMask: number): boolean {
  return (targetMask & ~actorMask) === 0 && targetMask !== actorMask;
}
