/**
 * `ExpressAuth(config)`: an Auth.js-style router. Mount it with `app.use("/auth", ExpressAuth(config))`
 * on Express 4 or 5; it brings its own session (unless the app mounted express-session), body parsing
 * and the auth middleware, so it works whatever the app mounts before or after it.
 */
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import session from "express-session";
import { getAuthContext } from "../core/context.js";
import { authErrorHandler, describeError } from "../express/error-handler.js";
import { createAuthMiddleware } from "../express/middleware.js";
import { createSessionStore } from "../express/session-store.js";
import { jsonTextExceeds } from "../core/json-bounds.js";
import { BODY_JSON_LIMITS, BODY_LIMIT_BYTES } from "./body.js";
import { csrfTokenOf } from "./csrf.js";
import { type ExpressAuthConfig, resolveRestOptions } from "./options.js";
import { pageRoutes } from "./page-route.js";
import { providerListing } from "./provider-list.js";
import { accountRoutes } from "./routes-account.js";
import { signInRoutes } from "./routes-signin.js";
import { twoFactorRoutes } from "./routes-two-factor.js";
import { routeFactory } from "./route.js";
import { getSession } from "./session-view.js";
import "../express/augment.js";

/** Refuses a JSON body past {@link BODY_JSON_LIMITS} (too deep, too many members) before it is parsed (400). */
function refuseDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonTextExceeds(buf, BODY_JSON_LIMITS))
    throw Object.assign(new Error("JSON body too deep or too wide"), { status: 400, type: "entity.too.deep" });
}

/** A body over the limit is refused even when the app parsed it before the router (413). */
function refuseLargeBody(req: Request, _res: Response, next: NextFunction): void {
  const length = Number(req.get("content-length") ?? 0);
  if (length > BODY_LIMIT_BYTES)
    return next(Object.assign(new Error("Body too large"), { status: 413, type: "entity.too.large" }));
  next();
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
  router.use(
    refuseLargeBody,
    express.json({ limit: BODY_LIMIT_BYTES, verify: refuseDeepJson }),
    express.urlencoded({ extended: false, limit: BODY_LIMIT_BYTES, parameterLimit: 64 }),
  );
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
      scope.res.set("Cache-Control", "no-store").json(providerListing(scope));
    }),
  );
  router.get(
    "/session",
    route.get("error", async (scope) => {
      scope.res.set("Cache-Control", "no-store");
      // The middleware has just run the validity decision: this reads no database.
      scope.res.json(await getSession(scope.req, config));
    }),
  );
  signInRoutes(router, route);
  accountRoutes(router, route, config.mail);
  twoFactorRoutes(router, route);
  if (options.pages) pageRoutes(router, route);

  // Failures before any route ran (a malformed body, the session store or the database down): answered
  // directly, never by a redirect, since the error page would fail the same way (no redirect loop). The
  // answer is authErrorHandler's, as for the app's own routes: a refused body keeps the parser's 4xx
  // (`BAD_REQUEST`, `PAYLOAD_TOO_LARGE`), an AuthError its code's status.
  router.use(
    authErrorHandler({
      log: (err) => console.error(`[express-drizzle-auth] auth router error: ${describeError(err)}`),
    }),
  );
  return router;
}

/** The same router under Auth.js's other name. */
export const createAuthRouter = ExpressAuth;
