import { and, eq } from "drizzle-orm";
import { issueToken, hashesEqual, parseToken } from "../crypto/tokens.js";
import { ConfirmationExpiredError, ConfirmationNotFoundError, EmailTakenError } from "../errors.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import { notifyAccount } from "./notifications.js";
import { type AuthContext, later, type RequestInfo, withTransaction } from "./context.js";
import { isUniqueViolation } from "./db-errors.js";
import { notifyInvalidation } from "../invalidation/notify.js";

/** The values of a new confirmation row and the token to hand to the user. */
export function newConfirmation(ctx: AuthContext, accountId: number, email: string) {
  const { token, selector, validatorHash } = issueToken();
  const row = {
    accountId,
    selector,
    validatorHash,
    email,
    expires: later(ctx, ctx.config.confirmationMs),
    createdAt: ctx.now(),
  };
  return { token, row };
}

/** Issues a confirmation token for `email`, superseding the account's earlier ones. Returns the token. */
export async function issueConfirmation(ctx: AuthContext, accountId: number, email: string): Promise<string> {
  const { token, row } = newConfirmation(ctx, accountId, email);
  await ctx.db.transaction(async (tx) => {
    // Locking the account serialises concurrent issues, so exactly one confirmation stays live.
    const a = ctx.t.accounts;
    await tx.select({ id: a.id }).from(a).where(eq(a.id, accountId)).for("no key update");
    await tx.delete(ctx.t.confirmations).where(eq(ctx.t.confirmations.accountId, accountId));
    await tx.insert(ctx.t.confirmations).values(row);
  });
  return token;
}

/** The result of a confirmation: the account and the address now confirmed on it. */
export interface ConfirmedEmail {
  accountId: number;
  email: string;
  previousEmail: string;
}

/**
 * Consumes a confirmation token: checks it, deletes it in one conditional statement, marks the account
 * verified and sets its email to the confirmed address, all in one transaction.
 * @throws {ConfirmationNotFoundError} unknown, malformed, mismatched or already used token
 * @throws {ConfirmationExpiredError} expired token (the row is deleted)
 * @throws {EmailTakenError} the address was taken by another account meanwhile
 */
export async function consumeConfirmation(
  ctx: AuthContext,
  token: unknown,
  request?: RequestInfo,
): Promise<ConfirmedEmail> {
  const presented = parseToken(token);
  if (!presented) throw new ConfirmationNotFoundError();
  const c = ctx.t.confirmations;
  const [row] = await ctx.db.select().from(c).where(eq(c.selector, presented.selector)).limit(1);
  if (!row || !hashesEqual(row.validatorHash, presented.validatorHash)) throw new ConfirmationNotFoundError();
  if (row.expires.getTime() <= ctx.now().getTime()) {
    await ctx.db.delete(c).where(eq(c.id, row.id));
    throw new ConfirmationExpiredError();
  }
  try {
    const confirmed = await ctx.db.transaction(async (tx) => {
      const [used] = await tx
        .delete(c)
        .where(and(eq(c.id, row.id), eq(c.validatorHash, row.validatorHash)))
        .returning({ id: c.id });
      if (!used) throw new ConfirmationNotFoundError();
      const a = ctx.t.accounts;
      const [before] = await tx.select({ email: a.email }).from(a).where(eq(a.id, row.accountId)).for("update");
      if (!before) throw new ConfirmationNotFoundError();
      await tx.update(a).set({ verified: true, email: row.email }).where(eq(a.id, row.accountId));
      const changed = before.email !== row.email;
      if (changed) await tx.delete(ctx.t.resets).where(eq(ctx.t.resets.accountId, row.accountId));
      const txCtx = withTransaction(ctx, tx);
      await notifyInvalidation(txCtx, row.accountId, "email");
      await logActivity(
        txCtx,
        {
          accountId: row.accountId,
          action: AuthActivityAction.EmailConfirmed,
          metadata: { email: row.email },
          request,
        },
        ...(changed
          ? [
              {
                accountId: row.accountId,
                action: AuthActivityAction.EmailChanged,
                metadata: { from: before.email, to: row.email },
                request,
              },
            ]
          : []),
      );
      return { accountId: row.accountId, email: row.email, previousEmail: before.email };
    });
    if (confirmed.previousEmail !== confirmed.email) {
      const { accountId, previousEmail, email } = confirmed;
      await notifyAccount(ctx, {
        type: "email_changed",
        accountId,
        email: previousEmail,
        details: { newEmail: email },
      });
    }
    return confirmed;
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}
