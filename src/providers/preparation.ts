/**
 * Background preparation of the providers that need it (OIDC discovery). One attempt starts as soon as
 * the registry is built; after a failure the providers still unprepared are retried with an exponential
 * backoff (5 s, 10 s, 20 s, then every 30 s) until each one succeeds. The timers are unref'd, so they never
 * keep a process alive, and no attempt ever ends in an unhandled rejection. A request that needs a
 * provider waits for that provider only ({@link Preparation.ready}), never for the others.
 */
import type { OAuthProvider } from "./oauth-provider.js";
import { toProviderError } from "./shared.js";

/** Retry timing of {@link startPreparation}. */
export interface PreparationOptions {
  /** Delay before the first retry after a failed attempt, in milliseconds. @default 5000 */
  firstRetryMs?: number;
  /** Longest delay between two retries, in milliseconds. @default 30000 */
  retryMs?: number;
}

/** The running preparation of a set of providers. */
export interface Preparation {
  /**
   * Resolves once `provider` is prepared: at once when it already is (or needs nothing), else after an
   * attempt (joining the one under way, or starting one now).
   * @throws {OAuthProviderError} when the attempt fails
   */
  ready(provider: OAuthProvider): Promise<void>;
  /** Tries every provider not prepared yet, now (joining a round under way). Never rejects. */
  attempt(): Promise<void>;
  /** Cancels the scheduled retry and schedules no more. */
  stop(): void;
}

/** Starts preparing `providers` in the background (an immediate attempt, then retries). */
export function startPreparation(providers: OAuthProvider[], options: PreparationOptions = {}): Preparation {
  const firstRetryMs = options.firstRetryMs ?? 5000;
  const maxRetryMs = options.retryMs ?? 30_000;
  const pending = new Set(providers.filter((p) => p.prepare !== undefined));
  let failedRounds = 0;
  let round: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const ready = (provider: OAuthProvider): Promise<void> => {
    if (!pending.has(provider)) return Promise.resolve();
    return provider.prepare!().then(
      () => void pending.delete(provider),
      (err: unknown) => {
        throw toProviderError(provider.name, err);
      },
    );
  };

  const schedule = (): void => {
    if (stopped || timer !== null || pending.size === 0) return;
    const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.min(failedRounds, 16));
    failedRounds += 1;
    timer = setTimeout(() => {
      timer = null;
      void attempt();
    }, delay);
    timer.unref?.();
  };

  const attempt = (): Promise<void> => {
    round ??= Promise.all([...pending].map((p) => ready(p).catch(() => undefined))).then(() => {
      round = null;
      if (pending.size === 0) failedRounds = 0;
      else schedule();
    });
    return round;
  };

  if (pending.size > 0) void attempt();
  return {
    ready,
    attempt,
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
