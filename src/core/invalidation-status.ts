/**
 * The public face of a config's invalidation listener (`getInvalidationStatus`, `onInvalidation`,
 * `closeInvalidationListeners`). It lives above the context, which creates the hub; the hub and the
 * rest of LISTEN/NOTIFY (src/invalidation/) sit below the services, which notify through them.
 */
import type { AuthConfig } from "../config.js";
import { getAuthContext } from "./context.js";
import { type InvalidationEvent, closeAllInvalidationHubs } from "../invalidation/hub.js";
import type { ListenerState } from "../invalidation/listener.js";

/** What {@link getInvalidationStatus} reports. */
export interface InvalidationStatus {
  /** False when `invalidation.listen` is not on. */
  enabled: boolean;
  channel: string | null;
  /** `off` when disabled; `unavailable` means sessions are re-read every `resyncInterval` only. */
  state: ListenerState | "off";
  /** Valid invalidations received so far, and payloads ignored as malformed. */
  received: number;
  ignored: number;
}

/**
 * The state of a config's invalidation listener, for health checks and logs.
 * @throws {AuthConfigError} INVALID_CONFIG when the config is invalid
 * @example
 * app.get("/health", async (_req, res) => res.json({ invalidation: (await getInvalidationStatus(authConfig)).state }))
 */
export async function getInvalidationStatus(config: AuthConfig): Promise<InvalidationStatus> {
  const hub = (await getAuthContext(config)).invalidation;
  if (!hub) return { enabled: false, channel: null, state: "off", received: 0, ignored: 0 };
  const { received, ignored } = hub.stats;
  return { enabled: true, channel: hub.channel, state: hub.state, received, ignored };
}

/**
 * Calls `listener` for each invalidation this instance receives (the account id and what changed), for
 * caches the app keeps per account. Returns the function that unsubscribes. Without
 * `invalidation.listen`, `listener` is never called.
 * @throws {AuthConfigError} INVALID_CONFIG when the config is invalid
 * @example const stop = await onInvalidation(authConfig, ({ accountId }) => profileCache.delete(accountId))
 */
export async function onInvalidation(
  config: AuthConfig,
  listener: (event: InvalidationEvent) => void,
): Promise<() => void> {
  const hub = (await getAuthContext(config)).invalidation;
  return hub ? hub.subscribe(listener) : () => {};
}

/**
 * Stops the invalidation listener of every config in this process (@prsm/auth's name). Prefer
 * `closeAuth(config)` for one config. Configs stay usable: they fall back to interval resync.
 * @example afterAll(() => closeInvalidationListeners())
 */
export function closeInvalidationListeners(): Promise<void> {
  return closeAllInvalidationHubs();
}
