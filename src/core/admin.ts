import { eq, sql } from "drizzle-orm";
import { InvalidInputError } from "../errors.js";
import { assertAcceptablePassword } from "../crypto/password-policy.js";
import { type AccountIdentifier, type AuthAccount, findAccount, requireAccount, toAuthAccount } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import { type AuthContext, type RequestInfo, withTransaction } from "./context.js";
import { canonicalizeEmail } from "./email.js";
import { durationArg } from "./input.js";
import { notifyInvalidation } from "../invalidation/notify.js";
import { setAccountPassword } from "./password-change.js";
import { issuePasswordReset } from "./password-reset.js";
import { isRoleMask, maskHasRole } from "../primitives/roles.js";
import { revokeAccountAccess } from "./revocation.js";
import { AuthStatus, isStatus } from "../primitives/status.js";

function assertRole(role: unknown): asserts role is number {
  if (!isRoleMask(role)) throw new InvalidInputError("role", "role must be a positive integer bitmask");
}

/** Adds (`add`) or removes role bits; writes `role_changed`. Returns the new mask. */
export async function changeRoles(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  role: unknown,
  add: boolean,
  request?: RequestInfo,
): Promise<number> {
  assertRole(role);
  const account = await requireAccount(ctx, identifier);
  const a = ctx.t.accounts;
  const mask = add ? sql`${a.rolemask} | ${role}` : sql`${a.rolemask} & ~${role}::integer`;
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(a)
      .set({ rolemask: mask })
      .where(eq(a.id, account.id))
      .returning({ rolemask: a.rolemask });
    await notifyInvalidation(withTransaction(ctx, tx), account.id, "roles");
    await logActivity(withTransaction(ctx, tx), {
      accountId: account.id,
      action: AuthActivityAction.RoleChanged,
      metadata: { [add ? "added" : "removed"]: role, rolemask: row?.rolemask },
      request,
    });
    return row?.rolemask ?? account.rolemask;
  });
}

/** Replaces the whole role mask (0 allowed); writes `role_changed`. */
export async function setRoles(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  rolemask: unknown,
  request?: RequestInfo,
): Promise<void> {
  if (rolemask !== 0) assertRole(rolemask);
  const account = await requireAccount(ctx, identifier);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(ctx.t.accounts)
      .set({ rolemask: rolemask as number })
      .where(eq(ctx.t.accounts.id, account.id));
    await notifyInvalidation(withTransaction(ctx, tx), account.id, "roles");
    await logActivity(withTransaction(ctx, tx), {
      accountId: account.id,
      action: AuthActivityAction.RoleChanged,
      metadata: { rolemask },
      request,
    });
  });
}

/** True when the account holds every bit of `role`. */
export async function accountHasRole(ctx: AuthContext, identifier: AccountIdentifier, role: unknown): Promise<boolean> {
  assertRole(role);
  const account = await requireAccount(ctx, identifier);
  return maskHasRole(account.rolemask, role);
}

/**
 * Sets the status. Any status other than Normal ends every session and remember-me token of the
 * account at once. Writes `status_changed`.
 */
export async function setStatus(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  status: unknown,
  request?: RequestInfo,
): Promise<void> {
  if (!isStatus(status)) throw new InvalidInputError("status", "status must be one of the AuthStatus values");
  const account = await requireAccount(ctx, identifier);
  await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    await tx.update(ctx.t.accounts).set({ status }).where(eq(ctx.t.accounts.id, account.id));
    if (status !== AuthStatus.Normal) await revokeAccountAccess(txCtx, account.id);
    await notifyInvalidation(txCtx, account.id, "status");
    await logActivity(txCtx, {
      accountId: account.id,
      action: AuthActivityAction.StatusChanged,
      metadata: { from: account.status, to: status },
      request,
    });
  });
}

/** Ends every session and remember-me token of the account; writes `force_logout`. */
export async function forceLogout(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  request?: RequestInfo,
): Promise<{ accountId: number }> {
  const account = await requireAccount(ctx, identifier);
  await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    await revokeAccountAccess(txCtx, account.id);
    await logActivity(txCtx, { accountId: account.id, action: AuthActivityAction.ForceLogout, request });
  });
  return { accountId: account.id };
}

/**
 * Deletes an account and, by cascade, its sessions, tokens, identities and 2FA methods, in one
 * transaction. Its audit history stays (account ids become NULL); an `account_deleted` row records it.
 */
export async function deleteAccount(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  request?: RequestInfo,
): Promise<AuthAccount> {
  const account = await requireAccount(ctx, identifier);
  await ctx.db.transaction(async (tx) => {
    await logActivity(withTransaction(ctx, tx), {
      accountId: null,
      action: AuthActivityAction.AccountDeleted,
      metadata: { accountId: account.id, userId: account.userId, email: account.email },
      request,
    });
    await tx.delete(ctx.t.accounts).where(eq(ctx.t.accounts.id, account.id));
    await notifyInvalidation(withTransaction(ctx, tx), account.id, "deleted");
  });
  return toAuthAccount(account);
}

/** Sets an account's password as an admin: the policy is checked before the lookup; every session ends. */
export async function setPasswordBy(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  password: unknown,
  request?: RequestInfo,
): Promise<void> {
  assertAcceptablePassword(password, ctx.config);
  const account = await requireAccount(ctx, identifier);
  await setAccountPassword(ctx, account, password, { by: "admin", request });
}

/** Issues a reset token for an account found by identifier (verified, resettable, within the open limit). */
export async function issueResetBy(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  expiresAfter: unknown,
  request?: RequestInfo,
): Promise<string> {
  const expiresInMs = durationArg(expiresAfter, "expiresAfter");
  const account = await requireAccount(ctx, identifier);
  return issuePasswordReset(ctx, account, { expiresInMs, request });
}

/** True when an account uses this email (canonical comparison). */
export async function accountExistsByEmail(ctx: AuthContext, email: unknown): Promise<boolean> {
  return (await findAccount(ctx, { email: canonicalizeEmail(email) })) !== null;
}
