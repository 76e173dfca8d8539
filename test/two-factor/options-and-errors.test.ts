import { describe, expect, it } from "vitest";
import {
  AuthConfigError,
  AuthError,
  InvalidBackupCodeError,
  InvalidTwoFactorCodeError,
  ReauthenticationRequiredError,
  SecondFactorRequiredError,
  TwoFactorAlreadyEnabledError,
  TwoFactorExpiredError,
  TwoFactorNotSetupError,
  TwoFactorSetupIncompleteError,
  UserNotLoggedInError,
} from "../../src/errors.js";
import { AUTH_ERROR_STATUS } from "../../src/express/error-handler.js";
import { resolveTwoFactor } from "../../src/options/two-factor.js";

describe("twoFactor options", () => {
  it("applies the documented defaults", () => {
    expect(resolveTwoFactor(undefined)).toEqual({
      enabled: false,
      issuer: "express-drizzle-auth",
      codeLength: 6,
      tokenExpiryMs: 5 * 60_000,
      totpWindow: 1,
      backupCodesCount: 10,
      requireForOAuth: true,
      maxAttempts: 5,
      lockoutThreshold: 20,
      lockoutDurationMs: 15 * 60_000,
      recentAuthMs: 10 * 60_000,
      deliver: null,
    });
  });

  it("keeps totpWindow 0 instead of falling back to the default (MF-02)", () => {
    expect(resolveTwoFactor({ totpWindow: 0 }).totpWindow).toBe(0);
  });

  it.each([2, -1, 1.5])("refuses totpWindow %s: at most one step of drift (MF-02)", (totpWindow) => {
    expect(() => resolveTwoFactor({ totpWindow })).toThrow(AuthConfigError);
  });

  it.each(["11m", "1h", 0])("refuses tokenExpiry %j: at most 10 minutes and positive (MF-05, MF-06)", (tokenExpiry) => {
    expect(() => resolveTwoFactor({ tokenExpiry })).toThrow(AuthConfigError);
  });

  it.each([0, 11])("refuses maxAttempts %i", (maxAttempts) => {
    expect(() => resolveTwoFactor({ maxAttempts })).toThrow(AuthConfigError);
  });

  it.each([5, 11])("refuses codeLength %i: email/SMS codes have 6 to 10 digits (MF-06)", (codeLength) => {
    expect(() => resolveTwoFactor({ codeLength })).toThrow(AuthConfigError);
  });

  it.each([0, 101])("refuses lockoutThreshold %i", (lockoutThreshold) => {
    expect(() => resolveTwoFactor({ lockoutThreshold })).toThrow(AuthConfigError);
  });

  it("refuses a delivery callback that is not a function", () => {
    expect(() => resolveTwoFactor({ deliver: "mail" as never })).toThrow(AuthConfigError);
  });

  it("routes codes to sendEmailCode and sendSmsCode by channel", async () => {
    const sent: string[] = [];
    const { deliver } = resolveTwoFactor({
      sendEmailCode: (to, code) => void sent.push(`email ${to} ${code}`),
      sendSmsCode: (to, code) => void sent.push(`sms ${to} ${code}`),
    });
    await deliver!({ channel: "email", to: "a@example.test", code: "123456", accountId: 1, purpose: "login" });
    await deliver!({ channel: "sms", to: "+15551234567", code: "654321", accountId: 1, purpose: "setup" });
    expect(sent).toEqual(["email a@example.test 123456", "sms +15551234567 654321"]);
  });
});

describe("two-factor error classes", () => {
  it.each([
    [UserNotLoggedInError, "User is not logged in", "NOT_LOGGED_IN", 401],
    [InvalidTwoFactorCodeError, "Invalid two-factor authentication code", "INVALID_TWO_FACTOR_CODE", 401],
    [TwoFactorExpiredError, "Two-factor authentication session has expired", "TWO_FACTOR_EXPIRED", 401],
    [InvalidBackupCodeError, "Invalid backup code", "INVALID_BACKUP_CODE", 401],
    [ReauthenticationRequiredError, "Recent authentication is required", "REAUTH_REQUIRED", 401],
    [
      TwoFactorAlreadyEnabledError,
      "Two-factor authentication is already enabled for this mechanism",
      "TWO_FACTOR_ALREADY_ENABLED",
      409,
    ],
    [
      TwoFactorNotSetupError,
      "Two-factor authentication is not set up for this account",
      "TWO_FACTOR_NOT_SETUP",
      400,
    ],
    [
      TwoFactorSetupIncompleteError,
      "Two-factor authentication setup is not complete",
      "TWO_FACTOR_SETUP_INCOMPLETE",
      400,
    ],
  ])("%o keeps the seed's name and message, with its code and HTTP status", (Cls, message, code, status) => {
    const err = new Cls();
    expect(err).toBeInstanceOf(AuthError);
    expect(err.constructor.name).toBe(Cls.name);
    expect(err.name).toBe(Cls.name);
    expect(err.message).toBe(message);
    expect(err.code).toBe(code);
    expect(AUTH_ERROR_STATUS[code]).toBe(status);
  });

  it("SecondFactorRequiredError carries the offered methods and answers 401", () => {
    const err = new SecondFactorRequiredError({ totp: true, email: { maskedContact: "a***e@example.test" } }, [1, 2]);
    expect(err.constructor.name).toBe("SecondFactorRequiredError");
    expect(err.message).toBe("Second factor authentication required");
    expect(err.availableMethods).toEqual({ totp: true, email: { maskedContact: "a***e@example.test" } });
    expect(err.mechanisms).toEqual([1, 2]);
    expect(AUTH_ERROR_STATUS[err.code]).toBe(401);
  });
});
