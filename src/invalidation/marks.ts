/** Bounds of an {@link InvalidationMarks} map. */
export interface MarksOptions {
  /**
   * How long a mark is kept. Must be at least the resync interval: a session older than a dropped mark
   * is then due for its interval resync anyway.
   */
  ttlMs: number;
  /** Most accounts remembered at once; when exceeded, the oldest marks fold into the floor. */
  maxEntries: number;
}

/**
 * In-memory record of when each account was last invalidated on this instance (epoch ms on the auth
 * clock), plus a floor: a time before which every account counts as invalidated (set when the listener
 * (re)connects, since notifications sent meanwhile were lost, and when the map overflows).
 *
 * The map never grows past `maxEntries`: an evicted mark raises the floor instead of being forgotten,
 * so an overflow costs extra resyncs, never a missed invalidation.
 * @internal
 */
export class InvalidationMarks {
  private readonly marks = new Map<number, number>();
  private floorAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MarksOptions) {}

  /** Records that `accountId` was invalidated at `at`. */
  mark(accountId: number, at: number): void {
    // Re-inserting keeps the map in arrival order, so the oldest marks are at the front.
    this.marks.delete(accountId);
    this.marks.set(accountId, at);
    this.prune(at);
  }

  /** Records that every account counts as invalidated at `at` (notifications may have been missed). */
  markAll(at: number): void {
    this.floorAt = Math.max(this.floorAt, at);
    for (const [id, markedAt] of this.marks) if (markedAt <= at) this.marks.delete(id);
  }

  /** The time of the account's latest invalidation (or the floor), or -Infinity when there is none. */
  latest(accountId: number): number {
    return Math.max(this.floorAt, this.marks.get(accountId) ?? Number.NEGATIVE_INFINITY);
  }

  /** Drops marks older than the TTL and folds marks beyond `maxEntries` into the floor. */
  prune(now: number): void {
    const oldest = now - this.options.ttlMs;
    for (const [id, markedAt] of this.marks) {
      if (markedAt >= oldest && this.marks.size <= this.options.maxEntries) break;
      this.marks.delete(id);
      if (markedAt >= oldest) this.floorAt = Math.max(this.floorAt, markedAt);
    }
  }

  /** How many accounts have a mark of their own. */
  get size(): number {
    return this.marks.size;
  }

  /** The floor (-Infinity until the first reconnect or overflow). */
  get floor(): number {
    return this.floorAt;
  }
}
