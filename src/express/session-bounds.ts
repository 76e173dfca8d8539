/**
 * What a session may hold before it is written: at most {@link MAX_JSON_DEPTH} levels of nesting and
 * {@link MAX_SESSION_BYTES} of JSON. A session past either bound (an app that copied a request body into
 * it, say) is refused with `SESSION_TOO_LARGE` before anything recursive touches it: express-session
 * hashes every session with JSON.stringify at the end of each request, and a deep enough value makes that
 * throw after the response was already committed, so the request would never be answered.
 */
import type session from "express-session";
import { MAX_JSON_DEPTH, valueTooLarge } from "../core/json-bounds.js";
import { MAX_SESSION_BYTES, parseSess } from "../sessions/stored-session.js";
import { SessionTooLargeError } from "../errors.js";

export { MAX_SESSION_BYTES } from "../sessions/stored-session.js";
/** Most array elements and object properties a session may hold in all. */
const MAX_SESSION_NODES = 10_000;

/** The refusal of a session past the bounds (HTTP 413). */
export function sessionTooLarge(): SessionTooLargeError {
  return new SessionTooLargeError();
}

/**
 * The session's data as JSON without its cookie (what decides whether it changed), after checking the
 * bounds. @throws {AuthError} SESSION_TOO_LARGE
 */
export function sessionDataJson(sess: session.SessionData): string {
  if (valueTooLarge(sess, { depth: MAX_JSON_DEPTH, nodes: MAX_SESSION_NODES })) throw sessionTooLarge();
  const json = JSON.stringify({ ...sess, cookie: undefined });
  if (json.length > MAX_SESSION_BYTES) throw sessionTooLarge();
  return json;
}

/** The whole session as stored (cookie included), after checking the bounds. @throws {AuthError} SESSION_TOO_LARGE */
export function sessionJson(sess: session.SessionData): { json: string; data: string } {
  const data = sessionDataJson(sess);
  return { json: JSON.stringify(sess), data };
}

/**
 * A stored session, or null when its JSON is malformed or past the bounds (a row written before they
 * existed): nothing deep is ever parsed, nor handed to express-session to hash.
 */
export function parseStoredSession(json: string): session.SessionData | null {
  return parseSess(json) as session.SessionData | null;
}

/** Empties a session's data (its cookie stays), so nothing past the bounds is left for anything to walk. */
export function clearSessionData(sess: session.SessionData): void {
  for (const key of Object.keys(sess)) if (key !== "cookie") delete (sess as unknown as Record<string, unknown>)[key];
}
