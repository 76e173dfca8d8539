import { InvalidEmailError } from "../errors.js";

/** Longest accepted address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

// One plain address: no quotes, commas, semicolons, angle brackets, whitespace or control characters.
const PLAIN_ADDRESS = /^[^\s@"(),:;<>[\]\\]+@[^\s@"(),:;<>[\]\\]+\.[^\s@"(),:;<>[\]\\]+$/u;
// biome-ignore lint: control characters are what we look for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * Canonical form of an email address: NFKC, trimmed, lower-cased. This one string is used for storage,
 * lookup, uniqueness and delivery, so `Alice@Example.COM` and `alice@example.com` are one account.
 * @throws {InvalidEmailError} for non-strings, over-long values, control characters, display names,
 * lists, quoted local parts or more than one `@`.
 */
export function canonicalizeEmail(email: unknown): string {
  if (typeof email !== "string" || email.length > MAX_EMAIL_LENGTH * 4) throw new InvalidEmailError();
  if (CONTROL.test(email)) throw new InvalidEmailError();
  const canonical = email.normalize("NFKC").trim().toLowerCase();
  if (canonical.length === 0 || canonical.length > MAX_EMAIL_LENGTH || CONTROL.test(canonical)) {
    throw new InvalidEmailError();
  }
  if (!PLAIN_ADDRESS.test(canonical)) throw new InvalidEmailError();
  return canonical;
}

/** True when {@link canonicalizeEmail} would accept the value. */
export function isValidEmail(email: unknown): boolean {
  try {
    canonicalizeEmail(email);
    return true;
  } catch {
    return false;
  }
}

/** Throws {@link InvalidEmailError} unless the value is a valid address (@prsm/auth name). */
export function validateEmail(email: unknown): void {
  canonicalizeEmail(email);
}
