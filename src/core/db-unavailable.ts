/**
 * The one place that decides whether an error means "the database cannot be reached right now" (a lost
 * or refused connection, a terminated backend, a server shutting down or out of connections), as opposed
 * to a bug or a bad statement. Every surface that maps errors to answers asks this function.
 */

/** The stable code of an answer given because the database was unavailable. */
export const DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE";

/** Driver codes (postgres.js, node-postgres, Node sockets) of a connection that failed or was lost. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01-57P05 (admin shutdown,
 * crash shutdown, cannot connect now, database dropped, idle session timeout) and 53300 (too many
 * connections).
 */
const UNAVAILABLE_STATE = /^(08[0-9A-Z]{3}|57P0[1-5]|53300)$/;

/** node-postgres reports a lost connection with these messages and no code. */
const CONNECTION_MESSAGES = [
  "Connection terminated",
  "Connection terminated unexpectedly",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "timeout exceeded when trying to connect",
];

function isConnectionFailure(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") return CONNECTION_CODES.has(code) || UNAVAILABLE_STATE.test(code);
  const message = e instanceof Error ? e.message : undefined;
  return message !== undefined && CONNECTION_MESSAGES.includes(message);
}

/**
 * True when an error (possibly wrapped by Drizzle or by the library, up to four `cause` levels deep)
 * says the database connection was refused, lost or terminated. Such a request gets a 503
 * `DATABASE_UNAVAILABLE`, never a 500, and is safe to retry.
 * @example isDatabaseUnavailable(Object.assign(new Error("x"), { code: "57P01" })) // true
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e === "object" && isConnectionFailure(e)) return true;
  }
  return false;
}
