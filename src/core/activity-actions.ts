/** Audit action names, as stored in `activity_log.action` (same strings as @prsm/auth, plus a few). */
export const AuthActivityAction = Object.freeze({
  Login: "login",
  Logout: "logout",
  FailedLogin: "failed_login",
  Register: "register",
  EmailConfirmed: "email_confirmed",
  EmailChangeRequested: "email_change_requested",
  PasswordResetRequested: "password_reset_requested",
  PasswordResetCompleted: "password_reset_completed",
  PasswordChanged: "password_changed",
  EmailChanged: "email_changed",
  RoleChanged: "role_changed",
  StatusChanged: "status_changed",
  ForceLogout: "force_logout",
  AccountDeleted: "account_deleted",
  SessionRevoked: "session_revoked",
  LoginLocked: "login_locked",
  OAuthConnected: "oauth_connected",
  OAuthDisconnected: "oauth_disconnected",
  RememberTokenCreated: "remember_token_created",
  RememberTokenUsed: "remember_token_used",
  RememberTheftDetected: "remember_theft_detected",
  TwoFactorSetup: "two_factor_setup",
  TwoFactorVerified: "two_factor_verified",
  TwoFactorFailed: "two_factor_failed",
  TwoFactorChallenged: "two_factor_challenged",
  TwoFactorLocked: "two_factor_locked",
  TwoFactorDisabled: "two_factor_disabled",
  BackupCodeUsed: "backup_code_used",
  BackupCodesRegenerated: "backup_codes_regenerated",
  ImpersonationStarted: "impersonation_started",
  ImpersonationStopped: "impersonation_stopped",
  ImpersonationExpired: "impersonation_expired",
  ImpersonationRejected: "impersonation_rejected",
} as const);

/** One of the {@link AuthActivityAction} strings. */
export type AuthActivityActionType = (typeof AuthActivityAction)[keyof typeof AuthActivityAction];

/** Two-factor mechanisms (same values as @prsm/auth). */
export const TwoFactorMechanism = Object.freeze({ TOTP: 1, EMAIL: 2, SMS: 3 } as const);
