/** Security events the app should tell the account holder about (by email, typically). */
export type AuthNotificationType =
  | "password_changed"
  | "password_reset"
  | "email_changed"
  | "remember_theft_detected"
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "backup_code_used"
  | "backup_codes_regenerated"
  | "provider_linked"
  | "provider_unlinked";

/** One notification. `email` is the address to write to (for `email_changed`: the old address). */
export interface AuthNotification {
  type: AuthNotificationType;
  accountId: number;
  email: string;
  /** Extra facts: the new address for `email_changed`, the mechanism for two-factor events, codes left, the provider for `provider_*` events. */
  details?: Record<string, unknown>;
}
