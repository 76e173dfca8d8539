import { eq } from "drizzle-orm";
import type { AuthContext } from "./context.js";

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

/**
 * Calls `config.notify` after a security-relevant change has been committed. A failing hook never undoes
 * the change or fails the request: its error is reported on the console by class name only.
 */
export async function notifyAccount(
  ctx: AuthContext,
  notification: Omit<AuthNotification, "email"> & { email?: string },
): Promise<void> {
  const hook = ctx.config.notify;
  if (!hook) return;
  try {
    const email = notification.email ?? (await accountEmail(ctx, notification.accountId));
    if (email === null) return;
    await hook({ ...notification, email });
  } catch (err) {
    console.error(
      `[express-drizzle-auth] notify(${notification.type}) failed: ${err instanceof Error ? err.constructor.name : typeof err}`,
    );
  }
}

/** The email of an account, for notifications after the fact. */
async function accountEmail(ctx: AuthContext, accountId: number): Promise<string | null> {
  const a = ctx.t.accounts;
  const [row] = await ctx.db.select({ email: a.email }).from(a).where(eq(a.id, accountId)).limit(1);
  return row?.email ?? null;
}
