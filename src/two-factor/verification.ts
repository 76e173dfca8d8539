import { AuthActivityAction, TwoFactorMechanism } from "../core/activity-actions.js";
import { type ActivityEntry, logActivity } from "../core/activity.js";
import { notifyAccount } from "../core/notifications.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { clearLoginFailures } from "../core/login-lockout.js";
import { TwoFactorNotSetupError, TwoFactorSetupIncompleteError } from "../errors.js";
import {
  assertUnderLimits,
  bucketsFor,
  consultExternalLimiter,
  countEvents,
  readCounts,
  type RateLimitBucket,
} from "../rate-limit/limiter.js";
import { consumeBackupCode } from "./backup-codes.js";
import { type MethodRecord, claimTotpStep, findMethod } from "./methods.js";
import { checkOtp } from "./otp-tokens.js";
import { twoFactorSecrets } from "./secrets.js";
import { matchTotp } from "./totp.js";

/** The ways to answer a second-factor challenge (`otp`: the email or the SMS code, whichever matches). */
export type FactorKind = "totp" | "email" | "sms" | "otp" | "backup_code";

/** Selectors of the email/SMS codes issued for the challenge being answered. */
export interface ChallengeSelectors {
  email?: string;
  sms?: string;
}

/** The lockout key of an account's second step. */
function failureKey(accountId: number): string {
  return `2fa:${accountId}`;
}

/** The client-IP bucket of wrong second-factor answers (built-in limiter), if any. */
function ipBuckets(ctx: AuthContext, ip: string | null | undefined): RateLimitBucket[] {
  return bucketsFor(ctx, "twoFactor", { ip: ip ?? null });
}

/**
 * Counts one wrong second-factor answer towards the account-wide lockout, and towards the client IP's
 * limit, in one statement. Returns the account's new count.
 */
export async function countSecondFactorFailure(
  ctx: AuthContext,
  accountId: number,
  ip?: string | null,
): Promise<number> {
  const key = failureKey(accountId);
  const counts = await countEvents(
    ctx,
    [{ key, windowMs: ctx.config.twoFactor.lockoutDurationMs }, ...ipBuckets(ctx, ip)],
    false,
  );
  return counts.get(key)?.count ?? 1;
}

/**
 * Throws {@link RateLimitedError} while the account's second step is locked after repeated failures, or
 * the client IP has answered wrongly too often. The external limiter, when configured, is asked too.
 */
export async function assertSecondFactorUnlocked(
  ctx: AuthContext,
  accountId: number,
  ip?: string | null,
): Promise<void> {
  const key = failureKey(accountId);
  const buckets = [{ key, max: ctx.config.twoFactor.lockoutThreshold, windowMs: 0 }, ...ipBuckets(ctx, ip)];
  const counts = await readCounts(
    ctx,
    buckets.map((b) => b.key),
  );
  assertUnderLimits(ctx, buckets, counts);
}

/**
 * Checks a TOTP code against a method and claims its step (replay-safe). A key that does not decrypt
 * fails closed. Returns true when accepted.
 */
export async function acceptTotp(ctx: AuthContext, method: MethodRecord, code: unknown): Promise<boolean> {
  if (typeof code !== "string" || !method.secret) return false;
  const key = twoFactorSecrets(ctx).box.open(method.secret);
  if (!key) return false;
  const step = matchTotp(key, code.replace(/\s/g, ""), ctx.now(), ctx.config.twoFactor.totpWindow);
  return (
    step !== null &&
    (method.lastUsedStep === null || step > method.lastUsedStep) &&
    (await claimTotpStep(ctx, method.id, step))
  );
}

async function check(
  ctx: AuthContext,
  accountId: number,
  kind: FactorKind,
  code: unknown,
  selectors: ChallengeSelectors,
): Promise<{ ok: boolean; remaining: number | null; mechanism: number }> {
  if (kind === "otp") {
    const channels = (["email", "sms"] as const).filter((c) => selectors[c]);
    if (channels.length === 0) throw new TwoFactorNotSetupError();
    for (const channel of channels) {
      const result = await check(ctx, accountId, channel, code, selectors);
      if (result.ok) return result;
    }
    return { ok: false, remaining: null, mechanism: 0 };
  }
  if (kind === "backup_code") {
    const remaining = await consumeBackupCode(ctx, accountId, code);
    return { ok: remaining !== null, remaining, mechanism: 0 };
  }
  const mechanism =
    kind === "totp" ? TwoFactorMechanism.TOTP : kind === "email" ? TwoFactorMechanism.EMAIL : TwoFactorMechanism.SMS;
  const method = await findMethod(ctx, accountId, mechanism);
  if (!method) throw new TwoFactorNotSetupError();
  if (!method.verified) throw new TwoFactorSetupIncompleteError();
  if (kind === "totp") return { ok: await acceptTotp(ctx, method, code), remaining: null, mechanism };
  const selector = kind === "email" ? selectors.email : selectors.sms;
  return { ok: (await checkOtp(ctx, accountId, mechanism, selector, code)) === "ok", remaining: null, mechanism };
}

/**
 * Verifies one answer to the second step of an account. Failures count towards the account-wide
 * lockout (which survives new challenges and resends) and are audited; success clears the count.
 * Returns the mechanism that answered (1 TOTP, 2 email, 3 SMS, 0 a backup code), or null.
 * @throws {RateLimitedError} while locked; {@link TwoFactorNotSetupError} when the method is not enabled
 */
export async function verifyFactor(
  ctx: AuthContext,
  accountId: number,
  kind: FactorKind,
  code: unknown,
  selectors: ChallengeSelectors = {},
  request?: RequestInfo,
): Promise<number | null> {
  await consultExternalLimiter(ctx, "twoFactor", { account: `account:${accountId}`, ip: request?.ip ?? null });
  await assertSecondFactorUnlocked(ctx, accountId, request?.ip);
  const { ok, remaining, mechanism } = await check(ctx, accountId, kind, code, selectors);
  const key = failureKey(accountId);
  if (!ok) {
    const failures = await countSecondFactorFailure(ctx, accountId, request?.ip);
    const entries: ActivityEntry[] = [
      {
        accountId,
        action: AuthActivityAction.TwoFactorFailed,
        success: false,
        metadata: { mechanism: kind, reason: "invalid_code" },
        request,
      },
    ];
    if (failures === ctx.config.twoFactor.lockoutThreshold) {
      entries.push({
        accountId,
        action: AuthActivityAction.TwoFactorLocked,
        success: false,
        metadata: { mechanism: kind, reason: "too_many_failures" },
        request,
      });
    }
    await logActivity(ctx, ...entries);
    return null;
  }
  await clearLoginFailures(ctx, key);
  if (kind === "backup_code") {
    await notifyAccount(ctx, { type: "backup_code_used", accountId, details: { remaining_codes: remaining } });
  }
  await logActivity(
    ctx,
    kind === "backup_code"
      ? { accountId, action: AuthActivityAction.BackupCodeUsed, metadata: { remaining_codes: remaining }, request }
      : { accountId, action: AuthActivityAction.TwoFactorVerified, metadata: { mechanism: kind }, request },
  );
  return mechanism;
}
