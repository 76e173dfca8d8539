/**
 * The security headers of the built-in pages. The pages contain no script at all and one `<style>`
 * element carrying a per-response nonce, so the Content-Security-Policy can deny everything else.
 */
import { randomBytes } from "node:crypto";
import { AuthConfigError } from "../../errors.js";
import type { ResolvedPages } from "./options.js";

// base64 / base64url, at least 128 bits (22 characters), and nothing that could end a CSP source.
const NONCE = /^[A-Za-z0-9+/_-]{22,256}={0,2}$/;

/**
 * A fresh nonce for one response: 16 random bytes, base64. Use it for both {@link renderPage} and
 * {@link pageSecurityHeaders}, and never reuse it for another response.
 * @example const nonce = createPageNonce()
 */
export function createPageNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Throws unless `nonce` is base64 of at least 128 bits, so it can go into the CSP header and the
 * `nonce` attribute verbatim. @internal
 * @throws {AuthConfigError} INVALID_CONFIG
 */
export function assertNonce(nonce: unknown): asserts nonce is string {
  if (typeof nonce !== "string" || !NONCE.test(nonce))
    throw new AuthConfigError("Invalid page nonce: use createPageNonce() (base64, at least 128 bits)");
}

/** Extra sources for {@link pageSecurityHeaders}. */
export interface PageCspSources {
  /**
   * Origins a form submission may end up at besides 'self': browsers check `form-action` on the
   * redirects after a POST too, so list the OAuth providers' authorization origins (e.g.
   * `https://github.com`) and any trusted callback origins. Invalid entries are ignored.
   */
  formActionOrigins?: Iterable<string>;
  /** Origins of images besides 'self' and the theme's logo: the providers' button logos. */
  imageOrigins?: Iterable<string>;
}

function origins(values: Iterable<string> | undefined): string[] {
  const out = new Set<string>();
  for (const value of values ?? []) {
    try {
      const url = new URL(value);
      if ((url.protocol === "https:" || url.protocol === "http:") && url.origin !== "null") out.add(url.origin);
    } catch {
      // Not a URL: leave it out rather than put arbitrary text into the policy.
    }
  }
  return [...out];
}

/**
 * The Content-Security-Policy of a page rendered with `nonce`:
 * `default-src 'none'; style-src 'nonce-…'; img-src 'self' data: [logo origins]; form-action 'self'
 * [origins]; frame-ancestors 'none'; base-uri 'none'`.
 * @throws {AuthConfigError} INVALID_CONFIG when the nonce is not base64 of at least 128 bits
 */
export function pageContentSecurityPolicy(nonce: string, pages: ResolvedPages, sources: PageCspSources = {}): string {
  assertNonce(nonce);
  const img = [
    ...new Set(["'self'", "data:", ...(pages.logoOrigin ? [pages.logoOrigin] : []), ...origins(sources.imageOrigins)]),
  ];
  const form = ["'self'", ...origins(sources.formActionOrigins)];
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `img-src ${img.join(" ")}`,
    `form-action ${form.join(" ")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/**
 * The headers to send with a page rendered by {@link renderPage} with the same `nonce`: the CSP, plus
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (a token in the URL never reaches
 * another site; `no-referrer` would make browsers send `Origin: null` on the pages' own form posts,
 * which the CSRF origin check refuses), `Cache-Control: no-store` and
 * `X-Frame-Options: DENY`.
 * @throws {AuthConfigError} INVALID_CONFIG when the nonce is not base64 of at least 128 bits
 * @example res.set(pageSecurityHeaders(nonce, pages)).type("html").send(renderPage("signin", data, pages, nonce))
 */
export function pageSecurityHeaders(
  nonce: string,
  pages: ResolvedPages,
  sources: PageCspSources = {},
): Record<string, string> {
  return {
    "Content-Security-Policy": pageContentSecurityPolicy(nonce, pages, sources),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
  };
}
