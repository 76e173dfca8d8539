/**
 * Every error the library throws on purpose is an {@link AuthError} with a stable UPPER_SNAKE `code`.
 * Class names and messages follow @prsm/auth, so code that checks `err instanceof UserNotFoundError`
 * or `err.constructor.name` keeps working. Messages never contain secrets or user input.
 */

/** Base class of every library error. `code` is stable; `type` mirrors Auth.js's `AuthError.type`. */
export class AuthError extends Error {
  /** Stable machine-readable code, e.g. `EMAIL_TAKEN`. */
  readonly code: string;
  /** Auth.js-style error type; defaults to the class name. */
  readonly type: string;

  constructor(message: string, code = "AUTH_ERROR", options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.type = new.target.name;
  }
}

/** True for any {@link AuthError}, also across two installed copies of the package. */
export function isAuthError(value: unknown): value is AuthError {
  if (value instanceof AuthError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { type?: unknown }).type === "string"
  );
}

function define(name: string, message: string, code: string) {
  const cls = class extends AuthError {
    constructor(msg: string = message, codeOverride: string = code) {
      super(msg, codeOverride);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

/** The confirmation token exists but has expired. */
export class ConfirmationExpiredError extends define(
  "ConfirmationExpiredError",
  "Confirmation token has expired",
  "CONFIRMATION_EXPIRED",
) {}
/** The confirmation token is unknown, malformed or already used. */
export class ConfirmationNotFoundError extends define(
  "ConfirmationNotFoundError",
  "Confirmation token not found",
  "CONFIRMATION_NOT_FOUND",
) {}
/** The account's email address has not been confirmed. */
export class EmailNotVerifiedError extends define(
  "EmailNotVerifiedError",
  "Email address has not been verified",
  "EMAIL_NOT_VERIFIED",
) {}
/** Another account already uses this email address. */
export class EmailTakenError extends define("EmailTakenError", "Email address is already in use", "EMAIL_TAKEN") {}
/** The email address is not a string, too long, or not a single plain address. */
export class InvalidEmailError extends define("InvalidEmailError", "Invalid email address format", "INVALID_EMAIL") {}
/** The token is malformed or does not match. */
export class InvalidTokenError extends define("InvalidTokenError", "Invalid token", "INVALID_TOKEN") {}
/** Password reset is disabled for this account. */
export class ResetDisabledError extends define(
  "ResetDisabledError",
  "Password reset is disabled for this account",
  "RESET_DISABLED",
) {}
/** The reset token exists but has expired. */
export class ResetExpiredError extends define(
  "ResetExpiredError",
  "Password reset token has expired",
  "RESET_EXPIRED",
) {}
/** The reset token is unknown, malformed or already used. */
export class ResetNotFoundError extends define(
  "ResetNotFoundError",
  "Password reset token not found",
  "RESET_NOT_FOUND",
) {}
/** The account already has the maximum number of open reset requests. */
export class TooManyResetsError extends define(
  "TooManyResetsError",
  "Too many password reset requests",
  "TOO_MANY_RESETS",
) {}
/** The account's status is not Normal. Thrown only after the correct password. */
export class UserInactiveError extends define("UserInactiveError", "User account is inactive", "USER_INACTIVE") {}
/** No account matches the identifier (admin and session paths; never from `login`). */
export class UserNotFoundError extends define("UserNotFoundError", "User not found", "USER_NOT_FOUND") {}
/** The operation needs a logged-in session. */
export class UserNotLoggedInError extends define("UserNotLoggedInError", "User is not logged in", "NOT_LOGGED_IN") {}
/** What a pending second step offers: never codes, selectors or secrets; contacts are masked. */
export interface SecondFactorMethods {
  totp?: true;
  email?: { maskedContact: string };
  sms?: { maskedContact: string };
  backupCode?: true;
}

/** The password was right; the second factor is required. `availableMethods` says which ones. */
export class SecondFactorRequiredError extends AuthError {
  /** The mechanisms the user can answer with (masked contacts only). */
  readonly availableMethods: SecondFactorMethods;
  /** The verified mechanism numbers (1 TOTP, 2 email, 3 SMS). */
  readonly mechanisms: number[];
  constructor(availableMethods: SecondFactorMethods = {}, mechanisms: number[] = []) {
    super("Second factor authentication required", "SECOND_FACTOR_REQUIRED");
    this.availableMethods = availableMethods;
    this.mechanisms = mechanisms;
  }
}
/** A sensitive change needs the password (or a sign-in within the recent-auth window). */
export class ReauthenticationRequiredError extends define(
  "ReauthenticationRequiredError",
  "Recent authentication is required",
  "REAUTH_REQUIRED",
) {}
/** A two-factor code did not match. */
export class InvalidTwoFactorCodeError extends define(
  "InvalidTwoFactorCodeError",
  "Invalid two-factor authentication code",
  "INVALID_TWO_FACTOR_CODE",
) {}
/** The pending two-factor login is missing or expired. */
export class TwoFactorExpiredError extends define(
  "TwoFactorExpiredError",
  "Two-factor authentication session has expired",
  "TWO_FACTOR_EXPIRED",
) {}
/** The mechanism is not set up for this account. */
export class TwoFactorNotSetupError extends define(
  "TwoFactorNotSetupError",
  "Two-factor authentication is not set up for this account",
  "TWO_FACTOR_NOT_SETUP",
) {}
/** The mechanism is already enabled. */
export class TwoFactorAlreadyEnabledError extends define(
  "TwoFactorAlreadyEnabledError",
  "Two-factor authentication is already enabled for this mechanism",
  "TWO_FACTOR_ALREADY_ENABLED",
) {}
/** A backup code did not match. */
export class InvalidBackupCodeError extends define(
  "InvalidBackupCodeError",
  "Invalid backup code",
  "INVALID_BACKUP_CODE",
) {}
/** Two-factor setup was started but not completed. */
export class TwoFactorSetupIncompleteError extends define(
  "TwoFactorSetupIncompleteError",
  "Two-factor authentication setup is not complete",
  "TWO_FACTOR_SETUP_INCOMPLETE",
) {}
/** Impersonation is not enabled in the configuration. */
export class ImpersonationDisabledError extends define(
  "ImpersonationDisabledError",
  "Impersonation is not enabled in this configuration",
  "IMPERSONATION_DISABLED",
) {}
/** The policy refused this impersonation. */
export class ImpersonationNotAllowedError extends define(
  "ImpersonationNotAllowedError",
  "Impersonation is not permitted for this actor and target",
  "IMPERSONATION_NOT_ALLOWED",
) {}
/** An impersonation is already active in this session. */
export class AlreadyImpersonatingError extends define(
  "AlreadyImpersonatingError",
  "An impersonation session is already active",
  "ALREADY_IMPERSONATING",
) {}
/** No impersonation is active in this session. */
export class NotImpersonatingError extends define(
  "NotImpersonatingError",
  "No active impersonation session",
  "NOT_IMPERSONATING",
) {}

/** The OAuth callback's `state` is missing, unknown, expired, already used or from another provider. */
export class OAuthStateError extends define(
  "OAuthStateError",
  "The sign-in request is invalid or has expired; start again",
  "OAUTH_STATE_INVALID",
) {}
/** No provider of that name is configured. */
export class UnknownProviderError extends define(
  "UnknownProviderError",
  "Unknown sign-in provider",
  "UNKNOWN_PROVIDER",
) {}
/**
 * A new OAuth identity's email belongs to an existing account, and linking by email is not allowed
 * (or not safe: the provider does not vouch for the address). Sign in and link it instead.
 */
export class OAuthAccountExistsError extends define(
  "OAuthAccountExistsError",
  "You already have an account with this email address; sign in and connect this provider from there",
  "OAUTH_ACCOUNT_EXISTS",
) {}
/** The provider gave no usable email address, and a new account needs one. */
export class OAuthEmailRequiredError extends define(
  "OAuthEmailRequiredError",
  "The provider did not share a verified email address",
  "OAUTH_EMAIL_REQUIRED",
) {}
/** This provider identity is already linked to another account. */
export class OAuthIdentityTakenError extends define(
  "OAuthIdentityTakenError",
  "This provider account is already connected to another account",
  "OAUTH_IDENTITY_TAKEN",
) {}
/** The account has no identity from this provider. */
export class ProviderNotLinkedError extends define(
  "ProviderNotLinkedError",
  "This provider is not connected to the account",
  "PROVIDER_NOT_LINKED",
) {}
/** Unlinking would leave the account with no way to sign in (no password and no other provider). */
export class LastSignInMethodError extends define(
  "LastSignInMethodError",
  "This is the account's last way to sign in; set a password or connect another provider first",
  "LAST_SIGN_IN_METHOD",
) {}

/** Why a password was refused. Never contains the password. */
export type PasswordProblem =
  "not_a_string" | "too_short" | "too_long" | "blocklisted" | "contains_email" | "wrong_password";

/**
 * A password was refused. At login `code` is `INVALID_CREDENTIALS` and the error is the same whether the
 * email is unknown or the password is wrong; for policy failures `code` is `INVALID_PASSWORD` and `reason`
 * says which rule failed.
 */
export class InvalidPasswordError extends AuthError {
  /** Which rule failed; `wrong_password` at login (for unknown emails too). */
  readonly reason: PasswordProblem;
  constructor(reason: PasswordProblem = "wrong_password", message = "Invalid password") {
    super(message, reason === "wrong_password" ? "INVALID_CREDENTIALS" : "INVALID_PASSWORD");
    this.reason = reason;
  }
}

/** Too many attempts; `retryAfter` is in whole seconds. */
export class RateLimitedError extends AuthError {
  /** Seconds until the next attempt may succeed. */
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    super("Too many attempts", "RATE_LIMITED");
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}

/** Input of the wrong type or size reached a public function (`code` INVALID_INPUT). */
export class InvalidInputError extends AuthError {
  /** The name of the offending field. */
  readonly field: string;
  constructor(field: string, message = `Invalid value for ${field}`) {
    super(message, "INVALID_INPUT");
    this.field = field;
  }
}

/** The configuration is invalid; the message names the option (`code` INVALID_CONFIG). */
export class AuthConfigError extends AuthError {
  constructor(message: string) {
    super(message, "INVALID_CONFIG");
  }
}

/** Auth.js name: a credentials sign-in failed. `code` is `credentials`. */
export class CredentialsSignin extends AuthError {
  constructor(message = "Invalid credentials") {
    super(message, "credentials");
  }
}
