import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { AuthConfig } from "../config.js";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { validityInput } from "../sessions/check.js";
import { decideSession } from "../sessions/validity.js";
import { SessionMissingError } from "../errors.js";
import { AuthManager } from "./auth-manager.js";
import { restoreFromRememberCookie } from "./remember-cookie.js";
import { resyncSession } from "./resync.js";
import { commitSessionBeforeAnswer } from "./session-commit.js";
import { hasSession } from "./session-promises.js";

/**
 * Puts the auth API on `req.auth`. Mount it after express-session. The config is validated here, once;
 * on each request the session is kept in step with its account (at most once per `resyncInterval`) and
 * an anonymous request with a remember-me cookie is signed in from it. With the library's session store,
 * a changed session is written before the response is sent, and not at all when the request fails.
 * @throws {AuthConfigError} INVALID_CONFIG at creation
 */
export function createAuthMiddleware(config: AuthConfig): RequestHandler {
  const contextPromise = getAuthContext(config);
  let ready: AuthContext | null = null;
  contextPromise.then(
    (ctx) => void (ready = ctx),
    () => {},
  );
  async function slowPath(req: Request, res: Response, next: NextFunction, ctx: AuthContext): Promise<void> {
    req.auth = new AuthManager(req, res, ctx);
    await resyncSession(req.auth.scope);
    await restoreFromRememberCookie(req.auth.scope);
    next();
  }
  return function authMiddleware(req: Request, res: Response, next: NextFunction): void {
    try {
      if (req.auth instanceof AuthManager) return next();
      if (!hasSession(req))
        throw new SessionMissingError();
      // A changed session is written before the answer goes out, so a failed write is answered (503).
      commitSessionBeforeAnswer(req, res);
      const ctx = ready;
      // The hot path: a signed-in session whose fields are fresh needs no query and no remember-me
      // check, so it is decided synchronously.
      if (ctx && decideSession(validityInput(ctx, req.session.auth)).kind === "valid") {
        req.auth = new AuthManager(req, res, ctx);
        return next();
      }
      (ctx ? slowPath(req, res, next, ctx) : contextPromise.then((c) => slowPath(req, res, next, c))).catch(next);
    } catch (err) {
      next(err);
    }
  };
}
