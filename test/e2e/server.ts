/**
 * The app under test for the end-to-end suites: the demo (`createDemoApp`) on this worker's test database,
 * listening on 127.0.0.1 with a port the OS picks, and a development outbox the test reads the emailed
 * links from.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createDemoApp, type DemoAppOptions } from "../../examples/demo/app.js";
import { DevOutbox, type OutboxKind, type OutboxMessage } from "../../examples/demo/outbox.js";
import { describeError } from "../../src/index.js";
import type { TestDb } from "../helpers/db.js";

/** A running demo. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The demo's outbox: every link token and two-factor code it "sent". */
  outbox: DevOutbox;
  /** Unexpected errors the demo logged (class names and codes, from `describeError`). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Starts the demo on `db` (the test database, emptied by `useTestEnv` before each test). The auth config
 * keeps the real clock: the browser flow computes TOTP codes from the wall clock too.
 */
export async function startDemoServer(
  db: TestDb,
  options: Pick<DemoAppOptions, "authConfig" | "adminEmail"> = {},
): Promise<DemoServer> {
  const outbox = new DevOutbox();
  const errors: string[] = [];
  const app = createDemoApp({
    db: db.db,
    outbox,
    logError: (err) => {
      const line = describeError(err);
      errors.push(line);
      console.error("[e2e demo] error:", line);
    },
    ...options,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    outbox,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The newest outbox message of `kind` to `to`, waiting up to `timeoutMs` for it (mail hooks may run after
 * the response). Only messages after the first `after` ones count, so a second reset link is not confused
 * with the first. @throws naming what the outbox holds when none arrives
 */
export async function waitForMessage(
  outbox: DevOutbox,
  kind: OutboxKind,
  to: string,
  { after = 0, timeoutMs = 15_000 }: { after?: number; timeoutMs?: number } = {},
): Promise<OutboxMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = outbox.messages
      .slice(after)
      .filter((m) => m.kind === kind && m.to === to)
      .at(-1);
    if (found) return found;
    if (Date.now() > deadline) {
      const held = outbox.messages.map((m) => `${m.kind} to ${m.to}`).join("; ") || "nothing";
      throw new Error(`no ${kind} message to ${to} in the outbox within ${timeoutMs} ms (it holds: ${held})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The link a message carries: its `url` when the outbox records one, else an http(s) URL in `next`, else
 * `<base><path>?token=<token>` (the link the REST router mails: `/auth/verify-request?token=…`,
 * `/auth/reset?token=…`).
 */
export function linkOf(message: OutboxMessage, base: string, path: string): string {
  const url = (message as OutboxMessage & { url?: unknown }).url;
  if (typeof url === "string" && /^https?:\/\//.test(url)) return url;
  const inNext = /https?:\/\/\S+/.exec(message.next)?.[0];
  if (inNext) return inNext;
  return `${base}${path}?token=${encodeURIComponent(message.token)}`;
}
