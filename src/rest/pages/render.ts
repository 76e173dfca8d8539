/**
 * `renderPage`: one of the built-in pages as a complete HTML document. Pure: no request, no database,
 * no script in the output, one `<style>` element carrying the caller's nonce.
 */
import { AuthConfigError } from "../../errors.js";
import { assertNonce } from "./csp.js";
import { type PageData, type PageName, normalizePageData } from "./data.js";
import { renderDocument } from "./layout.js";
import type { ResolvedPages } from "./options.js";
import type { View, ViewResult } from "./view.js";
import { errorView } from "./views/error.js";
import { registerView } from "./views/register.js";
import { resetView } from "./views/reset.js";
import { signinView } from "./views/signin.js";
import { signoutView } from "./views/signout.js";
import { twoFactorSetupView } from "./views/two-factor-setup.js";
import { twoFactorView } from "./views/two-factor.js";
import { verifyRequestView } from "./views/verify-request.js";

const VIEWS: Readonly<Record<PageName, (view: View) => ViewResult>> = Object.freeze({
  signin: signinView,
  register: registerView,
  "verify-request": verifyRequestView,
  reset: resetView,
  "two-factor": twoFactorView,
  "two-factor-setup": twoFactorSetupView,
  signout: signoutView,
  error: errorView,
});

/** Every page name, in a stable order. */
export const PAGE_NAMES: readonly PageName[] = Object.freeze(Object.keys(VIEWS) as PageName[]);

/**
 * Renders a built-in page. Every value of `data` is HTML-escaped; `data.error` is shown as its
 * localised message only. Send it with {@link pageSecurityHeaders} built from the same `nonce`.
 * @throws {AuthConfigError} INVALID_CONFIG for an unknown page name, a `basePath` that is not "" or a
 * path, or a nonce that is not base64 of at least 128 bits
 * @example
 * const nonce = createPageNonce()
 * res.set(pageSecurityHeaders(nonce, pages)).type("html")
 *   .send(renderPage("signin", { basePath: "/auth", csrfToken }, pages, nonce))
 */
export function renderPage(name: PageName, data: PageData, pages: ResolvedPages, nonce: string): string {
  assertNonce(nonce);
  const render = typeof name === "string" && Object.hasOwn(VIEWS, name) ? VIEWS[name] : undefined;
  if (!render) throw new AuthConfigError("Invalid page name: use one of " + PAGE_NAMES.join(", "));
  const view: View = { data: normalizePageData(data), pages };
  return renderDocument(view, render(view), nonce);
}
