/**
 * RFC 6238 codes for the end-to-end tests, as an authenticator app computes them from the secret shown on
 * the enrolment page: base32 key, 30-second steps, 6 digits, HMAC-SHA1.
 */
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** The key bytes of a secret as shown to people: spaces, dashes and case do not matter. */
export function decodeTotpSecret(shown: string): Uint8Array {
  const normalized = shown.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(normalized)) throw new Error(`not a base32 TOTP secret: ${JSON.stringify(shown)}`);
  return decodeBase32IgnorePadding(normalized);
}

/** The 30-second step a moment falls in. */
export function totpStep(at: number = Date.now()): number {
  return Math.floor(at / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for the current step, and the step it belongs to. */
export function totpCode(secret: string): { code: string; step: number } {
  // generateTOTP reads the clock itself: read the step on both sides and retry across a boundary.
  for (;;) {
    const before = totpStep();
    const code = generateTOTP(decodeTotpSecret(secret), TOTP_PERIOD_SECONDS, TOTP_DIGITS);
    if (totpStep() === before) return { code, step: before };
  }
}

/**
 * A code for a step later than `usedStep`: the server refuses a step already claimed (replay), so this
 * waits for the next step boundary when needed (at most 30 s), plus a small margin.
 */
export async function freshTotpCode(secret: string, usedStep: number): Promise<{ code: string; step: number }> {
  const nextStepAt = (usedStep + 1) * TOTP_PERIOD_SECONDS * 1000;
  const wait = nextStepAt - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 250));
  return totpCode(secret);
}
