import { RateLimitedError } from "../errors.js";
import type { AuthContext } from "./context.js";
import { trackedKeys } from "./login-attempt-memory.js";
import { recordLoginFailure } from "./login-lockout.js";
import type { RateLimitBucket } from "../rate-limit/limiter.js";

const MAX_TRACKED_KEYS = 10_000;
/**
 * How long a failure count this process recorded overrides an older read. It only has to cover the
 * time a request takes between reading the counter and starting its check; kept short so a counter
 * cleared elsewhere (a completed reset on another instance) is not second-guessed for long.
 */
const KNOWN_COUNT_TTL_MS = 10_000;

/** One password check of a login key, counted against the lockout until its outcome is recorded. */
export interface LoginAttempt {
  /** Records a failure in the database (one upsert) and returns the new count. */
  fail(): Promise<number>;
  /** The check succeeded: this process forgets the key's failures. */
  succeed(): void;
  /** Releases the attempt; call it in `finally`. */
  end(): void;
}

/** A counter a password check is counted against: its key, what the caller read, and the count that blocks. */
interface Tracked {
  key: string;
  read: number;
  max: number;
}

/**
 * Starts a password check for a login key. Failures reach the database only after a check, so a burst
 * of parallel attempts could otherwise all pass the lockout check; here every attempt in flight counts
 * as a failure, and failure counts recorded by this process count even when the caller's own read of
 * the counter is older. The same holds for the `extra` buckets (the client IP's), whose failures are
 * counted in the same statement. (Per process; several instances each add their own in-flight attempts.)
 * @throws {RateLimitedError} when the key or a bucket has no attempts left
 */
export function startLoginAttempt(
  ctx: AuthContext,
  key: string,
  failuresRead: number,
  extra: readonly (RateLimitBucket & { read: number })[] = [],
): LoginAttempt {
  const lockout = ctx.config.lockout;
  const keys = trackedKeys(ctx);
  const now = ctx.now().getTime();
  const tracked: Tracked[] = [
    ...(lockout ? [{ key, read: failuresRead, max: lockout.maxFailures }] : []),
    ...extra.map((b) => ({ key: b.key, read: b.read, max: b.max })),
  ];
  const entries = tracked.map((t) => ({ t, state: keys.get(t.key) ?? { inFlight: 0, known: 0, knownAt: 0 } }));
  for (const { t, state } of entries) {
    const known = now - state.knownAt < KNOWN_COUNT_TTL_MS ? state.known : 0;
    if (Math.max(t.read, known) + state.inFlight >= t.max) throw new RateLimitedError(1);
  }
  for (const { t, state } of entries) {
    state.inFlight++;
    if (keys.size >= MAX_TRACKED_KEYS && !keys.has(t.key)) keys.delete(keys.keys().next().value!);
    keys.set(t.key, state);
  }
  let ended = false;
  return {
    async fail() {
      const counts = await recordLoginFailure(ctx, key, extra);
      // Known before the slot is released, so no other check can undercount it.
      const at = ctx.now().getTime();
      for (const { t, state } of entries) {
        const count = counts.get(t.key)?.count ?? 0;
        if (count > state.known || at - state.knownAt >= KNOWN_COUNT_TTL_MS) {
          state.known = count;
          state.knownAt = at;
        }
      }
      return counts.get(key)?.count ?? 0;
    },
    succeed() {
      // Only the account's own counter is cleared by a success; the IP's failures stand.
      const own = entries.find((e) => e.t.key === key);
      if (own) {
        own.state.known = 0;
        own.state.knownAt = 0;
      }
    },
    end() {
      if (ended) return;
      ended = true;
      for (const { t, state } of entries) {
        state.inFlight--;
        if (state.inFlight === 0 && state.known === 0) keys.delete(t.key);
      }
    },
  };
}
