/**
 * The English text of the built-in pages. Every key can be replaced through `pages.strings`; `{name}`,
 * `{email}` and `{contact}` are placeholders filled (escaped) at render time.
 */

/**
 * The default (English) dictionary. Keys starting with `error` are the messages of error codes (see
 * `errorMessage`); `notice*` are the banners of `PageData.notice`.
 */
export const DEFAULT_PAGE_STRINGS = Object.freeze({
  signinTitle: "Sign in",
  registerTitle: "Create an account",
  verifyRequestTitle: "Check your email",
  verifyConfirmTitle: "Confirm your email address",
  resetTitle: "Reset your password",
  resetNewPasswordTitle: "Choose a new password",
  twoFactorTitle: "Two-step verification",
  twoFactorSetupTitle: "Set up two-step verification",
  signoutTitle: "Sign out",
  errorTitle: "Something went wrong",

  logoAlt: "Logo",
  emailLabel: "Email address",
  passwordLabel: "Password",
  newPasswordLabel: "New password",
  passwordHint: "Use at least 15 characters. A few unrelated words make a strong password.",
  rememberLabel: "Keep me signed in on this device",
  codeLabel: "Verification code",
  codeHint: "Enter the 6-digit code.",
  codeHintWithBackup: "Enter the 6-digit code, or one of your backup codes.",
  methodLegend: "Verify with",
  methodTotp: "Authenticator app",
  methodOtp: "Code sent to {contact}",
  methodOtpNoContact: "Code sent by email or text message",
  methodBackupCode: "Backup code",

  signinButton: "Sign in",
  signinWithProvider: "Sign in with {name}",
  registerButton: "Create account",
  forgotButton: "Send reset link",
  resetButton: "Save new password",
  verifyButton: "Confirm email address",
  twoFactorButton: "Verify",
  setupStartButton: "Set up an authenticator app",
  setupConfirmButton: "Turn on two-step verification",
  signoutButton: "Sign out",

  providersHeading: "Or continue with",
  noAccount: "No account yet?",
  registerLink: "Create one",
  haveAccount: "Already have an account?",
  signinLink: "Sign in",
  forgotLink: "Forgot your password?",
  backToSignin: "Back to sign in",
  signedInAs: "Signed in as {email}",

  verifyRequestText: "We sent you a link. Open it to confirm your email address.",
  resetSentText: "If an account exists for that email address, we sent it a link to choose a new password.",
  sentTo: "Sent to {email}.",
  checkSpamText: "Nothing arrived? Check your spam folder, or wait a minute and try again.",
  verifyConfirmText: "Press the button to confirm your email address.",
  resetRequestText: "Enter your email address and we will send you a link to choose a new password.",
  resetNewPasswordText: "Choose a new password for your account.",
  twoFactorText: "Enter a code to finish signing in.",
  setupIntroText: "Add a second step to sign-in: a code from an authenticator app on your phone.",
  setupSignInRequired: "Sign in to set up two-step verification.",
  setupScanText: "Scan this QR code with your authenticator app, then enter the 6-digit code it shows.",
  qrAlt: "QR code to scan with your authenticator app",
  secretLabel: "Can't scan it? Enter this key instead:",
  otpauthLink: "Open in an authenticator app on this device",
  backupCodesTitle: "Save your backup codes",
  backupCodesText:
    "Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only once.",
  doneLink: "Done",
  signoutText: "Are you sure you want to sign out?",

  noticeVerified: "Your email address is confirmed. You can sign in now.",
  noticeResetDone: "Your password has been changed. Sign in with the new one.",
  noticeResetSent: "If an account exists for that email address, we sent it a link to choose a new password.",
  noticeRegistered: "Your account has been created. You can sign in now.",
  noticeSignedOut: "You have been signed out.",

  errorDefault: "Something went wrong. Please try again.",
  errorCredentials: "Incorrect email address or password.",
  errorEmailNotVerified: "Confirm your email address first: open the link we sent you, then sign in.",
  errorInactive: "This account can't sign in right now. Contact support if you think this is a mistake.",
  errorOAuth: "Signing in with the provider didn't work. Please try again.",
  errorOAuthAccountExists:
    "An account with this email address already exists. Sign in to it first, then connect this provider.",
  errorOAuthEmail: "The provider didn't share a verified email address.",
  errorOAuthIdentityTaken: "This provider account is already connected to another account.",
  errorUnknownProvider: "This sign-in method isn't available.",
  errorRateLimited: "Too many attempts. Wait a few minutes, then try again.",
  errorRegistration:
    "We couldn't create an account with this email address. If you already have one, sign in or reset your password.",
  errorInvalidEmail: "Enter a valid email address.",
  errorInvalidPassword:
    "This password can't be used. Choose one with at least 15 characters that isn't common and doesn't contain your email address.",
  errorInvalidLink: "This link is invalid or has expired. Please request a new one.",
  errorResetDisabled: "Password reset is turned off for this account.",
  errorInvalidCode: "That code isn't right. Check it and try again.",
  errorTwoFactorExpired: "Your sign-in attempt has expired. Please sign in again.",
  errorTwoFactorSetup: "Two-step verification couldn't be set up. Please start again.",
  errorSessionRequired: "Please sign in to continue.",
  errorReauth: "For your security, please sign in again to continue.",
  errorAccessDenied: "You don't have access to this.",
  errorCsrf: "This form has expired. Reload the page and try again.",
  errorInvalidInput: "Some of the information entered isn't valid. Check it and try again.",
  errorServer: "The service is temporarily unavailable. Please try again later.",
});

/** Every text of the pages, by key. Override any of them with `pages.strings`. */
export type PageStrings = { -readonly [K in keyof typeof DEFAULT_PAGE_STRINGS]: string };

/** A key of {@link PageStrings}. */
export type PageStringKey = keyof PageStrings;

/** True when `key` names a page string (guards config objects against typos and prototype keys). */
export function isPageStringKey(key: string): key is PageStringKey {
  return Object.hasOwn(DEFAULT_PAGE_STRINGS, key);
}
