import { eq } from "drizzle-orm";
import { assertAcceptablePassword } from "../crypto/password-policy.js";
import { type AccountRecord } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import { notifyAccount } from "./notifications.js";
import { type AuthContext, type RequestInfo, withTransaction } from "./context.js";
import { revokeAccountAccess } from "./revocation.js";

/** Options of {@link setAccountPassword}. */
export interface SetPasswordOptions {
  /** Hashed id of a session that stays signed in (the caller's own); all others end. */
  keepSessionId?: string | null;
  /** Who set it: the user themself or an admin. */
  by?: "self" | "admin" | undefined;
  request?: RequestInfo | undefined;
}

/**
 * Sets a new password: the policy is checked, the hash is computed off the event loop, then in one
 * transaction the hash is written, outstanding reset tokens are deleted and every other session and
 * every remember-me token of the account is revoked. Returns the account's new `force_logout` value.
 * @throws {InvalidPasswordError} code INVALID_PASSWORD with the failed rule in `reason`
 */
export async function setAccountPassword(
  ctx: AuthContext,
  account: AccountRecord,
  password: unknown,
  options: SetPasswordOptions = {},
): Promise<number | null> {
  const normalized = assertAcceptablePassword(password, ctx.config, account.email);
  const hash = await ctx.hasher.hash(normalized);
  const forceLogout = await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    await tx.update(ctx.t.accounts).set({ password: hash }).where(eq(ctx.t.accounts.id, account.id));
    await tx.delete(ctx.t.resets).where(eq(ctx.t.resets.accountId, account.id));
    const forceLogout = await revokeAccountAccess(txCtx, account.id, { keepSessionId: options.keepSessionId ?? null });
    await logActivity(txCtx, {
      accountId: account.id,
      action: AuthActivityAction.PasswordChanged,
      metadata: { by: options.by ?? "self" },
      request: options.request,
    });
    return forceLogout;
  });
  await notifyAccount(ctx, {
    type: "password_changed",
    accountId: account.id,
    email: account.email,
    details: { by: options.by ?? "self" },
  });
  return forceLogout;
}
