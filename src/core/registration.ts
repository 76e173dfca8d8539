import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { assertAcceptablePassword } from "../crypto/password-policy.js";
import { EmailTakenError, UserIdTakenError } from "../errors.js";
import { type AuthAccount, accountColumns, normalizeUserId, toAuthAccount } from "./accounts.js";
import { AuthActivityAction } from "./activity-actions.js";
import { activityRow } from "./activity.js";
import { newConfirmation } from "./confirmations.js";
import { callbackArg } from "./input.js";
import type { AuthContext, RequestInfo } from "./context.js";
import { isUniqueViolation } from "./db-errors.js";
import { canonicalizeEmail } from "./email.js";
import { withSpan } from "../tracing/tracer.js";
import { consumeRateLimit } from "../rate-limit/limiter.js";

/** Input of {@link registerAccount}. */
export interface RegisterInput {
  email: unknown;
  password: unknown;
  userId?: unknown;
  /** Create the account unverified and issue a confirmation token. */
  requireConfirmation: boolean;
  request?: RequestInfo | undefined;
  /**
   * Count the attempt against `rateLimits.register` by `request.ip` (self-service sign-ups). Admin and
   * server-side account creation leave it off. @default false
   */
  rateLimited?: boolean | undefined;
}

/** A new account, and the confirmation token when one was issued. */
export interface Registration {
  account: AuthAccount;
  confirmationToken: string | null;
}

/** Thrown when the app-supplied `userId` is already linked to another account (defined in src/errors.ts). */
export { UserIdTakenError };

/**
 * Creates an account: validates and canonicalises the email, checks the password policy, hashes off the
 * event loop, then writes the account, its confirmation token and the audit row in one transaction.
 * Two concurrent registrations of one email create one account; the other gets {@link EmailTakenError}.
 * With `rateLimited`, a well-formed attempt is counted per client IP before the hash (one upsert, outside
 * the transaction), a taken address exactly like a free one, so the limit tells nothing about accounts.
 * @throws {InvalidEmailError} | {InvalidPasswordError} | {RateLimitedError} | {EmailTakenError} | {UserIdTakenError}
 */
export async function registerAccount(ctx: AuthContext, input: RegisterInput): Promise<Registration> {
  const email = canonicalizeEmail(input.email);
  const password = assertAcceptablePassword(input.password, ctx.config, email);
  const userId = input.userId === undefined || input.userId === null ? randomUUID() : normalizeUserId(input.userId);
  // Before the hash: a refused attempt costs no argon2 work, and it never reaches the accounts table.
  if (input.rateLimited) await consumeRateLimit(ctx, "register", { ip: input.request?.ip ?? null });
  const hash = await ctx.hasher.hash(password);
  const { accounts, confirmations, activityLog } = ctx.t;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(accounts)
        .values({ userId, email, password: hash, verified: !input.requireConfirmation, registered: ctx.now() })
        .onConflictDoNothing()
        .returning(accountColumns(ctx));
      if (!row) throw (await emailExists(ctx, tx, email)) ? new EmailTakenError() : new UserIdTakenError();
      let confirmationToken: string | null = null;
      if (input.requireConfirmation) {
        const { token, row: confirmation } = newConfirmation(ctx, row.id, email);
        await tx.insert(confirmations).values(confirmation);
        confirmationToken = token;
      }
      const audit = activityRow(ctx, {
        accountId: row.id,
        action: AuthActivityAction.Register,
        metadata: { email, verified: row.verified, userId },
        request: input.request,
      });
      if (audit) await tx.insert(activityLog).values(audit);
      return { account: toAuthAccount(row), confirmationToken };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}

async function emailExists(ctx: AuthContext, db: AuthContext["db"], email: string): Promise<boolean> {
  const { accounts } = ctx.t;
  const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.email, email)).limit(1);
  return row !== undefined;
}

/**
 * @prsm/auth's `register(email, password, userId?, callback?)`: with a callback the account starts
 * unverified and the callback receives the confirmation token (awaited, so its errors propagate).
 * `rateLimited` counts it against `rateLimits.register` (see {@link RegisterInput.rateLimited}).
 */
export async function registerWithCallback(
  ctx: AuthContext,
  input: {
    email: unknown;
    password: unknown;
    userId?: unknown;
    callback?: unknown;
    request?: RequestInfo | undefined;
    rateLimited?: boolean | undefined;
  },
): Promise<AuthAccount> {
  const cb = callbackArg(input.callback);
  return withSpan(ctx, "auth.register", { "auth.confirmation": cb !== undefined }, async () => {
    const { account, confirmationToken } = await registerAccount(ctx, {
      email: input.email,
      password: input.password,
      userId: input.userId,
      requireConfirmation: cb !== undefined,
      request: input.request,
      rateLimited: input.rateLimited,
    });
    if (confirmationToken && cb) await cb(confirmationToken);
    return account;
  });
}
