/**
 * The bounded in-process cache of stored sessions, so that an authenticated request reads no row.
 *
 * Coherence: every write of a session row on any instance (set, destroy, revocation, ban, deletion)
 * sends a notification in its writing statement or transaction, and every instance drops what it
 * names. The cache serves only while its {@link CacheHealth} says it may: with LISTEN, only while the
 * listener is confirmed working; a reconnect (notifications may have been lost meanwhile) empties it.
 * A result read from the database is kept only if no notification arrived while it was being read,
 * so a write elsewhere can never be overwritten by an older read.
 */

/** One cached session: the stored JSON (parsed anew for each request, so requests never share objects). */
export interface CachedSession {
  json: string;
  /** The row's expiry, epoch ms. */
  expires: number;
  /** The account the row belongs to (the actor while impersonating), or null. */
  accountId: number | null;
  /** The session's data as JSON without its cookie, when known (what decides whether a request changed it). */
  data?: string;
}

/** Whether the cache may serve now, and the listener's connection epoch (a new epoch empties the cache). */
export interface CacheHealth {
  usable: boolean;
  epoch: number;
}

/** Options of {@link SessionCache}. */
export interface SessionCacheOptions {
  /** Most sessions kept; the least recently used goes first. */
  maxEntries: number;
  /** Longest time an entry is served after it was cached, or null for no bound (LISTEN keeps it coherent). */
  ttlMs: number | null;
  /** Asked on every read: an unusable cache serves nothing and is emptied. */
  health: () => CacheHealth;
  /** The auth clock, epoch ms. */
  now: () => number;
}

interface Entry extends CachedSession {
  cachedAt: number;
}

/** See the file comment. One per auth context. */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byAccount = new Map<number, Set<string>>();
  private generation = 0;
  private epoch = Number.NaN;

  constructor(private readonly options: SessionCacheOptions) {}

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether the cache may serve at this moment (it is emptied when not). */
  usable(): boolean {
    const health = this.options.health();
    if (!health.usable || health.epoch !== this.epoch) {
      this.clear();
      this.epoch = health.usable ? health.epoch : Number.NaN;
    }
    return health.usable;
  }

  /** The cached session of a row key, if it may be served: usable cache, unexpired row, within the TTL. */
  get(key: string): CachedSession | undefined {
    if (!this.usable()) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.options.now();
    const ttl = this.options.ttlMs;
    if (entry.expires <= now || (ttl !== null && now - entry.cachedAt >= ttl)) {
      this.drop(key);
      return undefined;
    }
    // Re-inserting keeps the map in recency order: the least recently used entry is the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** A mark to take before a database round trip; pass it to {@link put} afterwards. */
  begin(): number {
    return this.generation;
  }

  /**
   * Caches what a read or write of `key` saw, unless a notification arrived since `mark` (the row may
   * have changed meanwhile) or the cache may not serve.
   */
  put(key: string, session: CachedSession, mark: number): void {
    if (mark !== this.generation || !this.usable()) return;
    this.remove(key);
    this.entries.set(key, { ...session, cachedAt: this.options.now() });
    if (session.accountId !== null) {
      let keys = this.byAccount.get(session.accountId);
      if (!keys) this.byAccount.set(session.accountId, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.options.maxEntries) this.remove(this.entries.keys().next().value!);
  }

  /**
   * This instance just wrote (`session`) or deleted (null) the row of `key`. Reads in flight that began
   * before the write finished can no longer cache what they saw (their marks are now stale), and the
   * written session is cached unless a notification arrived while the write was in flight (`mark`,
   * taken before it): another instance may then have written after it.
   */
  settle(key: string, session: CachedSession | null, mark: number): void {
    const unchanged = mark === this.generation;
    this.drop(key);
    if (session && unchanged) this.put(key, session, this.generation);
  }

  /** Moves the cached expiry of a row this instance just extended. */
  extend(key: string, expires: number): void {
    const entry = this.entries.get(key);
    if (entry) entry.expires = expires;
  }

  /** A notification named this row: forget it. */
  drop(key: string): void {
    this.generation++;
    this.remove(key);
  }

  /** A notification named this account: forget every session of it. */
  dropAccount(accountId: number): void {
    this.generation++;
    for (const key of this.byAccount.get(accountId) ?? []) this.entries.delete(key);
    this.byAccount.delete(accountId);
  }

  /** Forgets everything (a reconnect, an unusable listener, `clear()` of the store). */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byAccount.clear();
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.accountId === null) return;
    const keys = this.byAccount.get(entry.accountId);
    keys?.delete(key);
    if (keys?.size === 0) this.byAccount.delete(entry.accountId);
  }
}
