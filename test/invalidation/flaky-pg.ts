import pg from "pg";

/**
 * What sits between an app and PostgreSQL, for the listener's connection only (recognised by its
 * `application_name`):
 * - `swallow-listen`: LISTEN "succeeds" but nothing is ever delivered (PgBouncer in transaction mode);
 * - `refuse-listen`: LISTEN fails (a hot standby refuses it);
 * - `drop-notifications`: the connection stays up but notifications stop arriving (a silent loss);
 * - `gate`: while set, the listener cannot connect (the server is unreachable).
 */
export interface FlakyControl {
  mode: "normal" | "swallow-listen" | "refuse-listen" | "drop-notifications";
  gate: Promise<void> | null;
}

type Method = (this: pg.Client, ...args: unknown[]) => unknown;

function isListener(client: pg.Client): boolean {
  const name = (client as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters
    ?.application_name;
  return typeof name === "string" && name.includes("auth listener");
}

/** A node-postgres `Client` class (for `new pg.Pool({ Client })`) whose listener connection misbehaves on demand. */
export function flakyPgClient(): { Client: typeof pg.Client; control: FlakyControl } {
  const control: FlakyControl = { mode: "normal", gate: null };
  class FlakyClient extends pg.Client {}
  const base = pg.Client.prototype as unknown as Record<"query" | "connect" | "emit", Method>;
  const proto = FlakyClient.prototype as unknown as Record<"query" | "connect" | "emit", Method>;
  proto.connect = async function (this: pg.Client, ...args: unknown[]) {
    if (isListener(this)) while (control.gate) await control.gate;
    return base.connect.apply(this, args);
  };
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (isListener(this) && typeof args[0] === "string" && /^listen /i.test(args[0])) {
      if (control.mode === "swallow-listen") return Promise.resolve({ rows: [], rowCount: null });
      if (control.mode === "refuse-listen") return Promise.reject(new Error("cannot execute LISTEN during recovery"));
    }
    return base.query.apply(this, args);
  };
  proto.emit = function (this: pg.Client, ...args: unknown[]) {
    if (args[0] === "notification" && control.mode === "drop-notifications" && isListener(this)) return false;
    return base.emit.apply(this, args);
  };
  return { Client: FlakyClient, control };
}
