import { and, eq } from "drizzle-orm";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { type AuthContext, type RequestInfo, withTransaction } from "../core/context.js";
import { notifyAccount } from "../core/notifications.js";
import { LastSignInMethodError, ProviderNotLinkedError, UserNotFoundError } from "../errors.js";

/**
 * Removes every identity of `provider` from an account, refusing to remove its last way to sign in
 * (no password and no identity of another provider). The account row is locked for the check, so two
 * concurrent unlinks of different providers cannot together leave the account unreachable.
 * @throws {ProviderNotLinkedError} | {LastSignInMethodError} | {UserNotFoundError}
 */
export async function unlinkProvider(
  ctx: AuthContext,
  accountId: number,
  provider: string,
  request?: RequestInfo,
): Promise<void> {
  const { accounts, providers } = ctx.t;
  await ctx.db.transaction(async (tx) => {
    const [account] = await tx
      .select({ password: accounts.password })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for("update");
    if (!account) throw new UserNotFoundError();
    const linked = await tx
      .select({ provider: providers.provider })
      .from(providers)
      .where(eq(providers.accountId, accountId));
    const removing = linked.filter((row) => row.provider === provider).length;
    if (removing === 0) throw new ProviderNotLinkedError();
    if (account.password === null && removing === linked.length) throw new LastSignInMethodError();
    await tx.delete(providers).where(and(eq(providers.accountId, accountId), eq(providers.provider, provider)));
    await logActivity(withTransaction(ctx, tx), {
      accountId,
      action: AuthActivityAction.OAuthDisconnected,
      metadata: { provider },
      request,
    });
  });
  await notifyAccount(ctx, { type: "provider_unlinked", accountId, details: { provider } });
}
