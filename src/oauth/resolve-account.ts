/**
 * Decides which account an OAuth identity signs in to. The identity key `(provider, provider_id)`
 * decides; an email only ever links when the provider vouches for it and the provider's policy allows
 * it. New accounts need a provider-verified email.
 */
import { randomUUID } from "node:crypto";
import { type AccountRecord, findAccountByEmail, normalizeUserId } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { isValidEmail, canonicalizeEmail } from "../core/email.js";
import { notifyAccount } from "../core/notifications.js";
import { AuthStatus } from "../primitives/status.js";
import {
  OAuthAccountExistsError,
  OAuthEmailRequiredError,
  OAuthIdentityTakenError,
  UserInactiveError,
} from "../errors.js";
import type { ProviderProfile } from "../providers/oauth-provider.js";
import type { ProviderEntry } from "../providers/registry.js";
import { findIdentity, refreshIdentity } from "./identities.js";
import { createOAuthAccount, linkByVerifiedEmail } from "./oauth-accounts.js";
import { toOAuthUserData } from "../providers/user-data.js";

/** The account an OAuth sign-in lands on. */
export interface ResolvedOAuthAccount {
  account: AccountRecord;
  /** True when this sign-in created the account. */
  isNewUser: boolean;
}

type Policy = Pick<ProviderEntry, "allowEmailLinking" | "trustEmail">;

/**
 * Finds or creates the account of a provider identity and refreshes the stored profile. An existing
 * account is linked by email only while it is Normal; whether the account may sign in is the sign-in
 * use case's decision (`src/sign-in/`), as for every method.
 * @throws {UserInactiveError} | {OAuthAccountExistsError} | {OAuthEmailRequiredError} | {UserIdTakenError}
 */
export async function resolveOAuthAccount(
  ctx: AuthContext,
  provider: string,
  profile: ProviderProfile,
  policy: Policy,
  request?: RequestInfo,
): Promise<ResolvedOAuthAccount> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await findOrCreate(ctx, provider, profile, policy, request);
    } catch (err) {
      // A concurrent first sign-in of the same identity won the insert: its account is the one.
      if (!(err instanceof OAuthIdentityTakenError) || attempt > 0) throw err;
    }
  }
}

async function findOrCreate(
  ctx: AuthContext,
  provider: string,
  profile: ProviderProfile,
  policy: Policy,
  request: RequestInfo | undefined,
): Promise<ResolvedOAuthAccount> {
  const found = await findIdentity(ctx, provider, profile.id);
  if (found) {
    await refreshIdentity(ctx, found.identityId, profile);
    return { account: found.account, isNewUser: false };
  }
  const email = profile.email !== null && isValidEmail(profile.email) ? canonicalizeEmail(profile.email) : null;
  const vouched = email !== null && (profile.emailVerified || policy.trustEmail);
  const existing = email !== null ? await findAccountByEmail(ctx, email) : null;
  if (existing) {
    // The account may be a concurrent first sign-in of this very identity that committed meanwhile.
    const raced = await findIdentity(ctx, provider, profile.id);
    if (raced) return { account: raced.account, isNewUser: false };
    if (!vouched || !policy.allowEmailLinking) {
      await logActivity(ctx, {
        accountId: existing.id,
        action: AuthActivityAction.FailedLogin,
        success: false,
        metadata: { provider, reason: vouched ? "oauth_linking_disabled" : "oauth_email_unverified" },
        request,
      });
      throw new OAuthAccountExistsError();
    }
    await assertActive(ctx, existing, provider, request);
    const linked = await linkByVerifiedEmail(ctx, existing, provider, profile, request);
    await notifyAccount(ctx, {
      type: "provider_linked",
      accountId: existing.id,
      email: linked.account.email,
      details: { provider, claimed: linked.claimed },
    });
    return { account: linked.account, isNewUser: false };
  }
  if (!vouched) throw new OAuthEmailRequiredError();
  const hook = ctx.config.createUser;
  const userId = normalizeUserId(hook ? await hook(toOAuthUserData(provider, profile)) : randomUUID());
  const account = await createOAuthAccount(ctx, { provider, profile, email, userId, request });
  return { account, isNewUser: true };
}

async function assertActive(
  ctx: AuthContext,
  account: AccountRecord,
  provider: string,
  request: RequestInfo | undefined,
): Promise<void> {
  if (account.status === AuthStatus.Normal) return;
  await logActivity(ctx, {
    accountId: account.id,
    action: AuthActivityAction.FailedLogin,
    success: false,
    metadata: { provider, reason: "account_inactive", status: account.status },
    request,
  });
  throw new UserInactiveError();
}
