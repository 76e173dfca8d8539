import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../primitives/database.js";
import { listenAdapterFor } from "./adapters.js";
import { InvalidationListener, type ListenerState, type ListenerTiming } from "./listener.js";
import { InvalidationMarks } from "./marks.js";
import type { InvalidationKind } from "./payload.js";

/**
 * How far apart the clocks of two instances may be. A session resynced by another instance carries that
 * instance's time in `lastResync`; it still counts as older than a mark up to this much after the mark.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 1_000;
/** Marks live at least this long (longer when `resyncInterval` is longer). */
const MIN_MARK_TTL_MS = 5 * 60_000;
/** Accounts with a mark of their own; beyond it the oldest marks fold into the floor. */
const MAX_MARKS = 10_000;

/** Every hub started and not closed yet, for {@link closeAllInvalidationHubs}. */
const liveHubs = new Set<InvalidationHub>();

/** One invalidation received from the channel. */
export interface InvalidationEvent {
  kind: InvalidationKind;
  accountId: number;
  /** When it arrived, on the auth clock. */
  receivedAt: Date;
}

/** Options of {@link startInvalidationHub}. @internal */
export interface InvalidationHubOptions {
  db: AnyPgDatabase;
  channel: string;
  /** The auth clock (`config.now`). */
  now: () => Date;
  /** `resyncInterval` in ms: marks are kept at least this long. */
  resyncMs: number;
  /** Where outages are reported. @default console.warn */
  log?: ((message: string) => void) | undefined;
  timing?: Partial<ListenerTiming> | undefined;
}

/**
 * The invalidation state of one auth context: the channel, the listener, and the marks that make the
 * resync re-read a session whose `lastResync` is not newer than its account's latest invalidation.
 * Created by the context when `invalidation.listen` is on; `close()` (or `closeAuth(config)`) stops it.
 */
export class InvalidationHub {
  /** The validated channel name. */
  readonly channel: string;
  private readonly marks: InvalidationMarks;
  private readonly listener: InvalidationListener;
  private readonly subscribers = new Set<(event: InvalidationEvent) => void>();
  private readonly sessionSubscribers = new Set<(key: string) => void>();
  private readonly now: () => Date;
  private connections = 0;
  /** Names this instance in the session notifications it sends, so it can ignore its own. */
  readonly origin = randomBytes(8).toString("hex");

  /** @internal use {@link startInvalidationHub} */
  constructor(options: InvalidationHubOptions) {
    this.channel = options.channel;
    this.now = options.now;
    this.marks = new InvalidationMarks({
      ttlMs: Math.max(MIN_MARK_TTL_MS, options.resyncMs + CLOCK_SKEW_ALLOWANCE_MS),
      maxEntries: MAX_MARKS,
    });
    const { adapter, reason } = listenAdapterFor(options.db);
    const log = options.log ?? ((message: string) => console.warn(`[express-drizzle-auth] invalidation: ${message}`));
    this.listener = new InvalidationListener({
      adapter,
      unavailableReason: reason,
      channel: options.channel,
      sendProbe: async (payload) => {
        await options.db.execute(sql`select pg_notify(${options.channel}, ${payload})`);
      },
      onInvalidation: ({ kind, accountId }) => this.received(kind, accountId),
      onSessionWrite: (key, origin) => origin !== this.origin && this.sessionWritten(key),
      // Whatever was sent while nobody listened is lost: every session read before now is re-read,
      // and a new epoch empties the session caches.
      onConnected: () => {
        this.connections++;
        this.marks.markAll(this.now().getTime());
      },
      log,
      timing: options.timing,
    });
  }

  /** @internal */
  start(): this {
    liveHubs.add(this);
    this.listener.start();
    return this;
  }

  /** `starting`, `listening`, `unavailable` (interval resync only) or `closed`. */
  get state(): ListenerState {
    return this.listener.state;
  }

  /**
   * Whether notifications are known to arrive now (listening, confirmed by a probe), and the epoch:
   * a number that changes on every (re)connect, since notifications may have been lost before it.
   */
  get health(): { usable: boolean; epoch: number } {
    return { usable: this.listener.state === "listening", epoch: this.connections };
  }

  /** Resolves when the first attempt settled: true when listening, false when falling back. */
  get ready(): Promise<boolean> {
    return this.listener.ready;
  }

  /** Valid invalidations received, malformed payloads ignored, and accounts currently marked. */
  get stats(): { received: number; ignored: number; marked: number } {
    return { ...this.listener.counts, marked: this.marks.size };
  }

  /**
   * True when the account was invalidated at or after `since` (epoch ms), allowing for clock skew
   * between instances: a session last resynced then must be re-read.
   */
  invalidatedSince(accountId: number, since: number): boolean {
    return since <= this.marks.latest(accountId) + CLOCK_SKEW_ALLOWANCE_MS;
  }

  /**
   * Calls `listener` for each invalidation received (after the mark is set). Returns the unsubscribe
   * function. A throwing subscriber is ignored. For caches the app keeps per account.
   */
  subscribe(listener: (event: InvalidationEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => void this.subscribers.delete(listener);
  }

  /** Calls `listener` with the row key of each session written or deleted by another instance. */
  subscribeSessions(listener: (key: string) => void): () => void {
    this.sessionSubscribers.add(listener);
    return () => void this.sessionSubscribers.delete(listener);
  }

  /** Stops listening and releases the listener's connection. Sending NOTIFY on writes continues. */
  async close(): Promise<void> {
    liveHubs.delete(this);
    this.subscribers.clear();
    this.sessionSubscribers.clear();
    await this.listener.close();
  }

  private sessionWritten(key: string): void {
    for (const subscriber of this.sessionSubscribers) {
      try {
        subscriber(key);
      } catch {
        // As for account subscribers.
      }
    }
  }

  private received(kind: InvalidationKind, accountId: number): void {
    const receivedAt = this.now();
    this.marks.mark(accountId, receivedAt.getTime());
    for (const subscriber of this.subscribers) {
      try {
        subscriber({ kind, accountId, receivedAt });
      } catch {
        // A subscriber's failure must not stop the others or the listener.
      }
    }
  }
}

/**
 * Creates the hub of a context and starts its listener in the background.
 * @internal
 */
export function startInvalidationHub(options: InvalidationHubOptions): InvalidationHub {
  return new InvalidationHub(options).start();
}

/**
 * Closes every hub of this process (every config's listener).
 * @internal use `closeInvalidationListeners()` or `closeAuth(config)`
 */
export async function closeAllInvalidationHubs(): Promise<void> {
  await Promise.all([...liveHubs].map((hub) => hub.close()));
}
