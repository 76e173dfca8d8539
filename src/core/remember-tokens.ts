import { and, eq, or } from "drizzle-orm";
import { hashesEqual, issueToken, parseToken, sha256Hex, randomString } from "../crypto/tokens.js";
import { type AccountRecord, findAccount } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import { notifyAccount } from "./notifications.js";
import { type AuthContext, later, type RequestInfo, withTransaction } from "./context.js";
import { revokeAccountAccess } from "./revocation.js";
import { AuthStatus } from "../primitives/status.js";

/** How long a just-replaced validator still works, for parallel tabs racing the rotation. */
export const ROTATION_GRACE_MS = 30_000;

/** A remember-me token to put in a cookie. */
export interface RememberCookieValue {
  token: string;
  expires: Date;
}

/**
 * A new remember-me token for one device: the row to insert (only the validator's hash) and the value
 * for the cookie. The caller inserts the row, alone or as part of a larger statement.
 */
export function newRememberToken(ctx: AuthContext, accountId: number) {
  const { token, selector, validatorHash } = issueToken();
  const expires = later(ctx, ctx.config.rememberMs);
  return {
    row: { accountId, selector, validatorHash, expires, createdAt: ctx.now() },
    cookie: { token, expires } satisfies RememberCookieValue,
  };
}

/** Outcome of presenting a remember-me cookie. */
export type RememberRestore =
  | { ok: true; account: AccountRecord; next: RememberCookieValue | null }
  | { ok: false; reason: "invalid" | "expired" | "inactive" | "theft" };

/**
 * Restores a sign-in from a remember-me cookie. The validator is rotated by one conditional UPDATE, so
 * the old cookie stops working (after a short grace window). A known selector with a wrong, superseded
 * validator is treated as theft: every remember-me token and session of the account is revoked.
 * Accounts that are not Normal or not verified are refused and their token deleted.
 */
export async function restoreRememberToken(
  ctx: AuthContext,
  value: unknown,
  request?: RequestInfo,
): Promise<RememberRestore> {
  const presented = parseToken(value);
  if (!presented) return { ok: false, reason: "invalid" };
  const r = ctx.t.remembers;
  const [row] = await ctx.db.select().from(r).where(eq(r.selector, presented.selector)).limit(1);
  if (!row) return { ok: false, reason: "invalid" };
  const now = ctx.now();
  if (row.expires.getTime() <= now.getTime()) {
    await ctx.db.delete(r).where(eq(r.id, row.id));
    return { ok: false, reason: "expired" };
  }
  const current = hashesEqual(row.validatorHash, presented.validatorHash);
  const inGrace =
    !current &&
    row.previousHash !== null &&
    hashesEqual(row.previousHash, presented.validatorHash) &&
    row.rotatedAt !== null &&
    now.getTime() - row.rotatedAt.getTime() <= ROTATION_GRACE_MS;
  if (!current && !inGrace) {
    await reportTheft(ctx, row.accountId, request);
    return { ok: false, reason: "theft" };
  }
  const account = await findAccount(ctx, { accountId: row.accountId });
  if (!account || account.status !== AuthStatus.Normal || !account.verified) {
    await ctx.db.delete(r).where(eq(r.id, row.id));
    return { ok: false, reason: "inactive" };
  }
  if (inGrace) return { ok: true, account, next: null };
  const validator = randomString(32);
  const [rotated] = await ctx.db
    .update(r)
    .set({ validatorHash: sha256Hex(validator), previousHash: row.validatorHash, rotatedAt: now })
    .where(and(eq(r.id, row.id), eq(r.validatorHash, row.validatorHash)))
    .returning({ id: r.id });
  // Lost the race to a parallel request: its rotation stands, and this one counts as the grace case.
  if (!rotated) return { ok: true, account, next: null };
  return { ok: true, account, next: { token: `${row.selector}.${validator}`, expires: row.expires } };
}

async function reportTheft(ctx: AuthContext, accountId: number, request?: RequestInfo): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    await revokeAccountAccess(txCtx, accountId);
    await logActivity(txCtx, { accountId, action: AuthActivityAction.RememberTheftDetected, success: false, request });
  });
  await notifyAccount(ctx, { type: "remember_theft_detected", accountId });
}

/** Deletes the token of one cookie (logout on this device). */
export async function deleteRememberToken(ctx: AuthContext, value: unknown): Promise<void> {
  const presented = parseToken(value);
  if (!presented) return;
  const r = ctx.t.remembers;
  const matches = or(eq(r.validatorHash, presented.validatorHash), eq(r.previousHash, presented.validatorHash));
  await ctx.db.delete(r).where(and(eq(r.selector, presented.selector), matches));
}
