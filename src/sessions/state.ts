import type { AuthAccount } from "../core/accounts.js";
import type { PendingTwoFactor } from "../two-factor/challenge.js";

/**
 * What the library keeps in `req.session.auth` (field names as in @prsm/auth). Times are epoch
 * milliseconds, so they survive any session store's JSON round trip.
 */
export interface AuthSession {
  loggedIn: boolean;
  accountId: number;
  userId: string;
  email: string;
  status: number;
  rolemask: number;
  /** True when this session was restored from a remember-me cookie (not typed in). */
  remembered: boolean;
  lastResync: number;
  lastRememberCheck: number;
  /** When this signed-in session began; it ends `sessionLifetime` later whatever the activity. */
  startedAt: number;
  /** The account's `force_logout` counter when the session was created. */
  forceLogout: number;
  verified: boolean;
  hasPassword: boolean;
  shouldForceLogout: boolean;
  /** When the user last proved who they are (password or second factor); remember-me does not count. */
  authenticatedAt: number;
  /**
   * Display name and avatar of the account's most recently updated provider identity, kept here at
   * sign-in and refreshed on resync, so `getSession` needs no query for them. Absent in sessions
   * stored by earlier versions (read as null).
   */
  name?: string | null;
  image?: string | null;
  /** Client address and user agent at sign-in, shown in the session list. */
  ipAddress?: string | null;
  userAgent?: string | null;
  /** Present between a correct password and the second factor; the session is not logged in meanwhile. */
  awaitingTwoFactor?: PendingTwoFactor;
  /** Selectors of email/SMS codes sent to verify a method being enrolled. */
  twoFactorSetup?: { email?: string; sms?: string };
  /** Present while impersonating: who is acting, and what to restore at the end. */
  actor?: ImpersonationActor;
}

/** The actor of an impersonation, as kept in the target's session. Times are epoch milliseconds. */
export interface ImpersonationActor {
  accountId: number;
  userId: string;
  email: string;
  rolemask: number;
  /** The actor's `force_logout` at the start: a higher value ends the whole session. */
  forceLogout: number;
  reason: string | null;
  startedAt: number;
  /** Always set: every impersonation is capped by `impersonation.maxTtl`. */
  expiresAt: number;
  /** The actor's own session's start, authentication time and remember-me state, restored at the end. */
  sessionStartedAt: number;
  authenticatedAt: number;
  remembered: boolean;
}

/** The not-logged-in session that waits for a second factor (@prsm/auth's pending shape). */
export function pendingSession(pending: PendingTwoFactor, now: number): AuthSession {
  return {
    loggedIn: false,
    accountId: 0,
    userId: "",
    email: "",
    status: 0,
    rolemask: 0,
    remembered: false,
    lastResync: now,
    lastRememberCheck: now,
    startedAt: now,
    forceLogout: 0,
    verified: false,
    hasPassword: false,
    shouldForceLogout: false,
    authenticatedAt: 0,
    awaitingTwoFactor: pending,
  };
}

/** Builds the logged-in session state for an account. */
export function loggedInSession(
  account: AuthAccount,
  now: number,
  options: {
    remembered: boolean;
    ipAddress: string | null;
    userAgent: string | null;
    profile?: { name: string | null; image: string | null } | undefined;
  },
): AuthSession {
  return {
    loggedIn: true,
    accountId: account.id,
    userId: account.userId,
    email: account.email,
    status: account.status,
    rolemask: account.rolemask,
    remembered: options.remembered,
    lastResync: now,
    lastRememberCheck: now,
    startedAt: now,
    forceLogout: account.forceLogout,
    verified: account.verified,
    hasPassword: account.hasPassword,
    shouldForceLogout: false,
    authenticatedAt: options.remembered ? 0 : now,
    name: options.profile?.name ?? null,
    image: options.profile?.image ?? null,
    ipAddress: options.ipAddress,
    userAgent: options.userAgent,
  };
}

/** The impersonation of a signed-in session, if any. */
export function impersonationOf(auth: AuthSession | undefined): ImpersonationActor | undefined {
  return auth?.loggedIn ? auth.actor : undefined;
}
