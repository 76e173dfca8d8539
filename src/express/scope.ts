import type { Request, Response } from "express";
import type { AuthContext } from "../core/context.js";
import type { AuthSession } from "../sessions/state.js";

/** One request as the express layer sees it: the request, the response and the auth context. */
export interface AuthScope {
  req: Request;
  res: Response;
  ctx: AuthContext;
}

/** The session's auth state, if any. */
export function authState(scope: AuthScope): AuthSession | undefined {
  return scope.req.session?.auth;
}

/** The auth state of a fully signed-in session, if any. */
export function signedIn(scope: AuthScope): AuthSession | undefined {
  const auth = scope.req.session?.auth;
  return auth?.loggedIn ? auth : undefined;
}
