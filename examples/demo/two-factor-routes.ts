/**
 * The demo's two-factor routes over `req.auth.twoFactor`: TOTP, email and SMS enrolment, the login's
 * second step, disabling a method and new backup codes. Codes for email and SMS go to the dev outbox
 * through `twoFactor.deliver` (see app.ts); they never appear in a response.
 */
import express from "express";
import QRCode from "qrcode";
import { InvalidInputError, TwoFactorMechanism, UserNotLoggedInError } from "../../src/index.js";

const MECHANISMS: Record<string, number> = {
  totp: TwoFactorMechanism.TOTP,
  email: TwoFactorMechanism.EMAIL,
  sms: TwoFactorMechanism.SMS,
};
const NAMES: Record<number, string> = { 1: "totp", 2: "email", 3: "sms" };

/** A mechanism by name (`"totp"`, `"email"`, `"sms"`) or number; anything else goes to the library, which refuses it. */
function mechanismOf(value: unknown): number {
  return (typeof value === "string" ? MECHANISMS[value] : undefined) ?? (value as number);
}

/** The SVG is generated here, but be strict anyway: no scripts, no sniffing, no caching. */
const SVG_HEADERS = {
  "Content-Type": "image/svg+xml",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

/** The two-factor routes. Mount before the 404 handler and `authErrorHandler()`. */
export function twoFactorRoutes(): express.Router {
  const router = express.Router();

  // Secrets and backup codes are shown once: never let a cache keep them.
  router.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  // ── status ────────────────────────────────────────────────────────────
  router.get("/2fa", async (req, res) => {
    if (!req.auth.isLoggedIn()) throw new UserNotLoggedInError();
    const enabled = await req.auth.twoFactor.getEnabledMethods();
    res.json({ enabled: enabled.length > 0, methods: enabled.map((m) => NAMES[m]) });
  });

  // ── TOTP enrolment ────────────────────────────────────────────────────
  router.post("/2fa/totp/setup", async (req, res) => {
    const { secret, uri, qrCode } = await req.auth.twoFactor.setup.totp();
    res.json({ secret, uri, qrCode, next: 'GET /2fa/totp/qr, then POST /2fa/totp/confirm {"code"}' });
  });

  router.get("/2fa/totp/qr", async (req, res) => {
    if (!req.auth.isLoggedIn()) throw new UserNotLoggedInError();
    const uri = await req.auth.twoFactor.getTotpUri(); // only while enrolment waits for its first code
    if (!uri) return void res.status(404).json({ error: "NOT_FOUND", message: "No TOTP enrolment in progress" });
    res.set(SVG_HEADERS).send(await QRCode.toString(uri, { type: "svg", margin: 1 }));
  });

  router.post("/2fa/totp/confirm", async (req, res) => {
    const backupCodes = await req.auth.twoFactor.complete.totp(req.body?.code);
    res.json({ enabled: "totp", backupCodes });
  });

  // ── email and SMS enrolment (a code goes to the outbox) ───────────────
  router.post("/2fa/email/setup", async (req, res) => {
    res.json(await req.auth.twoFactor.setup.email(req.body?.email ?? undefined));
  });

  router.post("/2fa/email/confirm", async (req, res) => {
    await req.auth.twoFactor.complete.email(req.body?.code);
    res.json({ enabled: "email" });
  });

  router.post("/2fa/sms/setup", async (req, res) => {
    res.json(await req.auth.twoFactor.setup.sms(req.body?.phone));
  });

  router.post("/2fa/sms/confirm", async (req, res) => {
    await req.auth.twoFactor.complete.sms(req.body?.code);
    res.json({ enabled: "sms" });
  });

  // ── the second step of a login ────────────────────────────────────────
  // POST /login answered 401 SECOND_FACTOR_REQUIRED with `methods`; the same session answers here.
  router.post("/login/2fa", async (req, res) => {
    const { method, code } = req.body ?? {};
    const verify = req.auth.twoFactor.verify;
    const verifiers: Record<string, (code: string) => Promise<void>> = {
      totp: verify.totp,
      email: verify.email,
      sms: verify.sms,
      otp: verify.otp,
      backup: verify.backupCode,
    };
    const run = typeof method === "string" && Object.hasOwn(verifiers, method) ? verifiers[method] : undefined;
    if (!run) throw new InvalidInputError("method", 'method must be "totp", "email", "sms", "otp" or "backup"');
    await run(code);
    await req.auth.completeTwoFactorLogin();
    res.json({ ok: true });
  });

  // ── management (the last method and new codes need the password, or a sign-in within 10 minutes) ──
  router.post("/2fa/disable", async (req, res) => {
    const { mechanism, password } = req.body ?? {};
    await req.auth.twoFactor.disable(mechanismOf(mechanism), password);
    res.json({ ok: true });
  });

  router.post("/2fa/backup-codes", async (req, res) => {
    res.json({ backupCodes: await req.auth.twoFactor.generateNewBackupCodes(req.body?.password) });
  });

  return router;
}
