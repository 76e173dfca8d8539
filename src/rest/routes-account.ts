/**
 * Account routes: registration, email confirmation, forgotten and reset passwords. Answers never tell
 * whether an address has an account: a taken address registers "successfully" (nothing is sent), and a
 * reset request for an unknown or unconfirmed address looks like any other. Registrations count against
 * `rateLimits.register` per client IP, taken addresses alike (429 with `Retry-After` beyond it).
 */
import type { Router } from "express";
import {
  ConfirmationExpiredError,
  ConfirmationNotFoundError,
  EmailTakenError,
  InvalidTokenError,
  NotConfiguredError,
  ResetExpiredError,
  ResetNotFoundError,
} from "../errors.js";
import { canonicalizeEmail } from "../core/email.js";
import { requestOrigin } from "./csrf.js";
import type { ExpressAuthConfig } from "./options.js";
import { type RouteScope, succeed } from "./respond.js";
import type { routeFactory } from "./route.js";

/** Confirmation and reset tokens: unknown, used and expired all give one answer (checklist TK-04). */
function sameTokenError(err: unknown): unknown {
  const token =
    err instanceof ConfirmationNotFoundError ||
    err instanceof ConfirmationExpiredError ||
    err instanceof ResetNotFoundError ||
    err instanceof ResetExpiredError;
  return token ? new InvalidTokenError("Invalid or expired link") : err;
}

function link(scope: RouteScope, page: string, token: string): string {
  const origin = scope.options.linkOrigin ?? requestOrigin(scope.req);
  return `${origin}${scope.base}/${page}?token=${encodeURIComponent(token)}`;
}

/** Mounts `/register`, `/verify-email`, `/password/forgot` and `/password/reset`. */
export function accountRoutes(
  router: Router,
  route: ReturnType<typeof routeFactory>,
  mail: ExpressAuthConfig["mail"],
): void {
  router.post(
    "/register",
    route.post("register", async (scope) => {
      const { email, password } = scope.fields;
      const send = mail?.sendVerification;
      try {
        const callback = send
          ? async (token: string) => {
              await send({ email: canonicalizeEmail(email), url: link(scope, "verify-request", token), token });
            }
          : undefined;
        await scope.req.auth.register(email as string, password as string, undefined, callback);
      } catch (err) {
        if (!(err instanceof EmailTakenError)) throw err;
      }
      const next = send ? `${scope.base}/verify-request` : `${scope.base}/signin?notice=registered`;
      succeed(scope, { ok: true }, next);
    }),
  );

  router.post(
    "/verify-email",
    route.post("verify-request", async (scope) => {
      try {
        await scope.req.auth.confirmEmail(scope.fields.token as string);
      } catch (err) {
        throw sameTokenError(err);
      }
      succeed(scope, { ok: true }, `${scope.base}/signin?notice=verified`);
    }),
  );

  router.post(
    "/password/forgot",
    route.post("reset", async (scope) => {
      const send = mail?.sendPasswordReset;
      if (!send) throw new NotConfiguredError("Password reset by email is not configured");
      const email = scope.fields.email;
      // Resolves alike for unknown, unverified, non-resettable and over-limit addresses; only a real,
      // resettable account gets a token (and a mail, to its stored address: the canonical form).
      await scope.req.auth.resetPassword(email as string, null, null, async (token) => {
        await send({ email: canonicalizeEmail(email), url: link(scope, "reset", token), token });
      });
      succeed(scope, { ok: true }, `${scope.base}/verify-request?notice=reset-sent`);
    }),
  );

  router.post(
    "/password/reset",
    route.post("reset", async (scope) => {
      try {
        await scope.req.auth.confirmResetPassword(scope.fields.token as string, scope.fields.password as string);
      } catch (err) {
        throw sameTokenError(err);
      }
      succeed(scope, { ok: true }, `${scope.base}/signin?notice=reset-done`);
    }),
  );
}
