/** Wraps the router's handlers: scope, CSRF and origin checks for POSTs, and error answers. */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { AuthContext } from "../core/context.js";
import { FAILURE_STATUS } from "../errors.js";
import { unavailableAnswer } from "../express/error-handler.js";
import { assertCsrfToken, assertSameOrigin } from "./csrf.js";
import type { ResolvedRestOptions } from "./options.js";
import { type RouteScope, failWith, routeScope } from "./respond.js";

/** The answer when not even the route's scope could be built: 503 for a lost database, else 500. */
function lastResort(res: Response, err: unknown): void {
  const unavailable = unavailableAnswer(err);
  if (unavailable) res.status(unavailable.status).json(unavailable.body);
  else res.status(FAILURE_STATUS.INTERNAL_ERROR).json({ error: "Configuration", message: "Internal error" });
}

/** A route's work; it answers through `succeed` (or renders) itself. */
export type RouteWork = (scope: RouteScope) => Promise<void>;

/** Builds handlers sharing the context promise and the resolved options. */
export function routeFactory(context: Promise<AuthContext>, options: ResolvedRestOptions) {
  const run =
    (page: string, work: RouteWork, post: boolean): RequestHandler =>
    (req: Request, res: Response, _next: NextFunction) => {
      void (async () => {
        let scope: RouteScope | null = null;
        try {
          scope = routeScope(req, res, await context, options);
          if (post) {
            assertSameOrigin(req, options.trustedOrigins);
            assertCsrfToken(req, scope.fields.csrfToken);
          }
          await work(scope);
        } catch (err) {
          if (res.headersSent) return;
          if (scope) failWith(scope, err, page);
          else lastResort(res, err);
        }
      })().catch((err: unknown) => {
        // Answering failed too: never an unhandled rejection, never a request left without an answer.
        if (!res.headersSent) lastResort(res, err);
        else if (!res.writableEnded) res.destroy();
      });
    };
  return {
    /** A state-changing route: same origin and a valid CSRF token first; on error, back to `page`. */
    post: (page: string, work: RouteWork) => run(page, work, true),
    /** A read-only route. */
    get: (page: string, work: RouteWork) => run(page, work, false),
  };
}
