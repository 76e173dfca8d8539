/** How the router answers: JSON for API clients, redirects (303) for browser form posts. */
import type { Request, Response } from "express";
import type { AuthContext } from "../core/context.js";
import {
  FAILURE_STATUS,
  InvalidPasswordError,
  RateLimitedError,
  SecondFactorRequiredError,
  authErrorStatus,
  isAuthError,
} from "../errors.js";
import { describeError, unavailableAnswer } from "../express/error-handler.js";
import { discardSessionChanges } from "../express/session-commit.js";
import { type BodyFields, bodyFields } from "./body.js";
import { requestOrigin } from "./csrf.js";
import type { ResolvedRestOptions } from "./options.js";
import { safeRedirect } from "./redirects.js";

/** One router request: the request, response, parsed fields and the resolved options. */
export interface RouteScope {
  req: Request;
  res: Response;
  ctx: AuthContext;
  options: ResolvedRestOptions;
  fields: BodyFields;
  /** Where the router is mounted, e.g. `/auth`. */
  base: string;
  json: boolean;
}

/** True when the client wants JSON: a JSON body, or an Accept header preferring JSON over HTML. */
export function wantsJson(req: Request): boolean {
  if (req.is("application/json")) return true;
  const accept = req.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** Builds the scope of a request. */
export function routeScope(req: Request, res: Response, ctx: AuthContext, options: ResolvedRestOptions): RouteScope {
  return { req, res, ctx, options, fields: bodyFields(req), base: req.baseUrl, json: wantsJson(req) };
}

/** The validated `callbackUrl` of the request (body, then query), or the default redirect. */
export function callbackUrlOf(scope: RouteScope): string {
  const raw = scope.fields.callbackUrl ?? scope.req.query.callbackUrl;
  return safeRedirect(raw, requestOrigin(scope.req), scope.options.trustedOrigins, scope.options.defaultRedirect);
}

/** Answers a success: `json` for API clients, a 303 redirect to `to` for browsers. */
export function succeed(scope: RouteScope, json: Record<string, unknown>, to: string): void {
  scope.res.set("Cache-Control", "no-store");
  if (scope.json) scope.res.json({ ...json, url: to });
  else scope.res.redirect(303, to);
}

/** The Auth.js error name of a failure: `CredentialsSignin` for bad credentials, else the stable code. */
function errorName(err: unknown): string {
  if (err instanceof InvalidPasswordError && err.code === "INVALID_CREDENTIALS") return "CredentialsSignin";
  return isAuthError(err) ? err.code : "Configuration";
}

/**
 * Answers a failure. API clients get the status of the error's code (`AUTH_ERROR_STATUS`, the one map) and `{ error, message }` (plus
 * `methods` for a second factor, `retryAfter` with `Retry-After`); browsers are sent back to `page` with
 * `?error=`. An unexpected error is logged by class name, its session changes are dropped, and it is
 * answered as a 503 `DATABASE_UNAVAILABLE` (lost connection) or a generic 500, or the error page.
 */
export function failWith(scope: RouteScope, err: unknown, page: string): void {
  const { res } = scope;
  res.set("Cache-Control", "no-store");
  const known = isAuthError(err);
  if (!known) {
    console.error(`[express-drizzle-auth] auth router error: ${describeError(err)}`);
    discardSessionChanges(scope.req);
  }
  if (err instanceof RateLimitedError) res.set("Retry-After", String(err.retryAfter));
  const name = errorName(err);
  const unavailable = known ? null : unavailableAnswer(err);
  if (scope.json && unavailable) return void res.status(unavailable.status).json(unavailable.body);
  if (scope.json) {
    const status = known ? authErrorStatus(err.code) : FAILURE_STATUS.INTERNAL_ERROR;
    const body: Record<string, unknown> = known
      ? { error: name, code: err.code, message: err.message }
      : { error: "Configuration", message: "Internal error" };
    if (err instanceof SecondFactorRequiredError) body.methods = err.availableMethods;
    if (err instanceof RateLimitedError) body.retryAfter = err.retryAfter;
    res.status(status).json(body);
    return;
  }
  const target = new URL(`${scope.base}/${page}`, "http://x");
  target.searchParams.set("error", name);
  if (name === "CredentialsSignin") target.searchParams.set("code", "credentials");
  const callbackUrl = callbackUrlOf(scope);
  if (callbackUrl !== scope.options.defaultRedirect) target.searchParams.set("callbackUrl", callbackUrl);
  // A refused new password keeps the reset link usable: back to the same form, token included.
  const token = scope.fields.token;
  if (
    page === "reset" &&
    typeof token === "string" &&
    /^[A-Za-z0-9_.-]{1,512}$/.test(token) &&
    name !== "INVALID_TOKEN"
  )
    target.searchParams.set("token", token);
  res.redirect(303, `${target.pathname}${target.search}`);
}
