import type { AuthAccount } from "../primitives/account.js";
import { type Duration, parseDuration } from "../primitives/duration.js";
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
   * The actor-level permission, decided before the target is known: may `actor` impersonate anybody at
   * all? Only `true` allows; a throw refuses (fail closed). An actor it refuses gets
   * `ImpersonationNotAllowedError` whether or not the target exists. Past the actor-level permission
   * (a `canImpersonate` policy exists, the actor holds a role under `requireLowerPrivilege`, and this
   * hook allows when set), an unknown target is `UserNotFoundError` (404), as in @prsm/auth. Set it to
   * keep actors that `canImpersonate` would refuse anyway from learning which accounts exist.
   * `canImpersonate` still decides per target. @default none
   */
  mayImpersonate?: (actor: AuthAccount) => boolean | Promise<boolean>;
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
  mayImpersonate: ImpersonationOptions["mayImpersonate"] | null;
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
  if (o.mayImpersonate !== undefined && typeof o.mayImpersonate !== "function") fail("mayImpersonate", "a function");
  if (o.requireLowerPrivilege !== undefined && typeof o.requireLowerPrivilege !== "boolean")
    fail("requireLowerPrivilege", "a boolean");
  const maxTtlMs = ttl("maxTtl", o.maxTtl, "1h");
  const defaultTtlMs = Math.min(ttl("defaultTtl", o.defaultTtl, "30m"), maxTtlMs);
  return {
    enabled: o.enabled === true,
    defaultTtlMs,
    maxTtlMs,
    canImpersonate: o.canImpersonate ?? null,
    mayImpersonate: o.mayImpersonate ?? null,
    requireLowerPrivilege: o.requireLowerPrivilege !== false,
  };
}

/** True when `target`'s roles are a strict subset of `actor`'s. */
export function hasLowerPrivilege(actorMask: number, targetMask: number): boolean {
  return (targetMask & ~actorMask) === 0 && targetMask !== actorMask;
}
