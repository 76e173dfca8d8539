/**
 * Error codes (the library's stable UPPER_SNAKE codes and the Auth.js names the router uses in
 * `?error=`) mapped to localised page messages. The code itself is never shown: unknown codes get the
 * generic message, so nothing from the query string reaches the page.
 */
import type { ResolvedPages } from "./options.js";
import type { PageStringKey } from "./strings.js";

const CODE_MESSAGES: ReadonlyMap<string, PageStringKey> = new Map<string, PageStringKey>([
  ["CredentialsSignin", "errorCredentials"],
  ["credentials", "errorCredentials"],
  ["INVALID_CREDENTIALS", "errorCredentials"],
  ["EMAIL_NOT_VERIFIED", "errorEmailNotVerified"],
  ["USER_INACTIVE", "errorInactive"],
  ["OAUTH_STATE_INVALID", "errorOAuth"],
  ["OAUTH_PROVIDER_ERROR", "errorOAuth"],
  ["OAuthSignin", "errorOAuth"],
  ["OAuthCallback", "errorOAuth"],
  ["OAuthCallbackError", "errorOAuth"],
  ["OAuthCreateAccount", "errorOAuth"],
  ["Callback", "errorOAuth"],
  ["OAUTH_ACCOUNT_EXISTS", "errorOAuthAccountExists"],
  ["OAuthAccountNotLinked", "errorOAuthAccountExists"],
  ["OAUTH_EMAIL_REQUIRED", "errorOAuthEmail"],
  ["OAUTH_IDENTITY_TAKEN", "errorOAuthIdentityTaken"],
  ["UNKNOWN_PROVIDER", "errorUnknownProvider"],
  ["RATE_LIMITED", "errorRateLimited"],
  ["TOO_MANY_RESETS", "errorRateLimited"],
  ["EMAIL_TAKEN", "errorRegistration"],
  ["USER_ID_TAKEN", "errorRegistration"],
  ["EmailCreateAccount", "errorRegistration"],
  ["INVALID_EMAIL", "errorInvalidEmail"],
  ["INVALID_PASSWORD", "errorInvalidPassword"],
  ["INVALID_TOKEN", "errorInvalidLink"],
  ["CONFIRMATION_NOT_FOUND", "errorInvalidLink"],
  ["CONFIRMATION_EXPIRED", "errorInvalidLink"],
  ["RESET_NOT_FOUND", "errorInvalidLink"],
  ["RESET_EXPIRED", "errorInvalidLink"],
  ["Verification", "errorInvalidLink"],
  ["RESET_DISABLED", "errorResetDisabled"],
  ["INVALID_TWO_FACTOR_CODE", "errorInvalidCode"],
  ["INVALID_BACKUP_CODE", "errorInvalidCode"],
  ["TWO_FACTOR_EXPIRED", "errorTwoFactorExpired"],
  ["TWO_FACTOR_NOT_SETUP", "errorTwoFactorSetup"],
  ["TWO_FACTOR_SETUP_INCOMPLETE", "errorTwoFactorSetup"],
  ["TWO_FACTOR_ALREADY_ENABLED", "errorTwoFactorSetup"],
  ["NOT_LOGGED_IN", "errorSessionRequired"],
  ["SessionRequired", "errorSessionRequired"],
  ["REAUTH_REQUIRED", "errorReauth"],
  ["AccessDenied", "errorAccessDenied"],
  ["CSRF_FAILED", "errorCsrf"],
  ["MissingCSRF", "errorCsrf"],
  ["INVALID_INPUT", "errorInvalidInput"],
  ["PAYLOAD_TOO_LARGE", "errorInvalidInput"],
  ["BAD_REQUEST", "errorInvalidInput"],
  ["Configuration", "errorServer"],
  ["INVALID_CONFIG", "errorServer"],
  ["INTERNAL_ERROR", "errorServer"],
  ["DATABASE_UNAVAILABLE", "errorServer"],
  ["NOT_CONFIGURED", "errorServer"],
]);

/**
 * The localised message (plain text, not yet escaped) for an error code such as `CredentialsSignin`,
 * `OAUTH_STATE_INVALID` or `RATE_LIMITED`. Unknown codes, and anything that is not a string, give the
 * generic `errorDefault` message; the code is never part of the result.
 * @example errorMessage("RATE_LIMITED", resolvePagesOptions()) // "Too many attempts. Wait a few minutes, then try again."
 */
export function errorMessage(code: string, pages: ResolvedPages): string {
  const key = typeof code === "string" ? CODE_MESSAGES.get(code) : undefined;
  return pages.strings[key ?? "errorDefault"];
}
