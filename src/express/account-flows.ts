import { type AuthAccount, findAccount, requireAccount } from "../core/accounts.js";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { consumeConfirmation, issueConfirmation } from "../core/confirmations.js";
import { callbackArg } from "../core/input.js";
import { canonicalizeEmail } from "../core/email.js";
import { completePasswordReset, requestPasswordResetQuietly } from "../core/password-reset.js";
import { registerWithCallback } from "../core/registration.js";
import { EmailNotVerifiedError, EmailTakenError, UserNotLoggedInError } from "../errors.js";
import type { RequestInfo } from "../core/context.js";
import { consumeRateLimit } from "../rate-limit/limiter.js";
import { requestInfo } from "./request-info.js";
import { type AuthScope, signedIn } from "./scope.js";
import { applySignIn, isRememberFlag } from "./sign-in.js";
import { endSession, updateAuthState } from "./session-writer.js";
import { signInAccount } from "../sign-in/sign-in.js";

function actorInfo(scope: AuthScope) {
  return requestInfo(scope.req, signedIn(scope)?.accountId ?? null);
}

/**
 * `req.auth.register`: with a callback the account starts unverified and the callback gets the token.
 * Without `request` it is the client's own sign-up, counted against `rateLimits.register` by its IP
 * (free and taken addresses alike). With `request` (the admin's `createUser`, acting for someone) it is
 * not rate limited.
 * @throws {RateLimitedError} beyond the limit, whether or not the address is taken
 */
export async function register(
  scope: AuthScope,
  email: unknown,
  password: unknown,
  userId?: unknown,
  callback?: unknown,
  request?: RequestInfo,
): Promise<AuthAccount> {
  return registerWithCallback(scope.ctx, {
    email,
    password,
    userId,
    callback,
    request: request ?? requestInfo(scope.req),
    rateLimited: request === undefined,
  });
}

/** `req.auth.confirmEmail`: consumes the token; updates this session when it belongs to the account. */
export async function confirmEmail(scope: AuthScope, token: unknown): Promise<string> {
  const confirmed = await consumeConfirmation(scope.ctx, token, requestInfo(scope.req));
  const auth = signedIn(scope);
  if (auth && auth.accountId === confirmed.accountId) updateAuthState(auth, { email: confirmed.email, verified: true });
  return confirmed.email;
}

/** `req.auth.confirmEmailAndLogin`: confirms, then signs in (account status is checked). */
export async function confirmEmailAndLogin(scope: AuthScope, token: unknown, remember: unknown): Promise<void> {
  const confirmed = await consumeConfirmation(scope.ctx, token, requestInfo(scope.req));
  const auth = signedIn(scope);
  if (auth && auth.accountId === confirmed.accountId) {
    updateAuthState(auth, { email: confirmed.email, verified: true });
    return;
  }
  const account = await requireAccount(scope.ctx, { accountId: confirmed.accountId });
  const result = await signInAccount(scope.ctx, account, {
    remember: isRememberFlag(remember),
    metadata: { confirmedEmail: true },
    request: requestInfo(scope.req),
    secondFactor: true,
    requiresConfirmedEmail: false,
  });
  await applySignIn(scope, result);
}

/** `req.auth.changeEmail`: sends a confirmation for the new address; the change happens on confirmation. */
export async function changeEmail(scope: AuthScope, newEmail: unknown, callback: unknown): Promise<void> {
  const cb = callbackArg(callback);
  const auth = signedIn(scope);
  if (!auth) throw new UserNotLoggedInError();
  const email = canonicalizeEmail(newEmail);
  if (await findAccount(scope.ctx, { email })) throw new EmailTakenError();
  const account = await requireAccount(scope.ctx, { accountId: auth.accountId });
  if (!account.verified) throw new EmailNotVerifiedError();
  const token = await issueConfirmation(scope.ctx, account.id, email);
  await logActivity(scope.ctx, {
    accountId: account.id,
    action: AuthActivityAction.EmailChangeRequested,
    metadata: { from: account.email, to: email },
    request: actorInfo(scope),
  });
  if (cb) await cb(token);
}

/**
 * `req.auth.resendConfirmation`: a fresh token for an unverified address; silent when there is nothing to
 * confirm. Counted against the `confirmationResend` rate limit per address and per client IP.
 */
export async function resendConfirmation(scope: AuthScope, email: unknown, callback: unknown): Promise<void> {
  const cb = callbackArg(callback);
  const canonical = canonicalizeEmail(email);
  await consumeRateLimit(scope.ctx, "confirmationResend", {
    account: canonical,
    ip: requestInfo(scope.req).ip ?? null,
  });
  const account = await findAccount(scope.ctx, { email: canonical });
  if (!account || account.verified) return;
  const token = await issueConfirmation(scope.ctx, account.id, account.email);
  if (cb) await cb(token);
}

/**
 * `req.auth.resetPassword`: hands a reset token to the callback when the address belongs to a verified,
 * resettable account under its open-request limit. Resolves the same way for every other address
 * (unknown, unverified, not resettable, over the limit): no error, no callback, the same statements.
 * @throws {InvalidEmailError} | {InvalidInputError} | {RateLimitedError} (counted for unknown addresses alike)
 */
export async function resetPassword(
  scope: AuthScope,
  email: unknown,
  expiresAfter: unknown,
  maxOpenRequests: unknown,
  callback: unknown,
): Promise<void> {
  const cb = callbackArg(callback);
  const request = requestInfo(scope.req);
  const token = await requestPasswordResetQuietly(scope.ctx, email, expiresAfter, maxOpenRequests, request);
  if (token !== null && cb) await cb(token);
}

/** `req.auth.confirmResetPassword`: sets the password; this session ends too when it belonged to the account. */
export async function confirmReset(scope: AuthScope, token: unknown, password: unknown, logout: unknown) {
  const result = await completePasswordReset(scope.ctx, token, password, {
    logout: logout !== false,
    request: requestInfo(scope.req),
  });
  if (logout !== false && signedIn(scope)?.accountId === result.accountId) await endSession(scope);
  return result;
}
