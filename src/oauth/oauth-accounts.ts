/**
 * Writes behind an OAuth sign-in: a new account with its identity, and linking an identity to an
 * existing account by verified email (claiming it when the local address was never confirmed).
 * Each runs in one transaction.
 */
import { and, eq } from "drizzle-orm";
import { type AccountRecord, accountColumns } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { type AuthContext, type RequestInfo, withTransaction } from "../core/context.js";
import { isUniqueViolation } from "../core/db-errors.js";
import { revokeAccountAccess } from "../core/revocation.js";
import { OAuthAccountExistsError, OAuthIdentityTakenError } from "../errors.js";
import type { ProviderProfile } from "../providers/oauth-provider.js";
import { UserIdTakenError } from "../core/registration.js";
import { insertIdentity } from "./identities.js";

/** Input of {@link createOAuthAccount}. */
export interface NewOAuthAccount {
  provider: string;
  profile: ProviderProfile;
  /** Canonical, provider-verified email. */
  email: string;
  userId: string;
  request?: RequestInfo | undefined;
}

/**
 * Creates a verified, password-less account and its identity, with `register` and `oauth_connected`
 * audit rows, in one transaction.
 * @throws {OAuthAccountExistsError} the email was taken meanwhile | {UserIdTakenError} |
 * {OAuthIdentityTakenError} the identity was linked meanwhile (a concurrent first sign-in)
 */
export async function createOAuthAccount(ctx: AuthContext, input: NewOAuthAccount): Promise<AccountRecord> {
  const { accounts } = ctx.t;
  try {
    return await ctx.db.transaction(async (tx) => {
      const c = withTransaction(ctx, tx);
      const [row] = await tx
        .insert(accounts)
        .values({ userId: input.userId, email: input.email, password: null, verified: true, registered: ctx.now() })
        .onConflictDoNothing()
        .returning(accountColumns(ctx));
      if (!row) {
        // A concurrent first sign-in of the same identity committed first: its account is the one.
        const p = ctx.t.providers;
        const [same] = await tx
          .select({ id: p.id })
          .from(p)
          .where(and(eq(p.provider, input.provider), eq(p.providerId, input.profile.id)));
        if (same) throw new OAuthIdentityTakenError();
        const [byEmail] = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.email, input.email));
        throw byEmail ? new OAuthAccountExistsError() : new UserIdTakenError();
      }
      if (!(await insertIdentity(c, row.id, input.provider, input.profile))) throw new OAuthIdentityTakenError();
      await logActivity(
        c,
        {
          accountId: row.id,
          action: AuthActivityAction.Register,
          metadata: { email: input.email, verified: true, userId: input.userId, provider: input.provider },
          request: input.request,
        },
        {
          accountId: row.id,
          action: AuthActivityAction.OAuthConnected,
          metadata: { provider: input.provider, linkedBy: "sign_up" },
          request: input.request,
        },
      );
      return { ...row, hasPassword: false };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new OAuthIdentityTakenError();
    throw err;
  }
}

/**
 * Links an identity to an existing account whose email the provider verified. When the local address
 * was never confirmed, whoever registered it cannot be trusted (it may be a squatter): its password,
 * sessions, remember-me tokens, two-factor methods and other identities are removed and the account
 * becomes verified. Returns the account as it now is, and whether it was claimed.
 * @throws {OAuthIdentityTakenError} the identity was linked meanwhile
 */
export async function linkByVerifiedEmail(
  ctx: AuthContext,
  account: AccountRecord,
  provider: string,
  profile: ProviderProfile,
  request?: RequestInfo,
): Promise<{ account: AccountRecord; claimed: boolean }> {
  const t = ctx.t;
  const claimed = !account.verified;
  const updated = await ctx.db.transaction(async (tx) => {
    const c = withTransaction(ctx, tx);
    let current: AccountRecord = account;
    if (claimed) {
      await revokeAccountAccess(c, account.id);
      for (const table of [t.twoFactorMethods, t.twoFactorBackupCodes, t.twoFactorTokens, t.confirmations, t.resets])
        await tx.delete(table).where(eq(table.accountId, account.id));
      await tx.delete(t.providers).where(eq(t.providers.accountId, account.id));
      const [row] = await tx
        .update(t.accounts)
        .set({ password: null, verified: true })
        .where(eq(t.accounts.id, account.id))
        .returning(accountColumns(ctx));
      current = { ...row!, hasPassword: false };
    }
    if (!(await insertIdentity(c, account.id, provider, profile))) throw new OAuthIdentityTakenError();
    await logActivity(c, {
      accountId: account.id,
      action: AuthActivityAction.OAuthConnected,
      metadata: { provider, linkedBy: "email", claimed },
      request,
    });
    return current;
  });
  return { account: updated, claimed };
}

/**
 * Links an identity to the signed-in account. Linking the same identity again is a no-op.
 * @throws {OAuthIdentityTakenError} it is linked to another account
 */
export async function linkToAccount(
  ctx: AuthContext,
  accountId: number,
  provider: string,
  profile: ProviderProfile,
  request?: RequestInfo,
): Promise<{ linked: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const c = withTransaction(ctx, tx);
    if (!(await insertIdentity(c, accountId, provider, profile))) {
      const p = ctx.t.providers;
      const [owner] = await tx
        .select({ accountId: p.accountId })
        .from(p)
        .where(and(eq(p.provider, provider), eq(p.providerId, profile.id)));
      if (owner?.accountId !== accountId) throw new OAuthIdentityTakenError();
      return { linked: false };
    }
    await logActivity(c, {
      accountId,
      action: AuthActivityAction.OAuthConnected,
      metadata: { provider, linkedBy: "session" },
      request,
    });
    return { linked: true };
  });
}
