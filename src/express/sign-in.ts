/**
 * Sign-in over a request: runs the sign-in use case (`src/sign-in/`) and writes what it decided with
 * the session writer. Every method goes through {@link signInWith}; `req.auth.login` is the password
 * method's name for it.
 */
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { SecondFactorRequiredError } from "../errors.js";
import { type SignInResult, signIn } from "../sign-in/sign-in.js";
import { impersonationOf } from "../sessions/state.js";
import { withSpan } from "../tracing/tracer.js";
import { forgetThisDevice } from "./remember-cookie.js";
import { stopImpersonation } from "./impersonation.js";
import { requestInfo } from "./request-info.js";
import type { AuthScope } from "./scope.js";
import { endSession, writePendingSession, writeSignedInSession } from "./session-writer.js";

/** Options of {@link signInWith}. */
export interface SignInOptions {
  /** Issue a remember-me token for this device. @default false */
  remember?: boolean;
  /** Extra metadata for the `login` audit row (never a secret). */
  metadata?: Record<string, unknown>;
  /** The input comes from the library's own checks (see `SignInAttempt.trusted`). @default false */
  trusted?: boolean;
}

/**
 * Writes a sign-in result to the session: a signed-in session (new id, remember-me cookie), or the
 * pending second step and {@link SecondFactorRequiredError}; a refusal is thrown as its `AuthError`.
 */
export async function applySignIn(scope: AuthScope, result: SignInResult): Promise<{ isNewUser: boolean }> {
  if (result.kind === "refused") throw result.error;
  if (result.kind === "second_factor") {
    await writePendingSession(scope, result.challenge.pending);
    throw new SecondFactorRequiredError(result.challenge.methods, result.challenge.pending.availableMechanisms);
  }
  await writeSignedInSession(scope, result.account, {
    remembered: false,
    profile: result.profile,
    rememberCookie: result.remember,
  });
  return { isNewUser: result.isNewUser };
}

/**
 * Signs in with a registered method (`password`, `oauth`, …) and its raw input.
 * @throws the refusal's `AuthError` (INVALID_INPUT for an unknown method) | {SecondFactorRequiredError}
 */
export async function signInWith(
  scope: AuthScope,
  method: unknown,
  input: unknown,
  options: SignInOptions = {},
): Promise<{ isNewUser: boolean }> {
  const result = await signIn(scope.ctx, {
    method,
    input,
    remember: options.remember === true,
    metadata: options.metadata ?? {},
    request: requestInfo(scope.req),
    trusted: options.trusted === true,
  });
  return applySignIn(scope, result);
}

/** A remember-me flag from JSON or a form: `true`, `"true"`, `"on"` or `"1"`. */
export function isRememberFlag(value: unknown): boolean {
  return value === true || value === "true" || value === "on" || value === "1";
}

/** `req.auth.login`: the password method. */
export async function loginWithPassword(
  scope: AuthScope,
  email: unknown,
  password: unknown,
  remember: unknown,
): Promise<void> {
  const wanted = isRememberFlag(remember);
  await withSpan(scope.ctx, "auth.login", { "auth.remember": wanted }, () =>
    signInWith(scope, "password", { email, password }, { remember: wanted }),
  );
}

/** `req.auth.logout`: forgets this device's remember-me token, audits, and ends the session. */
export async function logout(scope: AuthScope): Promise<void> {
  const auth = scope.req.session?.auth;
  if (impersonationOf(auth)) return stopImpersonation(scope, "logout");
  await forgetThisDevice(scope);
  if (auth?.loggedIn) {
    await logActivity(scope.ctx, {
      accountId: auth.accountId,
      action: AuthActivityAction.Logout,
      metadata: { email: auth.email },
      request: requestInfo(scope.req),
    });
  }
  await endSession(scope);
}
