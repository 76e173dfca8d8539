import type { ListenAdapter } from "./listen-adapter.js";
import { quoteChannel } from "./channel.js";

interface PgNotification {
  channel: string;
  payload?: string;
}

interface PgClientLike {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: "error", listener: (err: unknown) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(event: "notification", listener: (message: PgNotification) => void): unknown;
  unref?(): void;
}

/** The parts of a node-postgres `Pool` used here. */
interface PgPoolLike {
  options: Record<string, unknown>;
  Client: new (config: Record<string, unknown>) => PgClientLike;
}

const LISTENER_NAME = "express-drizzle-auth listener";

/**
 * The connection settings of the listener: the pool's own (pg-pool hides `password` from enumeration,
 * so it is copied explicitly), TCP keep-alive so a dead peer is noticed, and an `application_name`
 * that makes the connection easy to find in `pg_stat_activity`.
 */
function listenerOptions(pool: PgPoolLike): Record<string, unknown> {
  const base = pool.options.application_name;
  return {
    ...pool.options,
    password: pool.options.password,
    keepAlive: true,
    application_name: (typeof base === "string" && base ? `${base} (auth listener)` : LISTENER_NAME).slice(0, 63),
  };
}

/**
 * node-postgres: a dedicated client built with the pool's `Client` class and options, outside the pool.
 * It therefore takes no slot from the app's pool and never makes `pool.end()` wait for it; its socket is
 * unref'd, so it never keeps the process alive either. node-postgres does not reconnect: an `error` or
 * `end` event reports the loss and the listener opens a new client with backoff.
 * @internal
 */
export function nodePostgresAdapter(pool: PgPoolLike): ListenAdapter {
  return {
    driver: "node-postgres",
    canDrop: true,
    async open(channel, handlers) {
      const client = new pool.Client(listenerOptions(pool));
      let done = false;
      let opened = false;
      const lost = (error: unknown) => {
        if (done) return;
        done = true;
        // Before LISTEN succeeded, the failure surfaces as the rejection of open() instead.
        if (opened) handlers.onLost(error);
        void client.end().catch(() => {});
      };
      // An 'error' listener must stay attached for the client's whole life: without one, node-postgres
      // would throw the error and crash the process.
      client.on("error", lost);
      client.on("end", () => lost(new Error("listener connection ended")));
      client.on("notification", (message) => {
        if (!done && message.channel === channel && typeof message.payload === "string")
          handlers.onPayload(message.payload);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${quoteChannel(channel)}`);
        if (done) throw new Error("listener connection ended");
        opened = true;
        // Only now: while connecting, an unref'd socket would let the process exit mid-handshake.
        client.unref?.();
      } catch (err) {
        done = true;
        await client.end().catch(() => {});
        throw err;
      }
      return {
        async close() {
          if (done) return;
          done = true;
          await client.end().catch(() => {});
        },
      };
    },
  };
}
