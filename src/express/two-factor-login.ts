import type { AuthAccount } from "../core/accounts.js";
import { requireAccount } from "../core/accounts.js";
import { AuthStatus } from "../core/status.js";
import {
  InvalidBackupCodeError,
  InvalidTwoFactorCodeError,
  SecondFactorRequiredError,
  TwoFactorExpiredError,
  UserInactiveError,
  UserNotLoggedInError,
} from "../errors.js";
import { createChallenge, type PendingTwoFactor, verifiedMethodsForLogin } from "../two-factor/challenge.js";
import { type FactorKind, verifyFactor } from "../two-factor/verification.js";
import { saveRehash } from "../core/login.js";
import { TwoFactorMechanism } from "../core/activity-actions.js";
import { pendingSession } from "../sessions/state.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { regenerateSession } from "./session-promises.js";
import { completeSignIn } from "./sign-in.js";
import { auditImpersonationEnd } from "./impersonation.js";
import { withSpan } from "../tracing/tracer.js";

const MECHANISM_OF: Record<FactorKind, number> = {
  totp: TwoFactorMechanism.TOTP,
  email: TwoFactorMechanism.EMAIL,
  sms: TwoFactorMechanism.SMS,
  otp: TwoFactorMechanism.EMAIL,
  backup_code: 0,
};

/**
 * Signs in, or opens the second step when the account has a verified two-factor method and
 * `twoFactor.enabled` is set: the session moves to a new id in the pending (not logged-in) state and
 * {@link SecondFactorRequiredError} says which methods can answer.
 */
export async function signInOrChallenge(
  scope: AuthScope,
  account: AuthAccount,
  options: { remember: boolean; rehash?: string | null; metadata?: Record<string, unknown>; hasTwoFactor?: boolean },
): Promise<void> {
  // The password login already knows whether a method exists (no extra query when there is none).
  const methods = options.hasTwoFactor === false ? [] : await verifiedMethodsForLogin(scope.ctx, account.id);
  if (options.rehash) await saveRehash(scope.ctx, account.id, options.rehash);
  if (methods.length === 0)
    return completeSignIn(scope, account, {
      remember: options.remember,
      rehash: options.rehash ?? null,
      metadata: options.metadata ?? {},
    });
  const challenge = await createChallenge(scope.ctx, account, methods, options.remember, requestInfo(scope.req));
  if (options.metadata && Object.keys(options.metadata).length > 0) challenge.pending.signInMetadata = options.metadata;
  await auditImpersonationEnd(scope, "signin");
  await regenerateSession(scope.req);
  scope.req.session.auth = pendingSession(challenge.pending, scope.ctx.now().getTime());
  throw new SecondFactorRequiredError(challenge.methods, challenge.pending.availableMechanisms);
}

/** The live pending state, or an error: none → {@link UserNotLoggedInError}; expired → {@link TwoFactorExpiredError}. */
async function livePending(scope: AuthScope): Promise<PendingTwoFactor> {
  const pending = scope.req.session?.auth?.awaitingTwoFactor;
  if (!pending) throw new UserNotLoggedInError();
  if (Number(pending.expiresAt) <= scope.ctx.now().getTime()) {
    scope.req.session.auth = undefined;
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
  const pending = await livePending(scope);
  const attempted = MECHANISM_OF[kind];
  if (attempted !== 0 && !pending.attemptedMechanisms.includes(attempted)) pending.attemptedMechanisms.push(attempted);
  const answered = await verifyFactor(
    scope.ctx,
    pending.accountId,
    kind,
    code,
    pending.selectors,
    requestInfo(scope.req),
  );
  if (answered !== null) {
    // 1 TOTP, 2 email, 3 SMS, 0 a backup code: never null once a verify succeeded.
    pending.verifiedMechanism = answered;
    return;
  }
  pending.attempts += 1;
  if (pending.attempts >= scope.ctx.config.twoFactor.maxAttempts) scope.req.session.auth = undefined;
  throw kind === "backup_code" ? new InvalidBackupCodeError() : new InvalidTwoFactorCodeError();
}

/**
 * Finishes a two-factor login. Refused unless a verify succeeded in this pending state; the account is
 * checked again, the session id regenerated, and remember-me chosen at the first step honoured.
 */
export async function completeTwoFactorLogin(scope: AuthScope): Promise<void> {
  const pending = scope.req.session?.auth?.awaitingTwoFactor;
  if (!pending) throw new TwoFactorExpiredError();
  await livePending(scope);
  if (pending.verifiedMechanism === null) throw new InvalidTwoFactorCodeError("No second factor was verified");
  const account = await requireAccount(scope.ctx, { accountId: pending.accountId });
  if (account.status !== AuthStatus.Normal) {
    scope.req.session.auth = undefined;
    throw new UserInactiveError();
  }
  await completeSignIn(scope, account, {
    remember: pending.remember,
    metadata: { ...pending.signInMetadata, twoFactorCompleted: true },
  });
}
