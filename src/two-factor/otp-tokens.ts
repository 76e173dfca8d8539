import { and, eq, sql } from "drizzle-orm";
import { type AuthContext, later } from "../core/context.js";
import { hashesEqual, randomString } from "../crypto/tokens.js";
import { randomDigits } from "./codes.js";
import type { Mechanism } from "./methods.js";
import { twoFactorSecrets } from "./secrets.js";

/** An issued email/SMS code: the selector stays in the session, the code goes to the user. */
export interface IssuedOtp {
  selector: string;
  code: string;
}

/** Outcome of checking an email/SMS code. */
export type OtpCheck = "ok" | "invalid" | "expired" | "exhausted";

function purpose(accountId: number, mechanism: Mechanism, selector: string): string {
  return `otp:${accountId}:${mechanism}:${selector}`;
}

/**
 * Issues a code for an account and mechanism. Earlier codes of that mechanism are deleted (a resend
 * replaces the code), and only a keyed hash is stored.
 */
export async function issueOtp(ctx: AuthContext, accountId: number, mechanism: Mechanism): Promise<IssuedOtp> {
  const t = ctx.t.twoFactorTokens;
  const selector = randomString(16);
  const code = randomDigits(ctx.config.twoFactor.codeLength);
  const tokenHash = twoFactorSecrets(ctx).codes.hash(purpose(accountId, mechanism, selector), code);
  await ctx.db.delete(t).where(and(eq(t.accountId, accountId), eq(t.mechanism, mechanism)));
  await ctx.db.insert(t).values({
    accountId,
    mechanism,
    selector,
    tokenHash,
    attempts: 0,
    expiresAt: later(ctx, ctx.config.twoFactor.tokenExpiryMs),
    createdAt: ctx.now(),
  });
  return { selector, code };
}

/**
 * Checks a code against the token the session's selector names. A right code is consumed by one
 * conditional DELETE; a wrong one counts an attempt, and after `maxAttempts` the code is burnt.
 */
export async function checkOtp(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  selector: unknown,
  input: unknown,
): Promise<OtpCheck> {
  if (typeof selector !== "string" || typeof input !== "string" || input.length > 32) return "invalid";
  const t = ctx.t.twoFactorTokens;
  const [row] = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.selector, selector), eq(t.accountId, accountId), eq(t.mechanism, mechanism)))
    .limit(1);
  if (!row) return "invalid";
  if (row.expiresAt.getTime() <= ctx.now().getTime()) {
    await ctx.db.delete(t).where(eq(t.id, row.id));
    return "expired";
  }
  if (row.attempts >= ctx.config.twoFactor.maxAttempts) return "exhausted";
  const code = input.replace(/\s/g, "");
  const hash = twoFactorSecrets(ctx).codes.hash(purpose(accountId, mechanism, selector), code);
  if (!hashesEqual(hash, row.tokenHash)) {
    const [after] = await ctx.db
      .update(t)
      .set({ attempts: sql`${t.attempts} + 1` })
      .where(eq(t.id, row.id))
      .returning({ attempts: t.attempts });
    if (after && after.attempts >= ctx.config.twoFactor.maxAttempts) await ctx.db.delete(t).where(eq(t.id, row.id));
    return "invalid";
  }
  const used = await ctx.db
    .delete(t)
    .where(and(eq(t.id, row.id), eq(t.tokenHash, row.tokenHash)))
    .returning({ id: t.id });
  return used.length === 1 ? "ok" : "invalid";
}
