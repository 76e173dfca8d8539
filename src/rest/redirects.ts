/**
 * Post-login redirects: only a same-origin path or an allow-listed origin, compared after parsing,
 * never throwing on malformed input (checklist OA-05).
 */

const MAX_URL = 2048;
// Control characters, backslashes and whitespace tricks that browsers "fix up" into another host.
const SUSPICIOUS = /[\u0000-\u001f\u007f\\]/;

/**
 * The safe target of a `callbackUrl`: a path on `origin` (returned as path+query+hash) or an absolute URL
 * whose origin is `origin` or in `trusted`; anything else gives `fallback`.
 */
export function safeRedirect(value: unknown, origin: string, trusted: ReadonlySet<string>, fallback: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_URL) return fallback;
  let decoded = value;
  try {
    // One decoding pass exposes encoded tricks such as /%2F%2Fevil.test or %5C.
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  if (SUSPICIOUS.test(value) || SUSPICIOUS.test(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(value, `${origin}/`);
  } catch {
    return fallback;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return fallback;
  if (value.startsWith("/")) {
    if (value.startsWith("//") || decoded.startsWith("//") || url.origin !== origin) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  }
  if (!/^https?:\/\//i.test(value) || url.username || url.password) return fallback;
  if (url.origin === origin) return `${url.pathname}${url.search}${url.hash}`;
  return trusted.has(url.origin) ? url.href : fallback;
}
