import { and, count, eq } from "drizzle-orm";
import type { AuthContext } from "../core/context.js";
import { generateBackupCode, normalizeBackupCode } from "./codes.js";
import { twoFactorSecrets } from "./secrets.js";

const PURPOSE = "backup";

/**
 * Replaces the account's backup codes with a new set (the old set stops working) and returns the new
 * codes in plain text, once. Run inside the caller's transaction when combined with other writes.
 */
export async function replaceBackupCodes(ctx: AuthContext, accountId: number): Promise<string[]> {
  const { codes: hasher } = twoFactorSecrets(ctx);
  const b = ctx.t.twoFactorBackupCodes;
  const codes = Array.from({ length: ctx.config.twoFactor.backupCodesCount }, generateBackupCode);
  await ctx.db.delete(b).where(eq(b.accountId, accountId));
  await ctx.db.insert(b).values(
    codes.map((code) => ({
      accountId,
      codeHash: hasher.hash(PURPOSE, normalizeBackupCode(code)!),
      createdAt: ctx.now(),
    })),
  );
  return codes;
}

/**
 * Consumes one backup code with a single DELETE … RETURNING: of two concurrent uses, exactly one wins.
 * Returns the number of codes left, or null when the code is not (or no longer) valid.
 */
export async function consumeBackupCode(ctx: AuthContext, accountId: number, input: unknown): Promise<number | null> {
  const code = normalizeBackupCode(input);
  if (!code) return null;
  const b = ctx.t.twoFactorBackupCodes;
  const hash = twoFactorSecrets(ctx).codes.hash(PURPOSE, code);
  const used = await ctx.db
    .delete(b)
    .where(and(eq(b.accountId, accountId), eq(b.codeHash, hash)))
    .returning({ id: b.id });
  if (used.length === 0) return null;
  return countBackupCodes(ctx, accountId);
}

/** How many unused backup codes the account has. */
export async function countBackupCodes(ctx: AuthContext, accountId: number): Promise<number> {
  const b = ctx.t.twoFactorBackupCodes;
  const [row] = await ctx.db.select({ n: count() }).from(b).where(eq(b.accountId, accountId));
  return Number(row?.n ?? 0);
}

/** Deletes every backup code of the account. */
export async function deleteBackupCodes(ctx: AuthContext, accountId: number): Promise<void> {
  await ctx.db.delete(ctx.t.twoFactorBackupCodes).where(eq(ctx.t.twoFactorBackupCodes.accountId, accountId));
}
