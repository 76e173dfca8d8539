/**
 * `ExpressAuth(config)`: an Auth.js-style router. Mount it with `app.use("/auth", ExpressAuth(config))`
 * on Express 4 or 5; it brings its own session (unless the app mounted express-session), body parsing
 * and the auth middleware, so it works whatever the app mounts before or after it.
 */
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import session from "express-session";
import { eq } from "drizzle-orm";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { sessionKey } from "../core/session-records.js";
import { authErrorHandler, describeError } from "../express/error-handler.js";
import { createAuthMiddleware } from "../express/middleware.js";
import { createSessionStore } from "../express/session-store.js";
import { csrfTokenOf } from "./csrf.js";
import { type ExpressAuthConfig, resolveRestOptions } from "./options.js";
import { pageRoutes } from "./page-route.js";
import { accountRoutes } from "./routes-account.js";
import { signInRoutes } from "./routes-signin.js";
import { twoFactorRoutes } from "./routes-two-factor.js";
import { routeFactory } from "./route.js";
import { sessionView } from "./session-view.js";
import "../express/augment.js";

const BODY_LIMIT = "16kb";

/** When this request's session expires: its stored row's expiry (what getSession reports), else its cookie's. */
async function sessionExpiry(ctx: AuthContext, req: Request): Promise<Date> {
  const s = ctx.t.sessions;
  const [row] = await ctx.db
    .select({ expires: s.expires })
    .from(s)
    .where(eq(s.id, sessionKey(req.sessionID)))
    .limit(1);
  return row?.expires ?? req.session.cookie.expires ?? new Date(ctx.now().getTime() + 30 * 60_000);
}

/**
 * Creates the router. Endpoints: `GET /csrf`, `GET /providers`, `GET /session`, `POST /signin/credentials`,
 * `GET|POST /signin/:provider`, `GET /callback/:provider`, `POST /signout`, `POST /register`,
 * `POST /verify-email`, `POST /password/forgot`, `POST /password/reset`, `POST /two-factor/verify`,
 * `POST /two-factor/setup/totp[/confirm]`, and the pages. See docs/rest-api.md.
 * @throws {AuthConfigError} INVALID_CONFIG at creation
 */
export function ExpressAuth(config: ExpressAuthConfig): Router {
  const options = resolveRestOptions(config);
  const context = getAuthContext(config);
  context.catch(() => {});
  const ownSession = session({
    name: options.cookieName,
    secret: options.sessionSecrets,
    store: createSessionStore(config, config.sessionStore),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", secure: options.secureCookies, path: "/" },
  });
  const route = routeFactory(context, options);
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => (req.session ? next() : ownSession(req, res, next)));
  router.use(express.json({ limit: BODY_LIMIT }), express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  router.use(createAuthMiddleware(config));

  router.get(
    "/csrf",
    route.get("error", async (scope) => {
      scope.res.set("Cache-Control", "no-store").json({ csrfToken: csrfTokenOf(scope.req) });
    }),
  );
  router.get(
    "/providers",
    route.get("error", async (scope) => {
      const base = `${scope.req.protocol}://${scope.req.get("host")}${scope.base}`;
      const list: Record<string, unknown> = {
        credentials: {
          id: "credentials",
          name: "Credentials",
          type: "credentials",
          signinUrl: `${base}/signin/credentials`,
          callbackUrl: `${base}/callback/credentials`,
        },
      };
      for (const id of Object.keys(scope.req.auth.providers))
        list[id] = {
          id,
          name: id,
          type: "oauth",
          signinUrl: `${base}/signin/${id}`,
          callbackUrl: `${base}/callback/${id}`,
        };
      scope.res.set("Cache-Control", "no-store").json(list);
    }),
  );
  router.get(
    "/session",
    route.get("error", async (scope) => {
      const auth = scope.req.session?.auth;
      scope.res.set("Cache-Control", "no-store");
      if (!auth?.loggedIn) return void scope.res.json(null);
      const expires = await sessionExpiry(scope.ctx, scope.req);
      const actor = auth.actor
        ? { accountId: auth.actor.accountId, email: auth.actor.email, expiresAt: auth.actor.expiresAt }
        : undefined;
      scope.res.json(
        await sessionView(
          scope.ctx,
          { id: auth.accountId, userId: auth.userId, email: auth.email, rolemask: auth.rolemask },
          expires,
          actor,
        ),
      );
    }),
  );
  signInRoutes(router, route);
  accountRoutes(router, route, config.mail);
  twoFactorRoutes(router, route);
  if (options.pages) pageRoutes(router, route);

  // Failures before any route ran (a malformed body, the session store or the database down): answered
  // directly, never by a redirect, since the error page would fail the same way (no redirect loop).
  const lastResort = authErrorHandler({
    log: (err) => console.error(`[express-drizzle-auth] auth router error: ${describeError(err)}`),
  });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: unknown })?.status;
    if (typeof status === "number" && status >= 400 && status < 500)
      return void res.status(status).json({ error: "INVALID_INPUT", message: "Malformed request" });
    lastResort(err, req, res, next);
  });
  return router;
}

/** The same router under Auth.js's other name. */
export const createAuthRouter = ExpressAuth;
