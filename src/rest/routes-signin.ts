/** Sign-in and sign-out routes: credentials, OAuth start and callback, sign-out. */
import type { Router } from "express";
import { AUTH_ERROR_STATUS, SecondFactorRequiredError, UnknownProviderError } from "../errors.js";
import type { ProviderHandle } from "../express/provider-handle.js";
import { isRememberFlag } from "../express/sign-in.js";
import { type RouteScope, callbackUrlOf, succeed } from "./respond.js";
import type { routeFactory } from "./route.js";
import { safeRedirect } from "./redirects.js";
import { requestOrigin } from "./csrf.js";

declare module "express-session" {
  interface SessionData {
    /** Where to send the browser after an OAuth sign-in started by the router. */
    oauthCallbackUrl?: string;
  }
}

function providerOf(scope: RouteScope): ProviderHandle {
  const name = String(scope.req.params.provider ?? "");
  const handle = Object.hasOwn(scope.req.auth.providers, name) ? scope.req.auth.providers[name] : undefined;
  if (!handle) throw new UnknownProviderError();
  return handle;
}

/** After a correct first factor: JSON 401 (the code's status) with the methods, or the browser to the two-factor page. */
function toSecondFactor(scope: RouteScope, err: SecondFactorRequiredError, callbackUrl: string): void {
  const to = `${scope.base}/two-factor?callbackUrl=${encodeURIComponent(callbackUrl)}`;
  scope.res.set("Cache-Control", "no-store");
  if (scope.json)
    scope.res
      .status(AUTH_ERROR_STATUS[err.code])
      .json({ error: err.code, code: err.code, message: err.message, methods: err.availableMethods, url: to });
  else scope.res.redirect(303, to);
}

/** Waits for this provider only (OIDC discovery, bounded by its timeout), then sends the browser to it. */
async function startOAuth(scope: RouteScope): Promise<void> {
  const provider = providerOf(scope);
  await provider.ready();
  const remember = isRememberFlag(scope.fields.remember ?? scope.req.query.remember);
  const url = provider.getAuthUrl({ remember });
  scope.req.session.oauthCallbackUrl = callbackUrlOf(scope);
  scope.res.set("Cache-Control", "no-store");
  if (scope.json) scope.res.json({ url });
  else scope.res.redirect(303, url);
}

/** Mounts `/signin/*`, `/callback/:provider` and `POST /signout`. */
export function signInRoutes(router: Router, route: ReturnType<typeof routeFactory>): void {
  const credentials = route.post("signin", async (scope) => {
    const { fields } = scope;
    const callbackUrl = callbackUrlOf(scope);
    try {
      await scope.req.auth.login(fields.email as string, fields.password as string, isRememberFlag(fields.remember));
    } catch (err) {
      if (err instanceof SecondFactorRequiredError) return toSecondFactor(scope, err, callbackUrl);
      throw err;
    }
    succeed(scope, { ok: true }, callbackUrl);
  });
  router.post("/signin/credentials", credentials);
  // Auth.js clients post credentials to the callback URL `GET /providers` lists for them.
  router.post("/callback/credentials", credentials);
  // GET starts a flow too (a link or button to `/signin/github`): the state is bound to this browser's
  // session, so it cannot sign anyone into someone else's account. POST needs the CSRF token.
  router.get(
    "/signin/:provider",
    route.get("error", (scope) => startOAuth(scope)),
  );
  router.post(
    "/signin/:provider",
    route.post("signin", (scope) => startOAuth(scope)),
  );

  router.get(
    "/callback/:provider",
    route.get("error", async (scope) => {
      const stored = scope.req.session.oauthCallbackUrl;
      const callbackUrl = safeRedirect(
        stored,
        requestOrigin(scope.req),
        scope.options.trustedOrigins,
        scope.options.defaultRedirect,
      );
      try {
        await providerOf(scope).handleCallback(scope.req);
      } catch (err) {
        if (err instanceof SecondFactorRequiredError) return toSecondFactor(scope, err, callbackUrl);
        throw err;
      }
      succeed(scope, { ok: true }, callbackUrl);
    }),
  );

  router.post(
    "/signout",
    route.post("signout", async (scope) => {
      const callbackUrl = callbackUrlOf(scope);
      await scope.req.auth.logout();
      succeed(scope, { ok: true }, callbackUrl);
    }),
  );
}
