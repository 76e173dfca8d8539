import type { ErrorRequestHandler } from "express";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../core/db-unavailable.js";
import { FAILURE_STATUS, RateLimitedError, SecondFactorRequiredError, authErrorStatus, isAuthError } from "../errors.js";

/** The status of every error code lives with the errors (no Express there); re-exported for this surface. */
export { AUTH_ERROR_STATUS, authErrorStatus } from "../errors.js";

/**
 * A log line for an unexpected error: class names and codes along the cause chain, never the message
 * (driver and Drizzle messages embed SQL parameters, which can be token or password hashes).
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const name = e instanceof Error ? e.constructor.name : typeof e;
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === "string" || typeof code === "number" ? `${name}(${String(code).slice(0, 32)})` : name);
  }
  return parts.join(" <- ");
}

/** Body-parser errors (malformed JSON, oversized bodies) carry a 4xx `status`. */
function clientStatus(err: unknown): number | null {
  const status = (err as { status?: unknown; expose?: unknown })?.status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : null;
}

/** How an error is answered over HTTP: status, JSON body, extra headers, and whether it is unexpected (logged). */
export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  unexpected: boolean;
}

/** The answer to a lost database connection (503 `DATABASE_UNAVAILABLE`), or null for any other error. */
export function unavailableAnswer(err: unknown): ErrorAnswer | null {
  if (!isDatabaseUnavailable(err)) return null;
  return {
    status: FAILURE_STATUS[DATABASE_UNAVAILABLE],
    body: { error: DATABASE_UNAVAILABLE, message: "Service unavailable" },
    headers: {},
    unexpected: true,
  };
}

/**
 * The answer to an error, the one mapping every JSON surface uses: an {@link AuthError} is its status
 * ({@link AUTH_ERROR_STATUS}, 400 for a code that is not the library's) with `{ error: code, message }` (plus `Retry-After` and `methods` where they apply); a body the parser
 * refused stays 4xx; a lost database connection is 503 `DATABASE_UNAVAILABLE`; anything else is a bare
 * 500 `INTERNAL_ERROR`. No stack, SQL or secret is ever part of it.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (isAuthError(err)) {
    const status = authErrorStatus(err.code);
    const headers: Record<string, string> =
      err instanceof RateLimitedError ? { "Retry-After": String(err.retryAfter) } : {};
    const body: Record<string, unknown> = { error: err.code, message: status >= 500 ? "Internal error" : err.message };
    // The second-factor prompt tells the client which methods can answer (masked contacts only).
    if (err instanceof SecondFactorRequiredError) body.methods = err.availableMethods;
    return { status, body, headers, unexpected: status >= 500 };
  }
  const client = clientStatus(err);
  if (client !== null) {
    const error = client === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
    return { status: client, body: { error, message: "Malformed request" }, headers: {}, unexpected: false };
  }
  return (
    unavailableAnswer(err) ?? {
      status: FAILURE_STATUS.INTERNAL_ERROR,
      body: { error: "INTERNAL_ERROR", message: "Internal error" },
      headers: {},
      unexpected: true,
    }
  );
}

/**
 * Maps errors to JSON responses with {@link errorAnswer}: an {@link AuthError} becomes its status with
 * `{ error: code, message }`; malformed request bodies stay 4xx; a database outage is a 503
 * `DATABASE_UNAVAILABLE`; anything else is a bare 500 with no stack, SQL or secret in it. Unexpected
 * errors (and 5xx codes) go to `log`.
 */
export function authErrorHandler(options: { log?: (err: unknown) => void } = {}): ErrorRequestHandler {
  const log =
    options.log ?? ((err: unknown) => console.error(`[express-drizzle-auth] unexpected error: ${describeError(err)}`));
  return function authErrorHandlerMiddleware(err, _req, res, next) {
    if (res.headersSent) return next(err);
    const answer = errorAnswer(err);
    if (answer.unexpected) log(err);
    res.set(answer.headers).status(answer.status).json(answer.body);
  };
}
