/**
 * CSRF protection of the router's POSTs: a synchronizer token kept in the server session (so it rotates
 * whenever the session id does: sign-in, sign-out), sent back in the body (`csrfToken`, Auth.js style) or
 * the `X-CSRF-Token` header and compared in constant time; plus Fetch Metadata and Origin checks.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { CsrfError } from "../errors.js";

/** A state-changing request failed the CSRF checks (HTTP 403); defined with the other errors in src/errors.ts. */
export { CsrfError };

declare module "express-session" {
  interface SessionData {
    /** The CSRF token of this session. */
    csrfToken?: string;
  }
}

/** The session's CSRF token, created on first use. */
export function csrfTokenOf(req: Request): string {
  const existing = req.session.csrfToken;
  if (typeof existing === "string" && existing.length === 43) return existing;
  const token = randomBytes(32).toString("base64url");
  req.session.csrfToken = token;
  return token;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** The request's own origin, as Express sees it (`trust proxy` decides whether X-Forwarded-* count). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === "null" ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * Refuses a cross-site POST: `Sec-Fetch-Site: cross-site`, or an `Origin` (else `Referer`) that is
 * neither the request's own origin nor trusted. Requests without either header (non-browser clients)
 * pass on to the token check.
 * @throws {CsrfError}
 */
export function assertSameOrigin(req: Request, trusted: ReadonlySet<string>): void {
  if (req.get("sec-fetch-site") === "cross-site") throw new CsrfError("origin");
  const header = req.get("origin") ?? req.get("referer");
  if (header === undefined) return;
  const origin = originOf(header);
  if (origin === null || (origin !== requestOrigin(req) && !trusted.has(origin))) throw new CsrfError("origin");
}

/** Checks the token of a POST against the session's, in constant time. @throws {CsrfError} */
export function assertCsrfToken(req: Request, presented: unknown): void {
  const expected = req.session?.csrfToken;
  const header = req.get("x-csrf-token");
  const token = typeof presented === "string" && presented.length > 0 ? presented : header;
  if (typeof expected !== "string" || typeof token !== "string" || token.length > 256) throw new CsrfError("token");
  if (!timingSafeEqual(digest(token), digest(expected))) throw new CsrfError("token");
}
