/**
 * Commits the session before the response goes out, so a failed write is answered instead of cutting
 * the connection. express-session saves (or touches) the session inside `res.end`, after the status and
 * headers are already written: when that write fails (a database connection killed mid-request) it can
 * only destroy the socket, and the client gets no HTTP answer at all. Here the library's own store writes
 * a changed session first; on failure the route's answer is replaced by the error's (503
 * `DATABASE_UNAVAILABLE` for a lost connection). A request answered with a 5xx, or whose session went past
 * the bounds, writes nothing: no signed-in session is left behind by a sign-in that failed half-way.
 */
import type { Request, Response } from "express";
import { describeError, errorAnswer } from "./error-handler.js";
import { clearSessionData, sessionDataJson, sessionTooLarge } from "./session-bounds.js";
import { DrizzleSessionStore } from "./session-store.js";

const installed = new WeakSet<object>();

function storeOf(req: Request): DrizzleSessionStore | null {
  const store = (req as { sessionStore?: unknown }).sessionStore;
  return store instanceof DrizzleSessionStore ? store : null;
}

function dataOf(req: Request): string | null {
  try {
    return sessionDataJson(req.session);
  } catch {
    return null;
  }
}

/**
 * Makes the request's session changes never reach the store (the row stays as it was loaded). Used when
 * a request fails in a way that is not answered with a 5xx (a browser redirected to the error page).
 */
export function discardSessionChanges(req: Request): void {
  const store = storeOf(req);
  if (store && req.session) store.discard(req.session);
}

/** Replaces the response about to be sent with the answer to `err` (headers and body alike). */
function answerInstead(res: Response, end: Response["end"], err: unknown): void {
  const answer = errorAnswer(err);
  if (answer.unexpected) console.error(`[express-drizzle-auth] session save failed: ${describeError(err)}`);
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const body = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader("Cache-Control", "no-store");
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  end.call(res, body, "utf8");
}

/**
 * Installs the commit on this request (once; only when the session store is the library's). Call it
 * after express-session ran and before anything changes the session.
 */
export function commitSessionBeforeAnswer(req: Request, res: Response): void {
  const store = storeOf(req);
  if (!store || !req.session || installed.has(res)) return;
  installed.add(res);
  const loadedId = req.sessionID;
  // What the store handed over was bounded when it was read: serialising it is enough (no walk).
  const loaded = store.loadedDataOf(req.session) ?? JSON.stringify({ ...req.session, cookie: undefined });
  const end = res.end;
  res.end = function commitThenEnd(this: Response, ...args: unknown[]) {
    res.end = end;
    const sess = req.session;
    const send = () => (end as (...a: unknown[]) => Response).apply(res, args);
    if (res.headersSent || !sess) return send();
    if (res.statusCode >= 500) {
      store.discard(sess);
      return send();
    }
    const data = dataOf(req);
    if (data === null) {
      // Past the bounds: nothing of it is written, and nothing deep is left for express-session to hash.
      store.discard(sess);
      clearSessionData(sess);
      answerInstead(res, end, sessionTooLarge());
      return res;
    }
    if (req.sessionID === loadedId && data === loaded) return send();
    store.set(req.sessionID, sess, (err) => {
      if (!err) return void send();
      store.discard(sess);
      answerInstead(res, end, err);
    });
    return res;
  } as Response["end"];
}
