import type { ErrorRequestHandler } from "express";
import { RateLimitedError, SecondFactorRequiredError, isAuthError } from "../errors.js";

/** HTTP status of each stable error code. Codes not listed map to 400. */
export const AUTH_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  INVALID_CREDENTIALS: 401,
  credentials: 401,
  NOT_LOGGED_IN: 401,
  SECOND_FACTOR_REQUIRED: 401,
  TWO_FACTOR_EXPIRED: 401,
  INVALID_TWO_FACTOR_CODE: 401,
  INVALID_BACKUP_CODE: 401,
  REAUTH_REQUIRED: 401,
  EMAIL_NOT_VERIFIED: 403,
  USER_INACTIVE: 403,
  RESET_DISABLED: 403,
  IMPERSONATION_DISABLED: 403,
  IMPERSONATION_NOT_ALLOWED: 403,
  OAUTH_STATE_INVALID: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  NOT_CONFIGURED: 404,
  USER_NOT_FOUND: 404,
  UNKNOWN_PROVIDER: 404,
  PROVIDER_NOT_LINKED: 404,
  OAUTH_ACCOUNT_EXISTS: 409,
  OAUTH_IDENTITY_TAKEN: 409,
  LAST_SIGN_IN_METHOD: 409,
  EMAIL_TAKEN: 409,
  USER_ID_TAKEN: 409,
  TWO_FACTOR_ALREADY_ENABLED: 409,
  ALREADY_IMPERSONATING: 409,
  RATE_LIMITED: 429,
  TOO_MANY_RESETS: 429,
  INVALID_CONFIG: 500,
  SESSION_MISSING: 500,
});

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P03",
  "53300",
]);

function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERRORS.has(code)) return true;
  }
  return false;
}

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

/**
 * Maps errors to JSON responses: an {@link AuthError} becomes its status with `{ error: code, message }`
 * (and `Retry-After` for rate limits); malformed request bodies stay 4xx; a database outage is a 503;
 * anything else is a bare 500 with no stack, SQL or secret in it.
 */
export function authErrorHandler(options: { log?: (err: unknown) => void } = {}): ErrorRequestHandler {
  const log =
    options.log ?? ((err: unknown) => console.error(`[express-drizzle-auth] unexpected error: ${describeError(err)}`));
  return function authErrorHandlerMiddleware(err, _req, res, next) {
    if (res.headersSent) return next(err);
    if (isAuthError(err)) {
      const status = AUTH_ERROR_STATUS[err.code] ?? 400;
      if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfter));
      if (status >= 500) log(err);
      const body: Record<string, unknown> = {
        error: err.code,
        message: status >= 500 ? "Internal error" : err.message,
      };
      // The second-factor prompt tells the client which methods can answer (masked contacts only).
      if (err instanceof SecondFactorRequiredError) body.methods = err.availableMethods;
      res.status(status).json(body);
      return;
    }
    const client = clientStatus(err);
    if (client !== null) {
      res
        .status(client)
        .json({ error: client === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message: "Malformed request" });
      return;
    }
    log(err);
    if (isUnavailable(err)) {
      res.status(503).json({ error: "SERVICE_UNAVAILABLE", message: "Service unavailable" });
      return;
    }
    res.status(500).json({ error: "INTERNAL_ERROR", message: "Internal error" });
  };
}
