import { parseDuration, type Duration } from "../primitives/duration.js";
import { AuthConfigError } from "../errors.js";

/** A code to deliver by email or SMS. The library never sends anything itself. */
export interface TwoFactorDelivery {
  channel: "email" | "sms";
  /** The verified (or being-verified) address or phone number. */
  to: string;
  code: string;
  accountId: number;
  /** Why the code was issued. */
  purpose: "login" | "setup";
}

/** Two-factor options (@prsm/auth names and defaults, plus delivery and lockout). */
export interface TwoFactorOptions {
  /** Ask for a second factor at login when the account has a verified method. @default false */
  enabled?: boolean;
  /** Issuer shown in authenticator apps. @default "express-drizzle-auth" */
  issuer?: string;
  /** Digits of email/SMS codes (6–10). TOTP is always 6. @default 6 */
  codeLength?: number;
  /** Lifetime of email/SMS codes and of the pending second step (at most 10 minutes). @default "5m" */
  tokenExpiry?: Duration;
  /** TOTP drift tolerance in 30 s steps: 0 or 1. @default 1 */
  totpWindow?: number;
  /** Number of backup codes (1–20). @default 10 */
  backupCodesCount?: number;
  /**
   * Ask OAuth sign-ins for the second factor too, like every other way in. `false` lets an OAuth
   * sign-in skip the account's second factor (an explicit, documented choice). @default true
   */
  requireForOAuth?: boolean;
  /** Wrong codes allowed per challenge before the login must restart. @default 5 */
  maxAttempts?: number;
  /** Consecutive wrong codes (any method, any challenge) that lock the second step. @default 20 */
  lockoutThreshold?: number;
  /** How long that lock lasts. @default "15m" */
  lockoutDuration?: Duration;
  /** How recent a sign-in must be to disable a method or regenerate codes without the password. @default "10m" */
  recentAuthWindow?: Duration;
  /** Delivers email and SMS codes. Required for email/SMS methods unless the per-channel callbacks are given. */
  deliver?: (message: TwoFactorDelivery) => unknown;
  /** Delivers an email code (alternative to `deliver`). */
  sendEmailCode?: (to: string, code: string, message: TwoFactorDelivery) => unknown;
  /** Delivers an SMS code (alternative to `deliver`). */
  sendSmsCode?: (to: string, code: string, message: TwoFactorDelivery) => unknown;
}

/** Two-factor options with defaults applied and durations in milliseconds. */
export interface ResolvedTwoFactor {
  enabled: boolean;
  issuer: string;
  codeLength: number;
  tokenExpiryMs: number;
  totpWindow: number;
  backupCodesCount: number;
  requireForOAuth: boolean;
  maxAttempts: number;
  lockoutThreshold: number;
  lockoutDurationMs: number;
  recentAuthMs: number;
  deliver: ((message: TwoFactorDelivery) => Promise<void>) | null;
}

function bad(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: twoFactor.${option} must be ${expected}`);
}

function int(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) bad(option, `an integer from ${min} to ${max}`);
  return v;
}

function ms(option: string, value: Duration | undefined, fallback: string, max = Number.POSITIVE_INFINITY): number {
  const v = parseDuration(value ?? fallback);
  if (v === null || v <= 0 || v > max)
    bad(option, `a positive duration${Number.isFinite(max) ? ` of at most ${max / 60_000} minutes` : ""}`);
  return v;
}

function resolveDelivery(options: TwoFactorOptions): ResolvedTwoFactor["deliver"] {
  const { deliver, sendEmailCode, sendSmsCode } = options;
  for (const [name, fn] of Object.entries({ deliver, sendEmailCode, sendSmsCode })) {
    if (fn !== undefined && typeof fn !== "function") bad(name, "a function");
  }
  if (!deliver && !sendEmailCode && !sendSmsCode) return null;
  return async (message) => {
    if (deliver) return void (await deliver(message));
    const channel = message.channel === "email" ? sendEmailCode : sendSmsCode;
    if (!channel) throw new AuthConfigError(`Invalid auth config: no delivery callback for ${message.channel} codes`);
    await channel(message.to, message.code, message);
  };
}

/** Validates the `twoFactor` options once, at config time. */
export function resolveTwoFactor(options: TwoFactorOptions | undefined): ResolvedTwoFactor {
  const o = options ?? {};
  if (typeof o !== "object") bad("", "an object");
  if (o.issuer !== undefined && (typeof o.issuer !== "string" || o.issuer.length === 0 || o.issuer.length > 100))
    bad("issuer", "a non-empty string");
  return {
    enabled: o.enabled === true,
    issuer: o.issuer ?? "express-drizzle-auth",
    codeLength: int("codeLength", o.codeLength, 6, 6, 10),
    tokenExpiryMs: ms("tokenExpiry", o.tokenExpiry, "5m", 600_000),
    totpWindow: int("totpWindow", o.totpWindow, 1, 0, 1),
    backupCodesCount: int("backupCodesCount", o.backupCodesCount, 10, 1, 20),
    requireForOAuth: o.requireForOAuth !== false,
    maxAttempts: int("maxAttempts", o.maxAttempts, 5, 1, 10),
    lockoutThreshold: int("lockoutThreshold", o.lockoutThreshold, 20, 1, 100),
    lockoutDurationMs: ms("lockoutDuration", o.lockoutDuration, "15m"),
    recentAuthMs: ms("recentAuthWindow", o.recentAuthWindow, "10m"),
    deliver: resolveDelivery(o),
  };
}
