/** The external rate limiter the app may pass as `limiter` (the @prsm/auth duck type). */

/** Result of an external limiter call. `retryAfter` is in milliseconds. */
export interface LimiterResult {
  allowed: boolean;
  retryAfter?: number;
}

type LimiterFn = (key: string) => Promise<LimiterResult> | LimiterResult;

/** An external rate limiter: any object with one of `take`, `hit`, `drip`, `consume` or `check`. */
export type ExternalLimiter =
  { take: LimiterFn } | { hit: LimiterFn } | { drip: LimiterFn } | { consume: LimiterFn } | { check: LimiterFn };

/** The method names tried, in this order. */
export const LIMITER_METHODS = ["take", "hit", "drip", "consume", "check"] as const;

/** True for an object with one of the {@link LIMITER_METHODS}. */
export function isExternalLimiter(value: unknown): value is ExternalLimiter {
  return (
    typeof value === "object" &&
    value !== null &&
    LIMITER_METHODS.some((m) => typeof (value as Record<string, unknown>)[m] === "function")
  );
}
