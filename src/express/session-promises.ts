import type { Request } from "express";
import { SessionMissingError } from "../errors.js";

function requireSession(req: Request) {
  if (!req.session || typeof req.session.regenerate !== "function") {
    throw new SessionMissingError();
  }
  return req.session;
}

/**
 * Promise form of `req.session.regenerate`: a new session id, the old server state destroyed. There is
 * no explicit save afterwards: express-session saves the new session before the response ends, and a
 * second save would only write the same row twice.
 */
export function regenerateSession(req: Request): Promise<void> {
  const session = requireSession(req);
  return new Promise((resolve, reject) => session.regenerate((err) => (err ? reject(err) : resolve())));
}

/** True when the request carries an express-session. */
export function hasSession(req: Request): boolean {
  return !!req.session && typeof req.session.regenerate === "function";
}
