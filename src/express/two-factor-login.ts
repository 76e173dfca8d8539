/**
 * The second step of a sign-in over a request: answering the pending challenge and finishing the
 * sign-in through the use case (`completeSecondFactor`).
 */
import {
  InvalidBackupCodeError,
  InvalidTwoFactorCodeError,
  TwoFactorExpiredError,
  UserNotLoggedInError,
} from "../errors.js";
import { TwoFactorMechanism } from "../core/activity-actions.js";
import { completeSecondFactor } from "../sign-in/sign-in.js";
import type { PendingTwoFactor } from "../two-factor/challenge.js";
import { type FactorKind, verifyFactor } from "../two-factor/verification.js";
import { withSpan } from "../tracing/tracer.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { applySignIn } from "./sign-in.js";
import { dropAuthState, updatePending } from "./session-writer.js";

const MECHANISM_OF: Record<FactorKind, number> = {
  totp: TwoFactorMechanism.TOTP,
  email: TwoFactorMechanism.EMAIL,
  sms: TwoFactorMechanism.SMS,
  otp: TwoFactorMechanism.EMAIL,
  backup_code: 0,
};

/** The live pending state, or an error: none → {@link UserNotLoggedInError}; expired → {@link TwoFactorExpiredError}. */
function livePending(scope: AuthScope): PendingTwoFactor {
  const pending = scope.req.session?.auth?.awaitingTwoFactor;
  if (!pending) throw new UserNotLoggedInError();
  if (Number(pending.expiresAt) <= scope.ctx.now().getTime()) {
    dropAuthState(scope);
    throw new TwoFactorExpiredError();
  }
  return pending;
}

/**
 * Answers the pending second step. A wrong answer counts against this challenge (after `maxAttempts`
 * the login must restart) and against the account-wide lockout.
 */
export function verifyPendingFactor(scope: AuthScope, kind: FactorKind, code: unknown): Promise<void> {
  return withSpan(scope.ctx, "auth.two_factor.verify", { "auth.method": kind }, () => verifyPending(scope, kind, code));
}

async function verifyPending(scope: AuthScope, kind: FactorKind, code: unknown): Promise<void> {
  const pending = livePending(scope);
  const attempted = MECHANISM_OF[kind];
  if (attempted !== 0 && !pending.attemptedMechanisms.includes(attempted))
    updatePending(pending, { attemptedMechanisms: [...pending.attemptedMechanisms, attempted] });
  const answered = await verifyFactor(
    scope.ctx,
    pending.accountId,
    kind,
    code,
    pending.selectors,
    requestInfo(scope.req),
  );
  // 1 TOTP, 2 email, 3 SMS, 0 a backup code: never null once a verify succeeded.
  if (answered !== null) return updatePending(pending, { verifiedMechanism: answered });
  updatePending(pending, { attempts: pending.attempts + 1 });
  if (pending.attempts >= scope.ctx.config.twoFactor.maxAttempts) dropAuthState(scope);
  throw kind === "backup_code" ? new InvalidBackupCodeError() : new InvalidTwoFactorCodeError();
}

/**
 * Finishes a two-factor login: refused unless a verify succeeded in this pending state; the account is
 * checked again, the session id regenerated, and remember-me chosen at the first step honoured. A
 * refused completion abandons the pending state.
 */
export async function completeTwoFactorLogin(scope: AuthScope): Promise<void> {
  if (!scope.req.session?.auth?.awaitingTwoFactor) throw new TwoFactorExpiredError();
  const pending = livePending(scope);
  const result = await completeSecondFactor(scope.ctx, pending, requestInfo(scope.req));
  if (result.kind === "refused" && !(result.error instanceof InvalidTwoFactorCodeError)) dropAuthState(scope);
  await applySignIn(scope, result);
}
