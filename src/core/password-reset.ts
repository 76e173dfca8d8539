import { consumeRateLimit } from "../rate-limit/limiter.js";
import { and, count, eq, gt } from "drizzle-orm";
import { assertAcceptablePassword } from "../crypto/password-policy.js";
import { hashesEqual, issueToken, parseToken } from "../crypto/tokens.js";
import {
  EmailNotVerifiedError,
  ResetDisabledError,
  ResetExpiredError,
  ResetNotFoundError,
  TooManyResetsError,
  UserNotFoundError,
} from "../errors.js";
import type { AccountRecord } from "./accounts.js";
import { findAccount } from "./accounts.js";
import { canonicalizeEmail } from "./email.js";
import { durationArg, positiveIntArg } from "./input.js";
import { AuthActivityAction } from "./activity-actions.js";
import { logActivity } from "./activity.js";
import { notifyAccount } from "./notifications.js";
import { type AuthContext, later, type RequestInfo, withTransaction } from "./context.js";
import { clearLoginFailures, loginKey } from "./login-lockout.js";
import { revokeAccountAccess } from "./revocation.js";
import { notifyInvalidation } from "../invalidation/notify.js";

/** Options of a reset request. */
export interface ResetRequestOptions {
  /** Token lifetime in ms. @default config.resetExpiry */
  expiresInMs?: number | undefined;
  /** Most unexpired requests per account. @default config.maxOpenResets */
  maxOpenRequests?: number | undefined;
  request?: RequestInfo | undefined;
}

/**
 * Issues a reset token for an account (verified, resettable, under the open-request limit).
 * Returns the token; mail it to the account's stored address, never to a submitted one.
 * @throws {EmailNotVerifiedError} | {ResetDisabledError} | {TooManyResetsError}
 */
export async function issuePasswordReset(
  ctx: AuthContext,
  account: AccountRecord,
  options: ResetRequestOptions = {},
): Promise<string> {
  if (!account.verified) throw new EmailNotVerifiedError();
  if (!account.resettable) throw new ResetDisabledError();
  const r = ctx.t.resets;
  const a = ctx.t.accounts;
  const max = Math.max(1, options.maxOpenRequests ?? ctx.config.maxOpenResets);
  const { token, selector, validatorHash } = issueToken();
  const expires = later(ctx, options.expiresInMs ?? ctx.config.resetMs);
  await ctx.db.transaction(async (tx) => {
    // Locking the account serialises concurrent requests, so they count each other and the limit holds.
    await tx.select({ id: a.id }).from(a).where(eq(a.id, account.id)).for("no key update");
    const [open] = await tx
      .select({ n: count() })
      .from(r)
      .where(and(eq(r.accountId, account.id), gt(r.expires, ctx.now())));
    if ((open?.n ?? 0) >= max) throw new TooManyResetsError();
    await tx.insert(r).values({ accountId: account.id, selector, validatorHash, expires, createdAt: ctx.now() });
    await logActivity(withTransaction(ctx, tx), {
      accountId: account.id,
      action: AuthActivityAction.PasswordResetRequested,
      metadata: { email: account.email },
      request: options.request,
    });
  });
  return token;
}

/**
 * `resetPassword(email, expiresAfter, maxOpenRequests)`: finds the account by canonical email (a missing
 * or unverified account is the same {@link EmailNotVerifiedError}) and issues a token. Requests count
 * against the `passwordReset` rate limit per address and per client IP.
 * @throws {RateLimitedError} beyond it
 */
export async function requestPasswordReset(
  ctx: AuthContext,
  email: unknown,
  expiresAfter: unknown,
  maxOpenRequests: unknown,
  request?: RequestInfo,
): Promise<string> {
  const expiresInMs = durationArg(expiresAfter, "expiresAfter");
  const max = positiveIntArg(maxOpenRequests, "maxOpenRequests");
  const canonical = canonicalizeEmail(email);
  // Counted before the lookup, for unknown addresses too: the limit reveals nothing about accounts.
  await consumeRateLimit(ctx, "passwordReset", { account: canonical, ip: request?.ip ?? null });
  const account = await findAccount(ctx, { email: canonical });
  if (!account || !account.verified) throw new EmailNotVerifiedError();
  return issuePasswordReset(ctx, account, { expiresInMs, maxOpenRequests: max, request });
}

/** Options of {@link completePasswordReset}. */
export interface ResetCompletion {
  /** Revoke every session and remember-me token of the account. @default true */
  logout?: boolean;
  request?: RequestInfo | undefined;
}

/**
 * Sets a new password with a reset token. The password is checked first (a weak one leaves the token
 * usable); then, in one transaction, the token is consumed by one conditional DELETE, the hash is
 * written, every other reset token is deleted and, by default, every session and remember-me token is
 * revoked. The login lockout of the account is cleared. Two-factor settings are left untouched.
 * @throws {ResetNotFoundError} | {ResetExpiredError} | {UserNotFoundError} | {ResetDisabledError} | {InvalidPasswordError}
 */
export async function completePasswordReset(
  ctx: AuthContext,
  token: unknown,
  password: unknown,
  options: ResetCompletion = {},
) {
  const presented = parseToken(token);
  if (!presented) throw new ResetNotFoundError();
  const r = ctx.t.resets;
  const [row] = await ctx.db.select().from(r).where(eq(r.selector, presented.selector)).limit(1);
  if (!row || !hashesEqual(row.validatorHash, presented.validatorHash)) throw new ResetNotFoundError();
  if (row.expires.getTime() <= ctx.now().getTime()) {
    await ctx.db.delete(r).where(eq(r.id, row.id));
    throw new ResetExpiredError();
  }
  const account = await findAccount(ctx, { accountId: row.accountId });
  if (!account) throw new UserNotFoundError();
  if (!account.resettable) throw new ResetDisabledError();
  const normalized = assertAcceptablePassword(password, ctx.config, account.email);
  const hash = await ctx.hasher.hash(normalized);
  await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    const [used] = await tx
      .delete(r)
      .where(and(eq(r.id, row.id), eq(r.validatorHash, row.validatorHash)))
      .returning({ id: r.id });
    if (!used) throw new ResetNotFoundError();
    await tx.update(ctx.t.accounts).set({ password: hash }).where(eq(ctx.t.accounts.id, account.id));
    await tx.delete(r).where(eq(r.accountId, account.id));
    if (options.logout !== false) await revokeAccountAccess(txCtx, account.id);
    else await notifyInvalidation(txCtx, account.id, "password");
    await clearLoginFailures(txCtx, loginKey(account.email));
    await logActivity(txCtx, {
      accountId: account.id,
      action: AuthActivityAction.PasswordResetCompleted,
      metadata: { email: account.email },
      request: options.request,
    });
  });
  await notifyAccount(ctx, { type: "password_reset", accountId: account.id, email: account.email });
  return { accountId: account.id, email: account.email };
}
