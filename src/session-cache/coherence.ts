import type { InvalidationHub } from "../invalidation/hub.js";
import { SessionCache } from "./cache.js";
import type { ResolvedSessionCache } from "./options.js";

const ALWAYS = { usable: true, epoch: 0 };

/**
 * Creates a context's session cache and keeps it coherent. With a hub: it serves only while the
 * listener is confirmed working, empties on every reconnect, drops a session when another instance
 * wrote or deleted its row, and drops every session of an account on any invalidation of that
 * account (revocation, ban, status, roles, email, password, deletion). Without a hub (the TTL opt-in)
 * entries are only bounded by the TTL.
 */
export function createSessionCache(
  options: ResolvedSessionCache,
  hub: InvalidationHub | null,
  now: () => Date,
): SessionCache {
  const cache = new SessionCache({
    maxEntries: options.maxEntries,
    ttlMs: options.ttlMs,
    health: hub ? () => hub.health : () => ALWAYS,
    now: () => now().getTime(),
  });
  if (hub) {
    hub.subscribe(({ accountId }) => cache.dropAccount(accountId));
    hub.subscribeSessions((key) => cache.drop(key));
  }
  return cache;
}
