/**
 * What this process remembers about the password checks of each login key: checks in flight and the
 * failure counts it recorded. Shared by the attempt tracker (`login-attempts.ts`) and the lockout
 * (`login-lockout.ts`, which clears it with the counter).
 */
import type { AuthContext } from "./context.js";

/** The process-local state of one login key. */
export interface KeyState {
  /** Password checks running now whose outcome is not recorded yet. */
  inFlight: number;
  /** The highest failure count this process has seen recorded, and when. */
  known: number;
  knownAt: number;
}

const states = new WeakMap<object, Map<string, KeyState>>();

/** The tracked keys of this configuration (one map per auth context's config). */
export function trackedKeys(ctx: Pick<AuthContext, "config">): Map<string, KeyState> {
  let keys = states.get(ctx.config);
  if (!keys) states.set(ctx.config, (keys = new Map()));
  return keys;
}

/** Forgets what this process knows about a key's failures (its counter was cleared). */
export function forgetLoginAttempts(ctx: Pick<AuthContext, "config">, key: string): void {
  const state = states.get(ctx.config)?.get(key);
  if (!state) return;
  state.known = 0;
  state.knownAt = 0;
}
