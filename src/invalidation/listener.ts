import { randomBytes } from "node:crypto";
import type { ListenAdapter, ListenConnection } from "./listen-adapter.js";
import { type InvalidationKind, formatProbe, parsePayload } from "./payload.js";

/**
 * Where the listener stands:
 * - `starting`: the first LISTEN is being set up;
 * - `listening`: LISTEN is up and a probe sent through the app's own connection came back;
 * - `unavailable`: not listening (LISTEN failed, the probe never arrived, the connection dropped, or
 *   the driver cannot listen); sessions are re-read every `resyncInterval` meanwhile, and the listener
 *   retries in the background (except when the driver cannot listen at all);
 * - `closed`: stopped by `close()`.
 */
export type ListenerState = "starting" | "listening" | "unavailable" | "closed";

/** Timings of the listener. Only tests change them. @internal */
export interface ListenerTiming {
  /** How long a probe may take to come back before LISTEN counts as not working. */
  probeTimeoutMs: number;
  /** How often a working listener re-checks itself with a probe; null turns the heartbeat off. */
  heartbeatMs: number | null;
  /** First reconnect delay; it doubles (with jitter) up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
}

/** The defaults: 5 s probe timeout, 30 s heartbeat, reconnects from 250 ms up to every 30 s. @internal */
export const DEFAULT_LISTENER_TIMING: ListenerTiming = {
  probeTimeoutMs: 5_000,
  heartbeatMs: 30_000,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
};

/** Options of {@link InvalidationListener}. @internal */
export interface ListenerOptions {
  /** How to listen; null when the driver cannot (`unavailableReason` says why). */
  adapter: ListenAdapter | null;
  unavailableReason?: string | undefined;
  channel: string;
  /** Sends a payload on the channel through the app's own database (pg_notify). */
  sendProbe(payload: string): Promise<void>;
  /** A valid account invalidation arrived. */
  onInvalidation(message: { kind: InvalidationKind; accountId: number }): void;
  /** A session row was written or deleted (by the instance `origin`). */
  onSessionWrite(key: string, origin: string): void;
  /** Delivery was (re-)established: notifications sent before this moment may have been missed. */
  onConnected(): void;
  log(message: string): void;
  timing?: Partial<ListenerTiming> | undefined;
}

interface PendingProbe {
  resolve(): void;
  reject(err: Error): void;
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Keeps one LISTEN alive. A LISTEN only counts once a probe (`probe:<nonce>`, sent with pg_notify through
 * the app's own connection) comes back on it: a pooler in transaction mode accepts LISTEN but never
 * delivers, and only a round trip shows it. A heartbeat probe repeats the check; a lost connection or
 * a failed probe leads to reconnects with exponential backoff. Each outage is logged once, and once
 * more when listening resumes. Retry and heartbeat timers are unref'd, and so are the connections the
 * adapters open where the driver allows: the listener never keeps the process alive beyond a probe
 * in flight (at most `probeTimeoutMs`).
 * @internal
 */
export class InvalidationListener {
  private current: ListenerState = "starting";
  private connection: ListenConnection | null = null;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private attempt = 0;
  private everListened = false;
  private outageLogged = false;
  private readonly probes = new Map<string, PendingProbe>();
  private readonly timing: ListenerTiming;
  private settle!: (listening: boolean) => void;
  /** Resolves once the first attempt settled: true when listening, false when falling back. */
  readonly ready: Promise<boolean>;
  /** Valid invalidations received and payloads ignored as malformed. */
  readonly counts = { received: 0, ignored: 0 };

  constructor(private readonly options: ListenerOptions) {
    this.timing = { ...DEFAULT_LISTENER_TIMING, ...options.timing };
    this.ready = new Promise((resolve) => (this.settle = resolve));
  }

  /** The current state. */
  get state(): ListenerState {
    return this.current;
  }

  /** Starts listening in the background. */
  start(): void {
    if (this.options.adapter) return this.run();
    this.current = "unavailable";
    this.options.log(
      `LISTEN unavailable: ${this.options.unavailableReason ?? "unsupported driver"}; ` +
        "sessions are re-read every resyncInterval instead",
    );
    this.settle(false);
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    if (this.current === "closed") return;
    this.current = "closed";
    this.generation++;
    clearTimeout(this.timer);
    for (const probe of this.probes.values()) probe.reject(new Error("listener closed"));
    this.probes.clear();
    this.settle(false);
    const connection = this.connection;
    this.connection = null;
    await connection?.close();
  }

  /** Handles one payload from the channel; anything but our formats is counted and ignored. */
  private receive(payload: string): void {
    const parsed = parsePayload(payload);
    if (!parsed) {
      this.counts.ignored++;
      return;
    }
    if (parsed.type === "probe") return this.probes.get(parsed.nonce)?.resolve();
    // Session row writes are cache traffic, not account invalidations: they are not counted.
    if (parsed.type === "session") return this.options.onSessionWrite(parsed.key, parsed.origin);
    this.counts.received++;
    this.options.onInvalidation({ kind: parsed.kind, accountId: parsed.accountId });
  }

  private run(): void {
    this.connect().catch((err) => this.options.log(`invalidation listener failed: ${describe(err)}`));
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const live = () => generation === this.generation && this.current !== "closed";
    try {
      const connection = await this.options.adapter!.open(this.options.channel, {
        onPayload: (payload) => this.receive(payload),
        onLost: (err) => live() && this.lost(err),
        onRelisten: () => live() && this.current === "listening" && this.options.onConnected(),
      });
      if (!live()) return void (await connection.close());
      this.connection = connection;
      await this.probe();
      if (!live()) return;
    } catch (err) {
      if (!live()) return;
      await this.teardown();
      return this.fail(err);
    }
    this.current = "listening";
    this.attempt = 0;
    this.everListened = true;
    if (this.outageLogged) this.options.log(`listening again on "${this.options.channel}"`);
    this.outageLogged = false;
    this.options.onConnected();
    this.settle(true);
    this.scheduleHeartbeat(generation);
  }

  /** Sends a probe through the app's connection and waits for it to come back on the LISTEN. */
  private async probe(): Promise<void> {
    const nonce = randomBytes(8).toString("hex");
    let timeout: NodeJS.Timeout | undefined;
    const back = new Promise<void>((resolve, reject) => {
      this.probes.set(nonce, { resolve, reject });
      timeout = setTimeout(
        () => reject(new Error(`no notification came back within ${this.timing.probeTimeoutMs} ms`)),
        this.timing.probeTimeoutMs,
      );
      // Left ref'd: a probe waits on unref'd sockets, and `ready` must settle before the process may
      // exit. The wait is bounded by probeTimeoutMs.
    });
    back.catch(() => {});
    try {
      await this.options.sendProbe(formatProbe(nonce));
      await back;
    } finally {
      clearTimeout(timeout);
      this.probes.delete(nonce);
    }
  }

  private scheduleHeartbeat(generation: number): void {
    const every = this.timing.heartbeatMs;
    if (every === null || !this.options.adapter!.canDrop) return;
    this.timer = setTimeout(() => {
      this.probe().then(
        () => generation === this.generation && this.scheduleHeartbeat(generation),
        (err) => generation === this.generation && this.current === "listening" && this.lost(err),
      );
    }, every);
    this.timer.unref();
  }

  /** The connection dropped (or stopped delivering) while listening. */
  private lost(err: unknown): void {
    void this.teardown();
    this.fail(err);
  }

  private async teardown(): Promise<void> {
    this.generation++;
    clearTimeout(this.timer);
    const connection = this.connection;
    this.connection = null;
    await connection?.close();
  }

  private fail(err: unknown): void {
    this.current = "unavailable";
    this.settle(false);
    if (!this.outageLogged) {
      this.outageLogged = true;
      this.options.log(
        `${this.everListened ? "lost LISTEN" : "LISTEN unavailable"} on "${this.options.channel}" (${describe(err)}); ` +
          "sessions are re-read every resyncInterval until it works; retrying in the background",
      );
    }
    const { retryInitialMs, retryMaxMs } = this.timing;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }
}
