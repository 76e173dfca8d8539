/**
 * Human-typed codes: email/SMS one-time codes (digits) and backup codes (Crockford base32). Both are
 * drawn without modulo bias and stored only as HMAC-SHA256 under a key derived from `config.secret`,
 * so a database leak alone does not allow guessing them offline; attempt limits cover online guessing.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `n` random decimal digits, uniformly distributed (rejection sampling, no modulo bias). */
export function randomDigits(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      if (byte < 250 && out.length < n) out += String(byte % 10);
    }
  }
  return out;
}

/** A backup code: 16 Crockford base32 characters (80 bits), shown as four groups of four. */
export function generateBackupCode(): string {
  const chars = [...randomBytes(16)].map((b) => CROCKFORD[b & 31]).join("");
  return chars.match(/.{4}/g)!.join("-");
}

/**
 * Normalises a typed backup code: case, spaces and dashes are ignored, and the Crockford look-alikes
 * I/L → 1 and O → 0 are folded. Returns null for anything that cannot be a code.
 */
export function normalizeBackupCode(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 64) return null;
  const folded = input.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(folded) ? folded : null;
}

/** Keyed hashing of codes. */
export interface CodeHasher {
  hash(purpose: string, code: string): string;
}

/** Derives the code-hashing key from the app secret. */
export function createCodeHasher(secret: string): CodeHasher {
  const key = Buffer.from(hkdfSync("sha256", secret, "express-drizzle-auth", "code-hash:v1", 32));
  return { hash: (purpose, code) => createHmac("sha256", key).update(`${purpose}:${code}`).digest("hex") };
}
