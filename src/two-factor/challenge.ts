import type { AuthAccount } from "../core/accounts.js";
import { AuthActivityAction, TwoFactorMechanism } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { type AuthContext, later, type RequestInfo } from "../core/context.js";
import type { SecondFactorMethods } from "../errors.js";
import { countBackupCodes } from "./backup-codes.js";
import { maskEmail, maskPhone } from "./masking.js";
import { type MethodRecord, listMethods } from "./methods.js";
import { issueOtp } from "./otp-tokens.js";
import { assertSecondFactorUnlocked } from "./verification.js";

/**
 * The password-verified, second-factor-pending state, kept in `req.session.auth.awaitingTwoFactor`
 * (@prsm/auth field names). It grants no access; times are epoch ms so they survive any store.
 */
export interface PendingTwoFactor {
  accountId: number;
  expiresAt: number;
  remember: boolean;
  availableMechanisms: number[];
  attemptedMechanisms: number[];
  originalEmail: string;
  /** Selectors of the email/SMS codes issued for this challenge (never the codes). */
  selectors: { email?: string; sms?: string };
  /** The mechanism that was verified in this pending state, or null. Completion requires it. */
  verifiedMechanism: number | null;
  /** Wrong codes in this challenge. */
  attempts: number;
  /** Audit metadata of the first step (e.g. the OAuth provider), carried to the `login` row. */
  signInMetadata?: Record<string, unknown>;
}

/** A new challenge: the pending state to store and what to tell the client. */
export interface Challenge {
  pending: PendingTwoFactor;
  methods: SecondFactorMethods;
}

/** True when the account must answer a second factor at sign-in (enabled in config and a verified method). */
export async function verifiedMethodsForLogin(ctx: AuthContext, accountId: number): Promise<MethodRecord[]> {
  if (!ctx.config.twoFactor.enabled) return [];
  return (await listMethods(ctx, accountId)).filter((m) => m.verified);
}

/**
 * Opens a second-factor challenge: email/SMS codes are issued and delivered through the configured
 * callback, and the pending state expires after `twoFactor.tokenExpiry`.
 */
export async function createChallenge(
  ctx: AuthContext,
  account: AuthAccount,
  methods: MethodRecord[],
  remember: boolean,
  request?: RequestInfo,
): Promise<Challenge> {
  // While the second step is locked, no new codes go out (each one is an email or an SMS to pay for);
  // the prompt still comes, and answering it reports the lock.
  const locked = await assertSecondFactorUnlocked(ctx, account.id).then(
    () => false,
    () => true,
  );
  const pending: PendingTwoFactor = {
    accountId: account.id,
    expiresAt: later(ctx, ctx.config.twoFactor.tokenExpiryMs).getTime(),
    remember,
    availableMechanisms: methods.map((m) => m.mechanism),
    attemptedMechanisms: [],
    originalEmail: account.email,
    selectors: {},
    verifiedMechanism: null,
    attempts: 0,
  };
  const offered: SecondFactorMethods = {};
  const deliver = locked ? null : ctx.config.twoFactor.deliver;
  for (const method of methods) {
    if (method.mechanism === TwoFactorMechanism.TOTP) offered.totp = true;
    if (method.mechanism === TwoFactorMechanism.TOTP || !method.secret || !deliver) continue;
    const channel = method.mechanism === TwoFactorMechanism.EMAIL ? "email" : "sms";
    const { selector, code } = await issueOtp(ctx, account.id, method.mechanism);
    await deliver({ channel, to: method.secret, code, accountId: account.id, purpose: "login" });
    pending.selectors[channel] = selector;
    offered[channel] = { maskedContact: channel === "email" ? maskEmail(method.secret) : maskPhone(method.secret) };
  }
  if ((await countBackupCodes(ctx, account.id)) > 0) offered.backupCode = true;
  await logActivity(ctx, {
    accountId: account.id,
    action: AuthActivityAction.TwoFactorChallenged,
    metadata: { mechanisms: pending.availableMechanisms },
    request,
  });
  return { pending, methods: offered };
}
