/**
 * The demo app: the seed README's quickstart (`/register`, `/login`, `/me`) plus logout, password reset,
 * email confirmation, the session list and two-factor authentication, on top of express-drizzle-auth.
 * `npm run bench` reuses it.
 */
import express from "express";
import session from "express-session";
import {
  type AuthConfig,
  ExpressAuth,
  type ExpressAuthConfig,
  type DatabaseInput,
  EmailNotVerifiedError,
  type SessionStoreOptions,
  TooManyResetsError,
  authErrorHandler,
  canonicalizeEmail,
  describeError,
  createAuthMiddleware,
  createSessionStore,
} from "../../src/index.js";
import { adminRoutes, demoAdminEmail, demoImpersonation, grantDemoAdmin } from "./admin-routes.js";
import { INDEX_CSP, indexPage } from "./index-page.js";
import { DevOutbox } from "./outbox.js";
import { oauthRoutes } from "./oauth-routes.js";
import { OUTBOX_CSP, outboxPage } from "./outbox-page.js";
import { twoFactorRoutes } from "./two-factor-routes.js";

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** A Drizzle database, or a raw PGlite / postgres.js `sql` / `pg.Pool`. */
  db: DatabaseInput;
  /** Overrides of the auth config (everything but `db`). */
  authConfig?: Partial<Omit<AuthConfig, "db">>;
  /** The express-session secret. @default a fixed development value */
  sessionSecret?: string;
  /** The auth `secret` (encrypts TOTP keys, keys the code hashes). @default a fixed development value */
  authSecret?: string;
  /** Options of the session store. */
  sessionStore?: SessionStoreOptions;
  /**
   * DEVELOPMENT ONLY: where tokens and two-factor codes go instead of email or SMS. `false` unmounts
   * `GET /dev/outbox`; the flows still work but the tokens and codes are then dropped.
   * @default a DevOutbox printing to the console
   */
  outbox?: DevOutbox | false;
  /**
   * Logs unexpected errors. @default console.error of `describeError(err)`: class names and codes only,
   * because driver and Drizzle error messages embed SQL parameters (hashes, session data).
   */
  logError?: (err: unknown) => void;
  /**
   * DEVELOPMENT ONLY (`DEMO_ADMIN_EMAIL`): the account registering with this address gets the admin role
   * and with it the admin page (`GET /admin`). Not an email address: ignored.
   */
  adminEmail?: string | null;
}

export const DEV_SESSION_SECRET = "express-drizzle-auth demo: development session secret, not for production";
/** The auth secret used when none is given. TOTP keys sealed with it open only with it (or `previousSecrets`). */
export const DEV_AUTH_SECRET = "express-drizzle-auth demo: development auth secret, not for production";

declare global {
  // biome-ignore lint/style/noNamespace: Express's own augmentation point
  namespace Express {
    interface Locals {
      /** The auth config the app was built with (pass it to `createAuthTables`). */
      authConfig: AuthConfig;
    }
  }
}

/** Builds the demo's Express app. Its auth config is `app.locals.authConfig`. */
export function createDemoApp(options: DemoAppOptions): express.Express {
  const outbox = options.outbox === false ? null : (options.outbox ?? new DevOutbox({ print: console.log }));
  const sessionSecret = options.sessionSecret ?? DEV_SESSION_SECRET;
  const config: ExpressAuthConfig = {
    tablePrefix: "auth_",
    secret: options.authSecret ?? DEV_AUTH_SECRET,
    // The /auth router shares the app's session (cookie "sid"), so getSession(req, config) can read it.
    sessionSecret,
    sessionCookieName: "sid",
    // Emailed links of the /auth pages go to the dev outbox; a real app mails them.
    mail: {
      sendVerification: (link) => outbox?.sendLink("confirm-email", link),
      sendPasswordReset: (link) => outbox?.sendLink("password-reset", link),
    },
    pages: { theme: { appName: "express-drizzle-auth demo" } },
    ...options.authConfig,
    // Email and SMS codes go to the dev outbox (dropped when it is off); a real app mails or texts them.
    twoFactor: { enabled: true, deliver: (m) => outbox?.sendCode(m), ...options.authConfig?.twoFactor },
    // Admins may act as accounts with fewer roles, for at most 30 minutes (admin-routes.ts).
    impersonation: options.authConfig?.impersonation ?? demoImpersonation,
    db: options.db,
  };
  // The callback runs only after the library accepted the address, so it canonicalises.
  const send = (kind: "confirm-email" | "password-reset", email: unknown) => (token: string) =>
    outbox?.send(kind, canonicalizeEmail(email), token);

  const adminEmail = demoAdminEmail(options.adminEmail);

  const app = express();
  app.locals.authConfig = config;
  app.disable("x-powered-by");
  app.use(express.json({ limit: "16kb" }));
  app.use(
    session({
      name: "sid",
      store: createSessionStore(config, options.sessionStore),
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax", secure: "auto" },
    }),
  );
  app.use(createAuthMiddleware(config));
  // The Auth.js-style router: sign-in pages, REST endpoints (docs/rest-api.md), /auth/session.
  app.use("/auth", ExpressAuth(config));

  app.get("/", (_req, res) => {
    res
      .set("Content-Security-Policy", INDEX_CSP)
      .type("html")
      .send(indexPage(outbox !== null, Object.keys(config.providers ?? {})));
  });

  // ── the seed README's routes ─────────────────────────────────────────
  app.post("/register", async (req, res) => {
    const { email, password, confirm } = req.body ?? {};
    // Without `confirm` the account is verified at once, so /register then /login works as in the seed.
    const callback = confirm === true ? send("confirm-email", email) : undefined;
    const account = await req.auth.register(email, password, undefined, callback);
    await grantDemoAdmin(config, adminEmail, account);
    res.json({ id: account.id });
  });

  app.post("/login", async (req, res) => {
    const { email, password, remember } = req.body ?? {};
    await req.auth.login(email, password, remember);
    res.json({ ok: true });
  });

  app.get("/me", (req, res) => {
    if (!req.auth.isLoggedIn()) return void res.status(401).json({ error: "not logged in" });
    res.json({ id: req.auth.getId(), email: req.auth.getEmail(), roles: req.auth.getRoleNames() });
  });

  // ── the rest of the account lifecycle ────────────────────────────────
  app.post("/logout", async (req, res) => {
    await req.auth.logout();
    res.json({ ok: true });
  });

  app.get("/sessions", async (req, res) => {
    if (!req.auth.isLoggedIn()) return void res.status(401).json({ error: "not logged in" });
    res.json({ sessions: await req.auth.listSessions() });
  });

  app.post("/password/forgot", async (req, res) => {
    const email = req.body?.email;
    try {
      await req.auth.resetPassword(email, null, null, send("password-reset", email));
    } catch (err) {
      // Same answer for unknown, unverified and throttled addresses: the response reveals no account.
      if (!(err instanceof EmailNotVerifiedError) && !(err instanceof TooManyResetsError)) throw err;
    }
    res.json({ ok: true });
  });

  app.post("/password/reset", async (req, res) => {
    await req.auth.confirmResetPassword(req.body?.token, req.body?.password);
    res.json({ ok: true });
  });

  app.post("/email/confirm", async (req, res) => {
    res.json({ email: await req.auth.confirmEmail(req.body?.token) });
  });

  app.post("/email/resend", async (req, res) => {
    const email = req.body?.email;
    await req.auth.resendConfirmation(email, send("confirm-email", email));
    res.json({ ok: true });
  });

  // ── two-factor: enrolment, the login's second step, management ───────
  app.use(twoFactorRoutes());

  // ── OAuth: sign in with GitHub, Google, Entra ID or an OIDC provider when configured ──
  app.use(oauthRoutes());

  // ── the admin page: accounts, recent activity, impersonation (admins only) ──
  app.use(adminRoutes(config));

  // ── development only ─────────────────────────────────────────────────
  if (outbox) {
    app.get("/dev/outbox", (req, res) => {
      res.set("Cache-Control", "no-store");
      if (req.accepts(["json", "html"]) === "html")
        return void res.set("Content-Security-Policy", OUTBOX_CSP).type("html").send(outboxPage(outbox.messages));
      res.json({
        warning: "DEVELOPMENT ONLY: tokens that a real app would email. Never expose this in production.",
        messages: outbox.messages,
      });
    });
  }

  app.use((_req, res) => void res.status(404).json({ error: "NOT_FOUND" }));
  app.use(authErrorHandler({ log: options.logError ?? ((err) => console.error("[demo] error:", describeError(err))) }));
  return app;
}
