/**
 * TOTP (RFC 6238: HMAC-SHA1, 30 s steps, T0 = 0, 6 digits) on @oslojs/otp, with the time taken from the
 * library clock and the matched step returned, so the caller can refuse replays.
 */
import { randomBytes } from "node:crypto";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";

/** Seconds per TOTP step. */
export const TOTP_PERIOD = 30;
/** Digits of a TOTP code. */
export const TOTP_DIGITS = 6;

/** A new 160-bit TOTP key. */
export function generateTotpKey(): Uint8Array {
  return new Uint8Array(randomBytes(20));
}

/** The `otpauth://` URI an authenticator app scans. */
export function totpUri(issuer: string, accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD, TOTP_DIGITS);
}

/** The TOTP step of an instant. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD);
}

/** The code for a step (tests and tooling). */
export function totpCode(key: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  return generateHOTP(key, BigInt(step), digits);
}

/**
 * Finds the step within ±`window` of `at` whose code equals `code`, comparing in constant time.
 * Returns the step, or null. Callers must still refuse a step at or below the last one accepted.
 */
export function matchTotp(key: Uint8Array, code: string, at: Date, window: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const input = new TextEncoder().encode(code);
  const center = totpStep(at);
  let matched: number | null = null;
  for (let offset = -window; offset <= window; offset++) {
    const step = center + offset;
    if (step < 0) continue;
    const candidate = new TextEncoder().encode(totpCode(key, step));
    if (constantTimeEqual(candidate, input) && matched === null) matched = step;
  }
  return matched;
}
