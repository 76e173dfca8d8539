/**
 * The `providers` table: OAuth identities keyed by `(provider, provider_id)`, never by email.
 * Plain functions over typed Drizzle queries; none returns a token.
 */
import { and, desc, eq } from "drizzle-orm";
import { type AccountRecord, accountColumns } from "../core/accounts.js";
import type { AuthContext } from "../core/context.js";
import type { ProviderProfile } from "../providers/oauth-provider.js";

/** A linked identity as the app may show it (no tokens are ever stored). */
export interface LinkedProvider {
  /** Row id. */
  id: number;
  /** Provider key, e.g. `github`. */
  provider: string;
  /** The provider's stable account id. */
  providerId: string;
  email: string | null;
  username: string | null;
  name: string | null;
  avatar: string | null;
  /** When the identity was linked. */
  createdAt: Date;
  /** When the profile fields were last refreshed (each sign-in). */
  updatedAt: Date;
}

const MAX_FIELD = 512;
const clip = (value: string | null | undefined): string | null => (value ? value.slice(0, MAX_FIELD) : null);

/** The profile columns of a provider row, refreshed on every sign-in. */
export function profileColumns(profile: ProviderProfile) {
  return {
    providerEmail: clip(profile.email),
    providerUsername: clip(profile.username),
    providerName: clip(profile.name),
    providerAvatar: clip(profile.avatar),
  };
}

function linkedColumns(ctx: AuthContext) {
  const p = ctx.t.providers;
  return {
    id: p.id,
    provider: p.provider,
    providerId: p.providerId,
    email: p.providerEmail,
    username: p.providerUsername,
    name: p.providerName,
    avatar: p.providerAvatar,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** The account an identity is linked to (with the identity's row id), or null. One query. */
export async function findIdentity(
  ctx: AuthContext,
  provider: string,
  providerId: string,
): Promise<{ identityId: number; account: AccountRecord } | null> {
  const p = ctx.t.providers;
  const [row] = await ctx.db
    .select({ identityId: p.id, ...accountColumns(ctx) })
    .from(p)
    .innerJoin(ctx.t.accounts, eq(ctx.t.accounts.id, p.accountId))
    .where(and(eq(p.provider, provider), eq(p.providerId, providerId)))
    .limit(1);
  if (!row) return null;
  const { identityId, ...account } = row;
  return { identityId, account: { ...account, hasPassword: account.password !== null } };
}

/** Stores the latest profile fields of an identity (email, username, name, avatar). */
export async function refreshIdentity(ctx: AuthContext, identityId: number, profile: ProviderProfile): Promise<void> {
  const p = ctx.t.providers;
  await ctx.db
    .update(p)
    .set({ ...profileColumns(profile), updatedAt: ctx.now() })
    .where(eq(p.id, identityId));
}

/**
 * Inserts an identity for an account. Returns false when `(provider, provider_id)` is already linked
 * (to any account): the unique index decides, so two concurrent links cannot both succeed.
 */
export async function insertIdentity(
  ctx: AuthContext,
  accountId: number,
  provider: string,
  profile: ProviderProfile,
): Promise<boolean> {
  const now = ctx.now();
  const rows = await ctx.db
    .insert(ctx.t.providers)
    .values({ accountId, provider, providerId: profile.id, ...profileColumns(profile), createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning({ id: ctx.t.providers.id });
  return rows.length === 1;
}

/** The identities linked to an account, newest first. */
export async function listIdentities(ctx: AuthContext, accountId: number): Promise<LinkedProvider[]> {
  const p = ctx.t.providers;
  return ctx.db
    .select(linkedColumns(ctx))
    .from(p)
    .where(eq(p.accountId, accountId))
    .orderBy(desc(p.createdAt), desc(p.id));
}
