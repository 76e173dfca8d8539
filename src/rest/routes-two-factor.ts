/** Two-factor routes: the login's second step, and TOTP enrolment for the signed-in account. */
import type { Router } from "express";
import { InvalidInputError } from "../errors.js";
import { renderPageTo } from "./page-route.js";
import { type RouteScope, callbackUrlOf, succeed } from "./respond.js";
import type { routeFactory } from "./route.js";

const METHODS = ["totp", "otp", "email", "sms", "backup_code"] as const;
type Method = (typeof METHODS)[number];

function methodOf(scope: RouteScope): Method {
  const method = scope.fields.method ?? "totp";
  if (typeof method !== "string" || !(METHODS as readonly string[]).includes(method))
    throw new InvalidInputError("method", "method must be totp, otp, email, sms or backup_code");
  return method as Method;
}

/** Mounts `/two-factor/verify` and `/two-factor/setup/totp[/confirm]`. */
export function twoFactorRoutes(router: Router, route: ReturnType<typeof routeFactory>): void {
  router.post(
    "/two-factor/verify",
    route.post("two-factor", async (scope) => {
      const tf = scope.req.auth.twoFactor;
      const method = methodOf(scope);
      const code = scope.fields.code as string;
      if (method === "backup_code") await tf.verify.backupCode(code);
      else await tf.verify[method](code);
      await scope.req.auth.completeTwoFactorLogin();
      succeed(scope, { ok: true }, callbackUrlOf(scope));
    }),
  );

  router.post(
    "/two-factor/setup/totp",
    route.post("two-factor/setup", async (scope) => {
      const setup = await scope.req.auth.twoFactor.setup.totp();
      scope.res.set("Cache-Control", "no-store");
      if (scope.json) return void scope.res.json({ secret: setup.secret, uri: setup.uri, qrCode: setup.qrCode });
      renderPageTo(scope, "two-factor-setup", { totp: { qrSvg: setup.qrCode, secret: setup.secret, uri: setup.uri } });
    }),
  );

  router.post(
    "/two-factor/setup/totp/confirm",
    route.post("two-factor/setup", async (scope) => {
      const backupCodes = await scope.req.auth.twoFactor.complete.totp(scope.fields.code as string);
      scope.res.set("Cache-Control", "no-store");
      if (scope.json) return void scope.res.json({ ok: true, backupCodes });
      renderPageTo(scope, "two-factor-setup", { backupCodes });
    }),
  );
}
