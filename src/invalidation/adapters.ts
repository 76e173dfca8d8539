import type { AdapterLookup, ListenAdapter } from "./listen-adapter.js";
import { nodePostgresAdapter } from "./pg-adapter.js";

interface PostgresJsSql {
  (...args: never[]): unknown;
  listen(
    channel: string,
    onnotify: (payload: string) => void,
    onlisten?: () => void,
  ): Promise<{ unlisten(): Promise<unknown> }>;
  unsafe: unknown;
  /** The parsed connection options (postgres.js builds its own LISTEN instance from them too). */
  options?: unknown;
}

interface PGliteLike {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  exec: unknown;
  waitReady: unknown;
}

function isFunction(value: unknown): boolean {
  return typeof value === "function";
}

function isPostgresJs(client: unknown): client is PostgresJsSql {
  return (
    isFunction(client) && isFunction((client as PostgresJsSql).listen) && isFunction((client as PostgresJsSql).unsafe)
  );
}

function isPglite(client: unknown): client is PGliteLike {
  if (typeof client !== "object" || client === null) return false;
  const c = client as PGliteLike;
  return isFunction(c.listen) && isFunction(c.exec) && "waitReady" in c;
}

function isPgPool(client: unknown): client is Parameters<typeof nodePostgresAdapter>[0] {
  if (typeof client !== "object" || client === null) return false;
  const c = client as Record<string, unknown>;
  return isFunction(c.connect) && isFunction(c.query) && isFunction(c.Client) && typeof c.options === "object";
}

/**
 * postgres.js: a dedicated one-connection instance built from the app's options (as `sql.listen` does
 * internally), with our own `onclose`. `sql.listen` re-listens silently after a drop and reports
 * nothing in between, so the session cache could go on serving while notifications were lost; here a
 * drop is reported at once and the listener reconnects with its own backoff.
 */
function postgresJsAdapter(sql: PostgresJsSql): ListenAdapter {
  return {
    driver: "postgres.js",
    canDrop: true,
    async open(channel, handlers) {
      const { default: postgres } = await import("postgres");
      let closed = false;
      const own = postgres({
        ...(sql.options as object),
        max: 1,
        idle_timeout: null,
        max_lifetime: null,
        fetch_types: false,
        onnotice: () => {},
        onnotify: (name: string, payload: string) => void (!closed && name === channel && handlers.onPayload(payload)),
        onclose: () => {
          if (closed) return;
          closed = true;
          handlers.onLost(new Error("the LISTEN connection closed"));
        },
      } as never);
      const close = async () => {
        closed = true;
        await own.end({ timeout: 0 }).catch(() => {});
      };
      try {
        // The channel is validated; it is still quoted as an identifier.
        await own.unsafe(`listen "${channel.replace(/"/g, '""')}"`);
      } catch (err) {
        await close();
        throw err;
      }
      return { close };
    },
  };
}

/** PGlite: one in-process connection; `listen` returns the function that stops it. */
function pgliteAdapter(pg: PGliteLike): ListenAdapter {
  return {
    driver: "pglite",
    canDrop: false,
    async open(channel, handlers) {
      let closed = false;
      const unlisten = await pg.listen(channel, (payload) => !closed && handlers.onPayload(payload));
      return {
        async close() {
          closed = true;
          await unlisten().catch(() => {});
        },
      };
    },
  };
}

/**
 * Finds how to LISTEN for a Drizzle database through the driver client it wraps (`db.$client`): a
 * postgres.js `sql`, a `PGlite`, or a node-postgres `Pool`. Anything else (a single `pg.Client`, a
 * transaction, an unknown driver) has no adapter, and invalidation falls back to interval resync.
 * @internal
 */
export function listenAdapterFor(db: unknown): AdapterLookup {
  const client = (db as { $client?: unknown } | null)?.$client;
  if (isPostgresJs(client)) return { adapter: postgresJsAdapter(client) };
  if (isPglite(client)) return { adapter: pgliteAdapter(client) };
  if (isPgPool(client)) return { adapter: nodePostgresAdapter(client) };
  if (typeof client === "object" && client !== null && "connectionParameters" in client)
    return { adapter: null, reason: "a single pg.Client has no spare connection to listen on (pass a pg.Pool)" };
  return { adapter: null, reason: "the database driver offers no LISTEN connection" };
}
