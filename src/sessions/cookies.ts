import { createHmac, timingSafeEqual } from "node:crypto";

/** Longest `Cookie` header read at all; a longer one is treated as carrying no cookies. */
export const MAX_COOKIE_HEADER = 16_384;
/** Longest single cookie value accepted. */
export const MAX_COOKIE_VALUE = 4096;

/**
 * Reads the named cookies of a `Cookie` header, strictly: a cookie that appears more than once, is
 * longer than {@link MAX_COOKIE_VALUE} or has bad percent-encoding is left out. Never throws.
 * @internal
 */
export function readCookies(header: unknown, names: readonly string[]): Map<string, string> {
  const text = Array.isArray(header) ? header.join("; ") : header;
  const found = new Map<string, string | null>();
  if (typeof text !== "string" || text.length > MAX_COOKIE_HEADER) return new Map();
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!names.includes(name)) continue;
    // A second cookie of the same name (cookie tossing from a sibling domain, say) voids both.
    if (found.has(name)) {
      found.set(name, null);
      continue;
    }
    found.set(name, decodeValue(part.slice(eq + 1).trim()));
  }
  const cookies = new Map<string, string>();
  for (const [name, value] of found) if (value !== null) cookies.set(name, value);
  return cookies;
}

function decodeValue(raw: string): string | null {
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (value.length === 0 || value.length > MAX_COOKIE_VALUE) return null;
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

/**
 * Verifies an express-session cookie value (`s:<sid>.<signature>`, the `cookie-signature` format:
 * HMAC-SHA256 of the sid, base64 without padding) against each secret, in constant time. Returns the
 * session id, or null for an unsigned or wrongly signed value.
 * @internal
 */
export function unsignSessionCookie(value: string, secrets: readonly string[]): string | null {
  if (!value.startsWith("s:")) return null;
  const signed = value.slice(2);
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return null;
  const sid = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1), "utf8");
  let match = false;
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac("sha256", secret).update(sid).digest("base64").replace(/=+$/, ""), "utf8");
    // The length of a valid signature is public (43 characters); only equal-length values are compared.
    if (expected.length === given.length && timingSafeEqual(expected, given)) match = true;
  }
  return match ? sid : null;
}
