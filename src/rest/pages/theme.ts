/**
 * Validation of the theme's values that end up in markup or CSS: the logo URL (only https:, http: on
 * localhost, a same-site path or a data:image URL) and colours (only plain CSS colour syntax, so a
 * value can never break out of its declaration).
 */

/** The default brand colour (buttons, checkbox accents). */
export const DEFAULT_BRAND_COLOR = "#346df1";
/** The default colour of button text. */
export const DEFAULT_BUTTON_TEXT = "#fff";

const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const NUM = String.raw`\d{1,3}(?:\.\d+)?%?`;
const ALPHA = String.raw`(?:\d*\.\d+|\d{1,3})%?`;
const RGB_COMMAS = new RegExp(String.raw`^rgba?\(\s*${NUM}\s*(?:,\s*${NUM}\s*){2}(?:,\s*${ALPHA}\s*)?\)$`, "i");
const RGB_SPACES = new RegExp(String.raw`^rgba?\(\s*${NUM}(?:\s+${NUM}){2}\s*(?:\/\s*${ALPHA}\s*)?\)$`, "i");
const NAMED = /^[a-z]{3,20}$/i;

/**
 * True for `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` with numbers, and colour names
 * (letters only). Nothing else, so a colour can be placed in CSS as is.
 * @example isCssColor("#0af") // true
 * @example isCssColor("red;}body{display:none") // false
 */
export function isCssColor(value: unknown): value is string {
  if (typeof value !== "string" || value.length > 64) return false;
  return HEX.test(value) || RGB_COMMAS.test(value) || RGB_SPACES.test(value) || NAMED.test(value);
}

/** A usable logo: the URL for `<img src>` and, for a remote one, the origin the CSP must allow. */
export interface SafeLogo {
  /** The URL as it goes into `src` (still to be HTML-escaped). */
  src: string;
  /** `https://host` for a remote logo; null for same-site paths and data: URLs ('self' / data: cover them). */
  origin: string | null;
}

const MAX_LOGO = 100_000;
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+(?:;[a-z0-9=.+-]+)*,/i;
const CONTROL = /[\u0000-\u001f\u007f\\]/;

function isLocalHost(hostname: string): boolean {
  return (
    hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "127.0.0.1" || hostname === "[::1]"
  );
}

/**
 * Checks a logo URL. Accepts `https:` URLs, `http:` URLs on localhost, same-site paths (`/logo.png`,
 * not `//host`) and `data:image/…` URLs; anything else (`javascript:`, `http:` elsewhere, credentials
 * in the URL, control characters, over 100,000 characters) gives null and the page shows no logo.
 * @example safeLogo("javascript:alert(1)") // null
 */
export function safeLogo(value: string): SafeLogo | null {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_LOGO) return null;
  if (DATA_IMAGE.test(trimmed)) return CONTROL.test(trimmed) ? null : { src: trimmed, origin: null };
  if (CONTROL.test(trimmed)) return null;
  if (trimmed.startsWith("/")) return trimmed.startsWith("//") ? null : { src: trimmed, origin: null };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === "https:" || (url.protocol === "http:" && isLocalHost(url.hostname)))
    return { src: url.href, origin: url.origin };
  return null;
}

const RTL_LANGUAGES = new Set(["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "ug", "ur", "yi"]);

/** The writing direction of a BCP 47 language tag (by its primary subtag). */
export function textDirection(lang: string): "ltr" | "rtl" {
  const primary = lang.split("-")[0]?.toLowerCase() ?? "";
  return RTL_LANGUAGES.has(primary) ? "rtl" : "ltr";
}
