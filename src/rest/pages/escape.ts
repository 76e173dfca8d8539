/**
 * HTML escaping for the built-in pages. Every dynamic value reaches the markup through
 * {@link escapeHtml}, in text and in (double-quoted) attribute values alike.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/**
 * Escapes `& < > " ' \`` so the value is inert as HTML text and inside a quoted attribute value.
 * Non-strings are converted with `String()` first; `null` and `undefined` become "".
 * @example escapeHtml('"><script>') // "&quot;&gt;&lt;script&gt;"
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

// Control characters and backslashes, which browsers "fix up" into another scheme or host.
const SUSPICIOUS = /[\u0000-\u001f\u007f\\]/;

/**
 * A link target that is safe to put in `href`: a same-site path ("/…", not "//…") or an absolute
 * http(s) URL. Anything else (`javascript:`, `data:`, protocol-relative, control characters) gives
 * `fallback`. The result still has to be HTML-escaped.
 * @example safeHref("javascript:alert(1)", "/") // "/"
 */
export function safeHref(value: unknown, fallback: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048 || SUSPICIOUS.test(value)) return fallback;
  if (value.startsWith("/")) return value.startsWith("//") ? fallback : value;
  if (!/^https?:\/\//i.test(value)) return fallback;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : fallback;
  } catch {
    return fallback;
  }
}
