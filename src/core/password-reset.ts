import { consumeRateLimit } from "../rate-limit/limiter.js";
import { type SQL, and, eq, sql } from "drizzle-orm";
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
import { timestampParam } from "../primitives/sql-time.js";

/** Options of a reset request. */
export interface ResetRequestOptions {
  /** Token lifetime in ms. @default config.resetExpiry */
  expiresInMs?: number | undefined;
  /** Most unexpired requests per account. @default config.maxOpenResets */
  maxOpenRequests?: number | undefined;
  request?: RequestInfo | undefined;
}

/**
 * What a reset request did. Only server-side callers learn it (and the audit log, as `reason`): the
 * self-service surfaces answer every outcome alike.
 */
export type ResetOutcome = "issued" | "account_not_found" | "email_not_verified" | "reset_disabled" | "too_many_open";

/** The result of {@link requestReset}: the token when one was issued, and why not otherwise. */
export interface ResetRequestResult {
  token: string | null;
  outcome: ResetOutcome;
}

/**
 * One reset request, in one transaction whose statements do not depend on the account: lock the account
 * row (if any), one conditional `INSERT … SELECT` that counts the open tokens and inserts only below the
 * cap (0 when the account is unknown, unverified or not resettable), and the audit row. A token is made
 * for every request, so a refused one costs the same CPU as an issued one.
 */
async function openReset(
  ctx: AuthContext,
  match: SQL,
  submitted: string,
  options: ResetRequestOptions,
): Promise<ResetRequestResult> {
  const a = ctx.t.accounts;
  const r = ctx.t.resets;
  const max = Math.max(1, options.maxOpenRequests ?? ctx.config.maxOpenResets);
  const { token, selector, validatorHash } = issueToken();
  const now = timestampParam(ctx.now());
  const expires = timestampParam(later(ctx, options.expiresInMs ?? ctx.config.resetMs));
  const col = (c: { name: string }) => sql.identifier(c.name);
  return ctx.db.transaction(async (tx) => {
    // Locking the account serialises concurrent requests, so each count sees the tokens of the others.
    const [account] = await tx
      .select({ id: a.id, email: a.email, verified: a.verified, resettable: a.resettable })
      .from(a)
      .where(match)
      .for("no key update");
    const id = account?.id ?? 0;
    const cap = account?.verified && account.resettable ? max : 0;
    const columns = sql.join([r.accountId, r.selector, r.validatorHash, r.expires, r.createdAt].map(col), sql`, `);
    const result = await tx.execute(
      sql`insert into ${r} (${columns})
        select ${id}::integer, ${selector}::text, ${validatorHash}::text, ${expires}, ${now}
        where (select count(*) from ${r} where ${col(r.accountId)} = ${id}::integer and ${col(r.expires)} > ${now}) < ${cap}
        returning ${col(r.id)}`,
    );
    const inserted = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    const outcome: ResetOutcome = !account
      ? "account_not_found"
      : !account.verified
        ? "email_not_verified"
        : !account.resettable
          ? "reset_disabled"
          : inserted.length > 0
            ? "issued"
            : "too_many_open";
    await logActivity(withTransaction(ctx, tx), {
      accountId: account?.id ?? null,
      action: AuthActivityAction.PasswordResetRequested,
      success: outcome === "issued",
      metadata: { email: account?.email ?? submitted, ...(outcome === "issued" ? {} : { reason: outcome }) },
      request: options.request,
    });
    return { token: outcome === "issued" ? token : null, outcome };
  });
}

/** The error a server-side caller gets for a refused request. */
function refusal(outcome: Exclude<ResetOutcome, "issued">): Error {
  if (outcome === "reset_disabled") return new ResetDisabledError();
  if (outcome === "too_many_open") return new TooManyResetsError();
  return new EmailNotVerifiedError();
}

/**
 * Issues a reset token for an account (verified, resettable, under the open-request limit): the admin
 * path, which names the reason of a refusal. Mail the token to the account's stored address.
 * @throws {EmailNotVerifiedError} | {ResetDisabledError} | {TooManyResetsError} | {UserNotFoundError}
 */
export async function issuePasswordReset(
  ctx: AuthContext,
  account: AccountRecord,
  options: ResetRequestOptions = {},
): Promise<string> {
  const { token, outcome } = await openReset(ctx, eq(ctx.t.accounts.id, account.id), account.email, options);
  if (token !== null) return token;
  throw outcome === "account_not_found" ? new UserNotFoundError() : refusal(outcome as Exclude<ResetOutcome, "issued">);
}

/**
 * `resetPassword(email, expiresAfter, maxOpenRequests)`, the one implementation behind every surface:
 * counts the request against the `passwordReset` rate limit (per address and per client IP, before the
 * lookup, unknown addresses alike), then runs the same statements for every address (see `openReset`).
 * Never throws for the account's state: the outcome says what happened.
 * @throws {InvalidEmailError} | {InvalidInputError} | {RateLimitedError}
 */
export async function requestReset(
  ctx: AuthContext,
  email: unknown,
  expiresAfter: unknown,
  maxOpenRequests: unknown,
  request?: RequestInfo,
): Promise<ResetRequestResult> {
  const expiresInMs = durationArg(expiresAfter, "expiresAfter");
  const max = positiveIntArg(maxOpenRequests, "maxOpenRequests");
  const canonical = canonicalizeEmail(email);
  await consumeRateLimit(ctx, "passwordReset", { account: canonical, ip: request?.ip ?? null });
  return openReset(ctx, eq(ctx.t.accounts.email, canonical), canonical, { expiresInMs, maxOpenRequests: max, request });
}

/**
 * The self-service form (`req.auth.resetPassword`, `POST /password/forgot`): the token for a verified,
 * resettable account under its open-request limit, else null. An unknown, unverified, non-resettable or
 * over-limit address gets the same answer, after the same statements, so nothing tells them apart.
 * @throws {InvalidEmailError} | {InvalidInputError} | {RateLimitedError} (unknown addresses counted alike)
 */
export async function requestPasswordResetQuietly(
  ctx: AuthContext,
  email: unknown,
  expiresAfter: unknown,
  maxOpenRequests: unknown,
  request?: RequestInfo,
): Promise<string | null> {
  return (await requestReset(ctx, email, expiresAfter, maxOpenRequests, request)).token;
}

/**
 * The server-side form (standalone `resetPassword(config, …)`, the admin context): like
 * {@link requestPasswordResetQuietly}, but a refusal names its reason, as in @prsm/auth (an unknown
 * address and an unverified one are the same {@link EmailNotVerifiedError}). Do not forward these
 * errors to an anonymous client.
 * @throws {EmailNotVerifiedError} | {ResetDisabledError} | {TooManyResetsError} | {RateLimitedError}
 */
export async function requestPasswordReset(
  ctx: AuthContext,
  email: unknown,
  expiresAfter: unknown,
  maxOpenRequests: unknown,
  request?: RequestInfo,
): Promise<string> {
  const { token, outcome } = await requestReset(ctx, email, expiresAfter, maxOpenRequests, request);
  if (token !== null) return token;
  throw refusal(outcome as Exclude<ResetOutcome, "issued">);
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
