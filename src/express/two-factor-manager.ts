import { TwoFactorMechanism } from "../core/activity-actions.js";
import { verifyOwnPassword } from "../core/own-password.js";
import { ReauthenticationRequiredError, UserNotLoggedInError } from "../errors.js";
import * as enrollment from "../two-factor/enrollment.js";
import { type Mechanism, isMechanism, listMethods } from "../two-factor/methods.js";
import type { AuthSession } from "../sessions/state.js";
import { requestInfo } from "./request-info.js";
import { type AuthScope, signedIn } from "./scope.js";
import { completeTwoFactorLogin, verifyPendingFactor } from "./two-factor-login.js";
import { InvalidInputError } from "../errors.js";
import { assertNotImpersonating } from "./impersonation.js";
import { updateAuthState } from "./session-writer.js";

/** The signed-in session for a change to the account's factors (never while impersonating). */
function account(scope: AuthScope): AuthSession {
  const auth = signedIn(scope);
  if (!auth) throw new UserNotLoggedInError();
  assertNotImpersonating(scope);
  return auth;
}

function mechanismArg(value: unknown): Mechanism {
  if (!isMechanism(value))
    throw new InvalidInputError("mechanism", "mechanism must be TwoFactorMechanism.TOTP, EMAIL or SMS");
  return value;
}

/**
 * Sensitive two-factor changes need a recent sign-in (within `twoFactor.recentAuthWindow`) or the
 * password, when the account has one. A session restored from remember-me is never recent.
 */
async function requireRecentAuth(scope: AuthScope, auth: AuthSession, password: unknown): Promise<void> {
  const now = scope.ctx.now().getTime();
  if (!auth.hasPassword || now - auth.authenticatedAt <= scope.ctx.config.twoFactor.recentAuthMs) return;
  if (password === undefined) throw new ReauthenticationRequiredError();
  // Wrong answers count towards the login lockout, like any other password check of a live session.
  if (!(await verifyOwnPassword(scope.ctx, auth.accountId, password, requestInfo(scope.req)))) {
    throw new ReauthenticationRequiredError();
  }
  updateAuthState(auth, { authenticatedAt: now });
}

/** `req.auth.twoFactor`: enrolment, the login step and management (@prsm/auth names). */
export class TwoFactorManager {
  constructor(private readonly scope: AuthScope) {}

  /** Start enrolment. Nothing is enabled until the matching `complete.*` call succeeds. */
  readonly setup = {
    /** TOTP: `{ secret, uri, qrCode }` (SVG); confirm with `complete.totp(code)`. Enrolment always requires a code. */
    totp: async (_requireVerification = true) => {
      const auth = account(this.scope);
      const result = await enrollment.startTotpEnrollment(this.scope.ctx, auth.accountId, auth.email);
      return { ...result, backupCodes: undefined as string[] | undefined };
    },
    /** Email codes, to `email` or the account's address; a code is delivered and must be confirmed. */
    email: async (email?: string, _requireVerification = true) =>
      this.startContact(TwoFactorMechanism.EMAIL, email ?? account(this.scope).email),
    /** SMS codes to an E.164 number; a code is delivered and must be confirmed. */
    sms: async (phone: string, _requireVerification = true) => this.startContact(TwoFactorMechanism.SMS, phone),
  };

  private async startContact(mechanism: Mechanism, contact: unknown) {
    const auth = account(this.scope);
    const { selector, maskedContact } = await enrollment.startContactEnrollment(
      this.scope.ctx,
      auth.accountId,
      mechanism,
      contact,
    );
    const key = mechanism === TwoFactorMechanism.EMAIL ? "email" : "sms";
    updateAuthState(auth, { twoFactorSetup: { ...auth.twoFactorSetup, [key]: selector } });
    return { maskedContact };
  }

  /** Confirm enrolment with a code. `complete.totp` returns the backup codes, shown once. */
  readonly complete = {
    totp: async (code: string): Promise<string[]> => {
      const auth = account(this.scope);
      return enrollment.completeTotpEnrollment(this.scope.ctx, auth.accountId, code, requestInfo(this.scope.req));
    },
    email: async (code: string): Promise<void> => this.completeContact(TwoFactorMechanism.EMAIL, code),
    sms: async (code: string): Promise<void> => this.completeContact(TwoFactorMechanism.SMS, code),
  };

  private async completeContact(mechanism: Mechanism, code: unknown) {
    const auth = account(this.scope);
    const key = mechanism === TwoFactorMechanism.EMAIL ? "email" : "sms";
    await enrollment.completeContactEnrollment(
      this.scope.ctx,
      auth.accountId,
      mechanism,
      auth.twoFactorSetup?.[key],
      code,
      requestInfo(this.scope.req),
    );
    if (auth.twoFactorSetup) delete auth.twoFactorSetup[key];
  }

  /** Answer the pending login step; then call `req.auth.completeTwoFactorLogin()`. */
  readonly verify = {
    totp: (code: string) => verifyPendingFactor(this.scope, "totp", code),
    email: (code: string) => verifyPendingFactor(this.scope, "email", code),
    sms: (code: string) => verifyPendingFactor(this.scope, "sms", code),
    otp: (code: string) => verifyPendingFactor(this.scope, "otp", code),
    backupCode: (code: string) => verifyPendingFactor(this.scope, "backup_code", code),
  };

  /** Finishes the login after a successful `verify.*` (same as `req.auth.completeTwoFactorLogin`). */
  completeLogin(): Promise<void> {
    return completeTwoFactorLogin(this.scope);
  }

  /** Disables a mechanism. Needs the password (or a recent sign-in) when it is the last one. */
  async disable(mechanism: number, password?: string): Promise<void> {
    const auth = account(this.scope);
    const m = mechanismArg(mechanism);
    const enabled = await this.getEnabledMethods();
    if (enabled.length === 1 && enabled[0] === m) await requireRecentAuth(this.scope, auth, password);
    await enrollment.disableMechanism(this.scope.ctx, auth.accountId, m, requestInfo(this.scope.req));
  }

  /** Replaces the backup codes; needs the password (or a recent sign-in). Returns the new codes, shown once. */
  async generateNewBackupCodes(password?: string): Promise<string[]> {
    const auth = account(this.scope);
    await requireRecentAuth(this.scope, auth, password);
    return enrollment.regenerateBackupCodes(this.scope.ctx, auth.accountId, requestInfo(this.scope.req));
  }

  /** True when any method is enabled. */
  async isEnabled(): Promise<boolean> {
    return (await this.getEnabledMethods()).length > 0;
  }
  /** True when TOTP is enabled. */
  async totpEnabled(): Promise<boolean> {
    return (await this.getEnabledMethods()).includes(TwoFactorMechanism.TOTP);
  }
  /** True when email codes are enabled. */
  async emailEnabled(): Promise<boolean> {
    return (await this.getEnabledMethods()).includes(TwoFactorMechanism.EMAIL);
  }
  /** True when SMS codes are enabled. */
  async smsEnabled(): Promise<boolean> {
    return (await this.getEnabledMethods()).includes(TwoFactorMechanism.SMS);
  }
  /** The enabled mechanisms of the signed-in account (empty when signed out). */
  async getEnabledMethods(): Promise<number[]> {
    const auth = signedIn(this.scope);
    if (!auth) return [];
    return (await listMethods(this.scope.ctx, auth.accountId)).filter((m) => m.verified).map((m) => m.mechanism);
  }
  /** The email address or phone number of a method; null for TOTP (its secret is never returned). */
  async getContact(mechanism: number): Promise<string | null> {
    const auth = signedIn(this.scope);
    if (!auth || !isMechanism(mechanism) || mechanism === TwoFactorMechanism.TOTP) return null;
    return (await listMethods(this.scope.ctx, auth.accountId)).find((m) => m.mechanism === mechanism)?.secret ?? null;
  }
  /** The otpauth URI while TOTP enrolment awaits its first code; null once enabled. */
  async getTotpUri(): Promise<string | null> {
    const auth = signedIn(this.scope);
    return auth ? enrollment.pendingTotpUri(this.scope.ctx, auth.accountId, auth.email) : null;
  }
}
