/**
 * The built-in HTML pages of the REST router (sign-in, register, email confirmation, reset, second
 * factor, authenticator setup, sign-out, error): pure functions from data to an HTML string, with
 * no script and a nonce'd stylesheet, plus the security headers they are sent with.
 */
export { type PageCspSources, createPageNonce, pageContentSecurityPolicy, pageSecurityHeaders } from "./csp.js";
export type { PageData, PageName, PageNotice } from "./data.js";
export { errorMessage } from "./error-messages.js";
export { escapeHtml, safeHref } from "./escape.js";
export { type PagesOptions, type ResolvedPages, resolvePagesOptions } from "./options.js";
export { PAGE_NAMES, renderPage } from "./render.js";
export { DEFAULT_PAGE_STRINGS, type PageStringKey, type PageStrings } from "./strings.js";
export { isCssColor, safeLogo } from "./theme.js";
