/**
 * The contract between the invalidation listener and the per-driver LISTEN adapters (./adapters.ts,
 * ./pg-adapter.ts): types only, so that the adapters and the lookup over them import it and not each other.
 */

/** What a listening connection reports to the listener. @internal */
export interface ListenHandlers {
  /** A notification arrived on the channel (the payload is not validated yet). */
  onPayload(payload: string): void;
  /** The connection failed or ended; notifications no longer arrive until the listener reconnects. */
  onLost(error: unknown): void;
  /** The driver re-established LISTEN on its own after a drop (postgres.js): notifications may have been missed. */
  onRelisten(): void;
}

/** An open LISTEN on one channel. @internal */
export interface ListenConnection {
  /** Stops listening and releases the connection. Never throws. */
  close(): Promise<void>;
}

/** How to LISTEN with one database driver. @internal */
export interface ListenAdapter {
  readonly driver: "node-postgres" | "postgres.js" | "pglite";
  /** False for PGlite, which runs in-process: there is no connection to lose, so no heartbeat is needed. */
  readonly canDrop: boolean;
  /** Opens a connection and LISTENs on `channel` (already validated). Rejects when LISTEN is impossible. */
  open(channel: string, handlers: ListenHandlers): Promise<ListenConnection>;
}

/** The adapter for a database, or why there is none. @internal */
export type AdapterLookup = { adapter: ListenAdapter; reason?: undefined } | { adapter: null; reason: string };
