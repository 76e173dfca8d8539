import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { eq } from "drizzle-orm";
import QRCode from "qrcode";
import { AuthActivityAction, TwoFactorMechanism } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { notifyAccount } from "../core/notifications.js";
import { type AuthContext, type RequestInfo, withTransaction } from "../core/context.js";
import { canonicalizeEmail } from "../core/email.js";
import {
  AuthConfigError,
  InvalidInputError,
  InvalidTwoFactorCodeError,
  TwoFactorAlreadyEnabledError,
  TwoFactorNotSetupError,
} from "../errors.js";
import { deleteBackupCodes, replaceBackupCodes } from "./backup-codes.js";
import { isPhoneNumber, maskEmail, maskPhone } from "./masking.js";
import {
  type Mechanism,
  deleteMethod,
  findMethod,
  markVerified,
  mechanismName,
  savePendingMethod,
  verifiedMechanisms,
} from "./methods.js";
import { checkOtp, issueOtp } from "./otp-tokens.js";
import { twoFactorSecrets } from "./secrets.js";
import { generateTotpKey, totpUri } from "./totp.js";
import { acceptTotp, assertSecondFactorUnlocked, countSecondFactorFailure } from "./verification.js";

/** What TOTP enrolment shows the user once: the base32 secret, the otpauth URI and its QR code (SVG). */
export interface TotpEnrollment {
  secret: string;
  uri: string;
  qrCode: string;
}

async function assertNotEnabled(ctx: AuthContext, accountId: number, mechanism: Mechanism) {
  const existing = await findMethod(ctx, accountId, mechanism);
  if (existing?.verified) throw new TwoFactorAlreadyEnabledError();
}

/** Starts TOTP enrolment: a new 160-bit key, sealed at rest; the method stays off until a code confirms it. */
export async function startTotpEnrollment(
  ctx: AuthContext,
  accountId: number,
  accountName: string,
): Promise<TotpEnrollment> {
  const { box } = twoFactorSecrets(ctx);
  await assertNotEnabled(ctx, accountId, TwoFactorMechanism.TOTP);
  const key = generateTotpKey();
  await savePendingMethod(ctx, accountId, TwoFactorMechanism.TOTP, box.seal(key));
  const uri = totpUri(ctx.config.twoFactor.issuer, accountName, key);
  return {
    secret: encodeBase32UpperCaseNoPadding(key),
    uri,
    qrCode: await QRCode.toString(uri, { type: "svg", margin: 1 }),
  };
}

/** The otpauth URI of a TOTP enrolment still waiting for its first code; null once enabled (the secret is shown only during enrolment). */
export async function pendingTotpUri(ctx: AuthContext, accountId: number, accountName: string): Promise<string | null> {
  const method = await findMethod(ctx, accountId, TwoFactorMechanism.TOTP);
  if (!method || method.verified || !method.secret) return null;
  const key = twoFactorSecrets(ctx).box.open(method.secret);
  return key ? totpUri(ctx.config.twoFactor.issuer, accountName, key) : null;
}

async function enrollmentFailed(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  request?: RequestInfo,
): Promise<never> {
  const failures = await countSecondFactorFailure(ctx, accountId);
  const metadata = { mechanism: mechanismName(mechanism), reason: "invalid_code", setup: true };
  await logActivity(
    ctx,
    { accountId, action: AuthActivityAction.TwoFactorFailed, success: false, metadata, request },
    ...(failures === ctx.config.twoFactor.lockoutThreshold
      ? [{ accountId, action: AuthActivityAction.TwoFactorLocked, success: false, metadata, request }]
      : []),
  );
  throw new InvalidTwoFactorCodeError();
}

async function enable(
  ctx: AuthContext,
  methodId: number,
  accountId: number,
  mechanism: Mechanism,
  request?: RequestInfo,
  withCodes = false,
): Promise<string[]> {
  const codes = await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    const first = (await verifiedMechanisms(txCtx, accountId)).length === 0;
    if (!(await markVerified(txCtx, methodId))) throw new TwoFactorAlreadyEnabledError();
    // Remember-me tokens minted before the first method was enabled never passed a second factor (MF-08).
    if (first) await txCtx.db.delete(txCtx.t.remembers).where(eq(txCtx.t.remembers.accountId, accountId));
    const codes = withCodes ? await replaceBackupCodes(txCtx, accountId) : [];
    await logActivity(txCtx, {
      accountId,
      action: AuthActivityAction.TwoFactorSetup,
      metadata: { mechanism: mechanismName(mechanism) },
      request,
    });
    return codes;
  });
  await notifyAccount(ctx, { type: "two_factor_enabled", accountId, details: { mechanism: mechanismName(mechanism) } });
  return codes;
}

/** Confirms TOTP enrolment with a code from the app; returns the new backup codes (shown once). */
export async function completeTotpEnrollment(
  ctx: AuthContext,
  accountId: number,
  code: unknown,
  request?: RequestInfo,
): Promise<string[]> {
  await assertSecondFactorUnlocked(ctx, accountId);
  const method = await findMethod(ctx, accountId, TwoFactorMechanism.TOTP);
  if (!method?.secret) throw new TwoFactorNotSetupError();
  if (method.verified) throw new TwoFactorAlreadyEnabledError();
  if (!(await acceptTotp(ctx, method, code))) return enrollmentFailed(ctx, accountId, TwoFactorMechanism.TOTP, request);
  return enable(ctx, method.id, accountId, TwoFactorMechanism.TOTP, request, true);
}

function contactFor(mechanism: Mechanism, contact: unknown): string {
  if (mechanism === TwoFactorMechanism.EMAIL) return canonicalizeEmail(contact);
  if (!isPhoneNumber(contact))
    throw new InvalidInputError("phone", "phone must be an E.164 number such as +15551234567");
  return contact;
}

/**
 * Starts email or SMS enrolment: the contact is validated and a code is delivered to it; the method
 * stays off until that code is entered. Returns the selector (for the session) and the masked contact.
 */
export async function startContactEnrollment(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  contactInput: unknown,
) {
  const deliver = ctx.config.twoFactor.deliver;
  if (!deliver)
    throw new AuthConfigError(
      "Invalid auth config: twoFactor.deliver (or sendEmailCode/sendSmsCode) is required for email and SMS codes",
    );
  const contact = contactFor(mechanism, contactInput);
  await assertNotEnabled(ctx, accountId, mechanism);
  await savePendingMethod(ctx, accountId, mechanism, contact);
  const { selector, code } = await issueOtp(ctx, accountId, mechanism);
  const channel = mechanism === TwoFactorMechanism.EMAIL ? "email" : "sms";
  await deliver({ channel, to: contact, code, accountId, purpose: "setup" });
  return { selector, maskedContact: channel === "email" ? maskEmail(contact) : maskPhone(contact) };
}

/** Confirms email or SMS enrolment with the delivered code. */
export async function completeContactEnrollment(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  selector: unknown,
  code: unknown,
  request?: RequestInfo,
): Promise<void> {
  await assertSecondFactorUnlocked(ctx, accountId);
  const method = await findMethod(ctx, accountId, mechanism);
  if (!method) throw new TwoFactorNotSetupError();
  if (method.verified) throw new TwoFactorAlreadyEnabledError();
  if ((await checkOtp(ctx, accountId, mechanism, selector, code)) !== "ok")
    return enrollmentFailed(ctx, accountId, mechanism, request);
  await enable(ctx, method.id, accountId, mechanism, request);
}

/** Disables one mechanism; with no verified method left, the backup codes go too. */
export async function disableMechanism(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  request?: RequestInfo,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    if (!(await deleteMethod(txCtx, accountId, mechanism))) throw new TwoFactorNotSetupError();
    if ((await verifiedMechanisms(txCtx, accountId)).length === 0) await deleteBackupCodes(txCtx, accountId);
    await logActivity(txCtx, {
      accountId,
      action: AuthActivityAction.TwoFactorDisabled,
      metadata: { mechanism: mechanismName(mechanism) },
      request,
    });
  });
  await notifyAccount(ctx, {
    type: "two_factor_disabled",
    accountId,
    details: { mechanism: mechanismName(mechanism) },
  });
}

/** Replaces the backup codes (the old set stops working); needs a verified method. */
export async function regenerateBackupCodes(
  ctx: AuthContext,
  accountId: number,
  request?: RequestInfo,
): Promise<string[]> {
  if ((await verifiedMechanisms(ctx, accountId)).length === 0) throw new TwoFactorNotSetupError();
  const codes = await ctx.db.transaction(async (tx) => {
    const txCtx = withTransaction(ctx, tx);
    const codes = await replaceBackupCodes(txCtx, accountId);
    await logActivity(txCtx, {
      accountId,
      action: AuthActivityAction.BackupCodesRegenerated,
      metadata: { count: codes.length },
      request,
    });
    return codes;
  });
  await notifyAccount(ctx, { type: "backup_codes_regenerated", accountId, details: { count: codes.length } });
  return codes;
}
