import { InvalidPasswordError } from "../errors.js";
import { COMMON_PASSWORDS } from "./common-passwords.js";

/** Hard ceiling on the UTF-8 size of any password, checked before anything else (long-password DoS). */
export const MAX_PASSWORD_BYTES = 4096;

let blocklist: Set<string> | undefined;

function commonPasswords(): Set<string> {
  blocklist ??= new Set(COMMON_PASSWORDS.split("\n"));
  return blocklist;
}

/**
 * Passwords are compared and hashed in Unicode NFKC, so the same passphrase typed on different keyboards
 * (composed or decomposed accents, full-width forms) is the same password. Nothing else is changed:
 * no trimming, no case folding, no truncation.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Length in Unicode code points, not UTF-16 units. */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Rejects non-strings and oversized values before normalisation or hashing. */
export function assertPasswordShape(password: unknown): asserts password is string {
  if (typeof password !== "string") throw new InvalidPasswordError("not_a_string");
  if (password.length > MAX_PASSWORD_BYTES || Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    throw new InvalidPasswordError("too_long");
  }
}

/** The policy a new password must satisfy. */
export interface PasswordPolicy {
  minPasswordLength: number;
  maxPasswordLength: number;
}

/**
 * Checks a new password (registration, change, reset, admin set): length in code points, then the
 * common-password blocklist and the account's own email, all on the normalised form. No composition rules.
 */
export function assertAcceptablePassword(password: unknown, policy: PasswordPolicy, email?: string): string {
  assertPasswordShape(password);
  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  if (length < policy.minPasswordLength) throw new InvalidPasswordError("too_short");
  if (length > policy.maxPasswordLength) throw new InvalidPasswordError("too_long");
  if (isCommonPassword(normalized)) throw new InvalidPasswordError("blocklisted");
  if (email && containsEmail(normalized, email)) throw new InvalidPasswordError("contains_email");
  return normalized;
}

/** True when the password, or its core without trailing digits and symbols, is a common password. */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return true;
  const core = lower.replace(/[\d\W_]+$/u, "");
  if (core.length >= 4 && list.has(core) && /^[\d\W_]*$/u.test(lower.slice(core.length))) return true;
  return /^(.)\1+$/u.test(lower) || /^(?:0123456789|1234567890|9876543210)+\d*$/.test(lower);
}

function containsEmail(password: string, email: string): boolean {
  const lower = password.toLowerCase();
  const local = email.split("@")[0] ?? "";
  return lower === email || (local.length >= 4 && lower.replace(/[\d\W_]+$/u, "") === local);
}
