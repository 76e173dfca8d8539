/**
 * Writing down a completed sign-in: `last_login`, the stronger hash when one was computed, the audit
 * rows, and the remember-me token when one was asked for, in one statement that also returns the
 * account's profile for the new session. With the account read and the session row, a password
 * sign-in costs three statements.
 */
import { eq } from "drizzle-orm";
import type { AccountRecord } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { type ActivityEntry, activityRow } from "../core/activity.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { isForeignKeyViolation } from "../core/db-errors.js";
import { profileColumns } from "../core/profile-columns.js";
import { type RememberCookieValue, newRememberToken } from "../core/remember-tokens.js";
import { UserNotFoundError } from "../errors.js";

/** The display name and avatar a session shows: from the account's most recently updated provider identity. */
export interface AccountProfile {
  name: string | null;
  image: string | null;
}

/** What {@link recordSignIn} writes besides `last_login`. */
export interface SignInRecord {
  /** The stronger password hash, or null. */
  rehash: string | null;
  /** Issue a remember-me token for this device. */
  remember: boolean;
  /** The `login` row's metadata (method, provider, …; never a secret). */
  metadata: Record<string, unknown>;
  request: RequestInfo;
}

/** What the recorded sign-in hands to the session: the profile, and the remember-me cookie value. */
export interface RecordedSignIn {
  profile: AccountProfile;
  remember: RememberCookieValue | null;
}

/**
 * Records a sign-in in one statement (data-modifying CTEs for the audit rows and the remember-me
 * token, then the account update returning the profile). An account deleted since it was read fails
 * the whole statement, so nothing of the sign-in is left.
 * @throws {UserNotFoundError} the account no longer exists
 */
export async function recordSignIn(
  ctx: AuthContext,
  account: AccountRecord,
  record: SignInRecord,
): Promise<RecordedSignIn> {
  const token = record.remember ? newRememberToken(ctx, account.id) : null;
  const entries: ActivityEntry[] = [
    {
      accountId: account.id,
      action: AuthActivityAction.Login,
      metadata: { email: account.email, remember: record.remember, ...record.metadata },
      request: record.request,
    },
  ];
  if (token)
    entries.push({
      accountId: account.id,
      action: AuthActivityAction.RememberTokenCreated,
      metadata: { email: account.email },
      request: record.request,
    });
  const rows = entries.map((e) => activityRow(ctx, e)).filter((r) => r !== null);
  const { accounts: a, activityLog: log, remembers } = ctx.t;
  const ctes = [
    ...(rows.length > 0 ? [ctx.db.$with("logged").as(ctx.db.insert(log).values(rows).returning({ id: log.id }))] : []),
    ...(token ? [ctx.db.$with("remembered").as(ctx.db.insert(remembers).values(token.row).returning({ id: remembers.id }))] : []),
  ];
  const update = ctx.db
    .with(...ctes)
    .update(a)
    .set({ lastLogin: ctx.now(), ...(record.rehash ? { password: record.rehash } : {}) })
    .where(eq(a.id, account.id))
    .returning(profileColumns(ctx));
  const [row] = await update.catch((err: unknown) => {
    throw isForeignKeyViolation(err) ? new UserNotFoundError() : err;
  });
  if (!row) throw new UserNotFoundError();
  return { profile: { name: row.name ?? null, image: row.image ?? null }, remember: token?.cookie ?? null };
}

/** Stores a stronger password hash at a sign-in that waits for its second step (written once). */
export async function saveRehash(ctx: AuthContext, accountId: number, hash: string): Promise<void> {
  await ctx.db.update(ctx.t.accounts).set({ password: hash }).where(eq(ctx.t.accounts.id, accountId));
}
