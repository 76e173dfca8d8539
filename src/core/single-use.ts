/**
 * Single-use values that have no row of their own to delete (the OAuth `state`, which lives in the
 * browser's session; later passkey challenges and email sign-in links). Using one inserts a marker into
 * `used_nonces` with one conditional statement, so of any number of concurrent uses, on any number of
 * instances, exactly one succeeds. Only SHA-256 of the purpose and the value is stored.
 */
import { sha256Hex } from "../crypto/tokens.js";
import type { AuthContext } from "./context.js";

/** The purposes markers are kept for; part of the key, so equal values of two purposes never collide. */
export const SingleUsePurpose = {
  /** The `state` of an OAuth flow, claimed by its callback before the token request. */
  OAuthState: "oauth_state",
} as const;

/** One of {@link SingleUsePurpose}. */
export type SingleUsePurposeName = (typeof SingleUsePurpose)[keyof typeof SingleUsePurpose];

const MAX_VALUE_LENGTH = 4096;

/** The marker key of a value: SHA-256 hex of the length-prefixed purpose and the value (never the value). */
export function singleUseKey(purpose: SingleUsePurposeName, value: string): string {
  return sha256Hex(`${purpose.length}:${purpose}:${value}`);
}

/**
 * Claims a single-use value: true for the first caller only, false for every later (or concurrent) one.
 * One `INSERT … ON CONFLICT DO NOTHING RETURNING`. `expiresAt` is when the value stops being accepted
 * anyway; the marker is kept until then and `cleanupExpiredTokens` deletes it afterwards. A value
 * that has already expired (on the context's clock), an empty one or an oversized one is never claimed.
 */
export async function consumeOnce(
  ctx: AuthContext,
  purpose: SingleUsePurposeName,
  value: string,
  expiresAt: Date,
): Promise<boolean> {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_VALUE_LENGTH) return false;
  if (!(expiresAt instanceof Date) || !(expiresAt.getTime() > ctx.now().getTime())) return false;
  const u = ctx.t.usedNonces;
  const claimed = await ctx.db
    .insert(u)
    .values({ key: singleUseKey(purpose, value), expiresAt })
    .onConflictDoNothing({ target: u.key })
    .returning({ key: u.key });
  return claimed.length === 1;
}
