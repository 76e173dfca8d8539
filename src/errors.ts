/**
 * Every error the library throws on purpose is an {@link AuthError} with a stable UPPER_SNAKE `code`.
 * Class names and messages follow @prsm/auth, so code that checks `err instanceof UserNotFoundError`
 * or `err.constructor.name` keeps working. Messages never contain secrets or user input.
 *
 * This file also owns the HTTP status of every code ({@link AUTH_ERROR_STATUS}): it imports nothing,
 * so any layer (and code without Express) can map an error to a status.
 */

/**
 * Every code the library's errors carry, one per error class (two for {@link InvalidPasswordError}).
 * A new error class needs its code here, and the code needs a status in {@link AUTH_ERROR_STATUS}, or
 * the build fails.
 */
export const AUTH_ERROR_CODES = [
  "AUTH_ERROR",
  "INVALID_CREDENTIALS",
  "credentials",
  "INVALID_PASSWORD",
  "INVALID_EMAIL",
  "INVALID_INPUT",
  "INVALID_TOKEN",
  "INVALID_CONFIG",
  "EMAIL_TAKEN",
  "USER_ID_TAKEN",
  "EMAIL_NOT_VERIFIED",
  "USER_INACTIVE",
  "USER_NOT_FOUND",
  "NOT_LOGGED_IN",
  "CONFIRMATION_NOT_FOUND",
  "CONFIRMATION_EXPIRED",
  "RESET_NOT_FOUND",
  "RESET_EXPIRED",
  "RESET_DISABLED",
  "TOO_MANY_RESETS",
  "RATE_LIMITED",
  "SECOND_FACTOR_REQUIRED",
  "REAUTH_REQUIRED",
  "INVALID_TWO_FACTOR_CODE",
  "INVALID_BACKUP_CODE",
  "TWO_FACTOR_EXPIRED",
  "TWO_FACTOR_NOT_SETUP",
  "TWO_FACTOR_ALREADY_ENABLED",
  "TWO_FACTOR_SETUP_INCOMPLETE",
  "IMPERSONATION_DISABLED",
  "IMPERSONATION_NOT_ALLOWED",
  "ALREADY_IMPERSONATING",
  "NOT_IMPERSONATING",
  "OAUTH_STATE_INVALID",
  "OAUTH_PROVIDER_ERROR",
  "OAUTH_ACCOUNT_EXISTS",
  "OAUTH_EMAIL_REQUIRED",
  "OAUTH_IDENTITY_TAKEN",
  "UNKNOWN_PROVIDER",
  "PROVIDER_NOT_LINKED",
  "LAST_SIGN_IN_METHOD",
  "CSRF_FAILED",
  "SESSION_MISSING",
  "SESSION_TOO_LARGE",
  "NOT_CONFIGURED",
  "NOT_FOUND",
] as const;

/** The code of one of the library's errors. An app's own `AuthError` may carry any other string. */
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/**
 * Base class of every library error. `code` is stable; `type` mirrors Auth.js's `AuthError.type`. The
 * library's subclasses narrow `code` to their {@link AuthErrorCode}; an app may subclass it with its own
 * codes (answered 400 over HTTP, see {@link authErrorStatus}).
 */
export class AuthError extends Error {
  /** Stable machine-readable code, e.g. `EMAIL_TAKEN`. */
  readonly code: string;
  /** Auth.js-style error type; defaults to the class name. */
  readonly type: string;

  constructor(message: string, code: string = "AUTH_ERROR", options?: { cause?: unknown }) {
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

/** A library error class with a fixed `code` (typed as its literal) and a default message. */
function define<const C extends AuthErrorCode>(name: string, message: string, code: C) {
  const cls = class extends AuthError {
    declare readonly code: C;
    constructor(msg: string = message) {
      super(msg, code);
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
  declare readonly code: "SECOND_FACTOR_REQUIRED";
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
  declare readonly code: "INVALID_CREDENTIALS" | "INVALID_PASSWORD";
  /** Which rule failed; `wrong_password` at login (for unknown emails too). */
  readonly reason: PasswordProblem;
  constructor(reason: PasswordProblem = "wrong_password", message = "Invalid password") {
    super(message, reason === "wrong_password" ? "INVALID_CREDENTIALS" : "INVALID_PASSWORD");
    this.reason = reason;
  }
}

/** Too many attempts; `retryAfter` is in whole seconds. */
export class RateLimitedError extends AuthError {
  declare readonly code: "RATE_LIMITED";
  /** Seconds until the next attempt may succeed. */
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    super("Too many attempts", "RATE_LIMITED");
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}

/** Input of the wrong type or size reached a public function (`code` INVALID_INPUT). */
export class InvalidInputError extends AuthError {
  declare readonly code: "INVALID_INPUT";
  /** The name of the offending field. */
  readonly field: string;
  constructor(field: string, message = `Invalid value for ${field}`) {
    super(message, "INVALID_INPUT");
    this.field = field;
  }
}

/** The configuration is invalid; the message names the option (`code` INVALID_CONFIG). */
export class AuthConfigError extends AuthError {
  declare readonly code: "INVALID_CONFIG";
  constructor(message: string) {
    super(message, "INVALID_CONFIG");
  }
}

/** Auth.js name: a credentials sign-in failed. `code` is `credentials`. */
export class CredentialsSignin extends AuthError {
  declare readonly code: "credentials";
  constructor(message = "Invalid credentials") {
    super(message, "credentials");
  }
}

/** The app-supplied `userId` is already linked to another account (`USER_ID_TAKEN`). */
export class UserIdTakenError extends AuthError {
  declare readonly code: "USER_ID_TAKEN";
  constructor() {
    super("User id is already linked to an account", "USER_ID_TAKEN");
  }
}

/** Why a provider step failed. Stable; safe to show or branch on. */
export type OAuthProviderErrorReason = "access_denied" | "invalid_grant" | "network" | "bad_response" | "bad_profile";

const PROVIDER_MESSAGES: Record<OAuthProviderErrorReason, string> = {
  access_denied: "The user denied access at the provider",
  invalid_grant: "The provider rejected the authorization code",
  network: "The provider could not be reached",
  bad_response: "The provider sent an unexpected response",
  bad_profile: "The provider sent a malformed profile",
};

/** A provider step failed. The message never contains tokens, codes or secrets. */
export class OAuthProviderError extends AuthError {
  declare readonly code: "OAUTH_PROVIDER_ERROR";
  /** Stable reason, see {@link OAuthProviderErrorReason}. */
  readonly reason: OAuthProviderErrorReason;
  /** Provider key. */
  readonly provider: string;
  /** The OAuth `error` code the provider returned (e.g. `invalid_client`), when there was one. */
  readonly providerCode: string | null;

  constructor(
    provider: string,
    reason: OAuthProviderErrorReason,
    options: { providerCode?: string | null; cause?: unknown } = {},
  ) {
    super(`${PROVIDER_MESSAGES[reason]} (${provider})`, "OAUTH_PROVIDER_ERROR", { cause: options.cause });
    this.provider = provider;
    this.reason = reason;
    this.providerCode = options.providerCode ?? null;
  }
}

/** A state-changing request of the REST router failed the CSRF checks (HTTP 403). */
export class CsrfError extends AuthError {
  declare readonly code: "CSRF_FAILED";
  constructor(reason: "token" | "origin") {
    super(reason === "token" ? "Missing or invalid CSRF token" : "Cross-origin request refused", "CSRF_FAILED");
  }
}

/** The auth middleware ran on a request without express-session (a setup error, HTTP 500). */
export class SessionMissingError extends define(
  "SessionMissingError",
  "express-session must be mounted before the auth middleware",
  "SESSION_MISSING",
) {}
/** The session is past the size or depth bounds when it is about to be written (HTTP 413). */
export class SessionTooLargeError extends define(
  "SessionTooLargeError",
  "The session holds too much data or nests too deeply",
  "SESSION_TOO_LARGE",
) {}
/** A feature the request needs was not configured (e.g. password reset mails in the REST router). */
export class NotConfiguredError extends define("NotConfiguredError", "This feature is not configured", "NOT_CONFIGURED") {}
/** The REST router has nothing at this path (e.g. its pages are turned off). */
export class NotFoundError extends define("NotFoundError", "Not found", "NOT_FOUND") {}

/**
 * The HTTP status of every {@link AuthErrorCode}: 400 bad input, 401 credentials or sign-in needed, 403
 * refused, 404 not found, 409 conflict, 413 too large, 429 rate limited (with `Retry-After`), 500 a
 * setup error. Every code has one, checked by the compiler (`satisfies`). Use {@link authErrorStatus}
 * for a code that may not be the library's.
 */
export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> &
  Readonly<Partial<Record<string, number>>> = Object.freeze({
  AUTH_ERROR: 400,
  INVALID_PASSWORD: 400,
  INVALID_EMAIL: 400,
  INVALID_INPUT: 400,
  INVALID_TOKEN: 400,
  CONFIRMATION_NOT_FOUND: 400,
  CONFIRMATION_EXPIRED: 400,
  RESET_NOT_FOUND: 400,
  RESET_EXPIRED: 400,
  TWO_FACTOR_NOT_SETUP: 400,
  TWO_FACTOR_SETUP_INCOMPLETE: 400,
  NOT_IMPERSONATING: 400,
  OAUTH_PROVIDER_ERROR: 400,
  OAUTH_EMAIL_REQUIRED: 400,
  INVALID_CREDENTIALS: 401,
  credentials: 401,
  NOT_LOGGED_IN: 401,
  SECOND_FACTOR_REQUIRED: 401,
  TWO_FACTOR_EXPIRED: 401,
  INVALID_TWO_FACTOR_CODE: 401,
  INVALID_BACKUP_CODE: 401,
  REAUTH_REQUIRED: 401,
  EMAIL_NOT_VERIFIED: 403,
  USER_INACTIVE: 403,
  RESET_DISABLED: 403,
  IMPERSONATION_DISABLED: 403,
  IMPERSONATION_NOT_ALLOWED: 403,
  OAUTH_STATE_INVALID: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  NOT_CONFIGURED: 404,
  USER_NOT_FOUND: 404,
  UNKNOWN_PROVIDER: 404,
  PROVIDER_NOT_LINKED: 404,
  OAUTH_ACCOUNT_EXISTS: 409,
  OAUTH_IDENTITY_TAKEN: 409,
  LAST_SIGN_IN_METHOD: 409,
  EMAIL_TAKEN: 409,
  USER_ID_TAKEN: 409,
  TWO_FACTOR_ALREADY_ENABLED: 409,
  ALREADY_IMPERSONATING: 409,
  SESSION_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  TOO_MANY_RESETS: 429,
  INVALID_CONFIG: 500,
  SESSION_MISSING: 500,
} satisfies Record<AuthErrorCode, number>);

/** The status of an `AuthError` whose code is not the library's (an app's own, or a newer copy's): 400. */
export const UNKNOWN_AUTH_ERROR_STATUS = 400;

/**
 * The codes of the answers to failures that are not `AuthError`s, with their statuses: a lost database
 * connection and anything unexpected. (A body the parser refused keeps the parser's own 4xx.)
 */
export const FAILURE_STATUS = Object.freeze({ DATABASE_UNAVAILABLE: 503, INTERNAL_ERROR: 500 } as const);

/** True when `code` is one of the library's error codes. */
export function isAuthErrorCode(code: unknown): code is AuthErrorCode {
  return typeof code === "string" && Object.hasOwn(AUTH_ERROR_STATUS, code);
}

/**
 * The HTTP status of an error code: its {@link AUTH_ERROR_STATUS} entry, or 400 for a code that is not
 * the library's. @example authErrorStatus("EMAIL_TAKEN") // 409
 */
export function authErrorStatus(code: string): number {
  return isAuthErrorCode(code) ? AUTH_ERROR_STATUS[code] : UNKNOWN_AUTH_ERROR_STATUS;
}
