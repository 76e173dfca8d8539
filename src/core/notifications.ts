import { eq } from "drizzle-orm";
import type { AuthNotification } from "../primitives/notification.js";
import type { AuthContext } from "./context.js";

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
