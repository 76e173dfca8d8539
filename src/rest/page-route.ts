/** Serves the built-in pages: gathers the page data of a request and sends the HTML with its headers. */
import type { Router } from "express";
import { NotFoundError } from "../errors.js";
import { csrfTokenOf } from "./csrf.js";
import { type PageData, type PageName, createPageNonce, pageSecurityHeaders, renderPage } from "./pages/index.js";
import { type RouteScope, callbackUrlOf } from "./respond.js";
import type { routeFactory } from "./route.js";

const NOTICES = new Set(["verified", "reset-done", "reset-sent", "registered", "signed-out"]);
const MECHANISM_TYPES: Record<number, string> = { 1: "totp", 2: "email", 3: "sms" };

function queryString(scope: RouteScope, name: string, max: number, pattern?: RegExp): string | undefined {
  const value = scope.req.query[name];
  if (typeof value !== "string" || value.length === 0 || value.length > max) return undefined;
  return pattern && !pattern.test(value) ? undefined : value;
}

/** The origins of the configured providers' authorization endpoints (OIDC: once discovered). */
function providerOrigins(scope: RouteScope): string[] {
  const origins: string[] = [];
  for (const { provider } of scope.ctx.config.providers.entries.values()) {
    try {
      origins.push(provider.createAuthorizationUrl("state", "v".repeat(43)).origin);
    } catch {
      // Not discovered yet: its button's redirect would be blocked until it is; nothing to add.
    }
  }
  return origins;
}

/** Renders page `name` for this request, with `extra` data, and sends it. */
export function renderPageTo(scope: RouteScope, name: PageName, extra: Partial<PageData> = {}): void {
  const pages = scope.options.pages;
  if (!pages) throw new NotFoundError("Pages are turned off");
  const auth = scope.req.session?.auth;
  const pending = auth?.awaitingTwoFactor;
  const notice = queryString(scope, "notice", 32);
  const data: PageData = {
    basePath: scope.base,
    csrfToken: csrfTokenOf(scope.req),
    callbackUrl: callbackUrlOf(scope),
    providers: [...scope.ctx.config.providers.entries.values()].map((e) => ({
      id: e.id,
      name: e.displayName,
      ...(e.logo ? { logo: e.logo } : {}),
    })),
    ...(queryString(scope, "error", 64, /^[A-Za-z_]+$/) ? { error: queryString(scope, "error", 64) } : {}),
    ...(notice && NOTICES.has(notice) ? { notice: notice as PageData["notice"] } : {}),
    ...(queryString(scope, "token", 512, /^[A-Za-z0-9_.-]+$/) ? { token: queryString(scope, "token", 512) } : {}),
    ...(auth?.loggedIn ? { signedInEmail: auth.email } : {}),
    ...(pending
      ? {
          methods: [
            ...pending.availableMechanisms.map((m) => ({ type: MECHANISM_TYPES[m] ?? "totp" })),
            { type: "backup_code" },
          ],
        }
      : {}),
    ...extra,
  };
  const nonce = createPageNonce();
  // A form post that redirects off-site (to a provider, a trusted callback origin) is checked against
  // form-action too, so those origins are allowed; nothing else is.
  const formActionOrigins = [...scope.options.trustedOrigins, ...providerOrigins(scope)];
  const imageOrigins = [...scope.ctx.config.providers.entries.values()].flatMap((e) => (e.logo ? [e.logo] : []));
  scope.res.set(pageSecurityHeaders(nonce, pages, { formActionOrigins, imageOrigins }));
  scope.res.type("html").send(renderPage(name, data, pages, nonce));
}

const PAGES: [string, PageName][] = [
  ["/signin", "signin"],
  ["/register", "register"],
  ["/verify-request", "verify-request"],
  ["/reset", "reset"],
  ["/two-factor", "two-factor"],
  ["/two-factor/setup", "two-factor-setup"],
  ["/signout", "signout"],
  ["/error", "error"],
];

/** Mounts the GET page routes (when pages are on). `GET /signout` only renders a confirmation. */
export function pageRoutes(router: Router, route: ReturnType<typeof routeFactory>): void {
  for (const [path, name] of PAGES)
    router.get(
      path,
      route.get("error", async (scope) => renderPageTo(scope, name)),
    );
}
