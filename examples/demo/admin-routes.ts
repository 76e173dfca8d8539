/**
 * The demo's admin page: the accounts (email prefix search, paging), the recent audit log, and audited
 * impersonation over `req.auth.startImpersonation` / `stopImpersonation`. Only a signed-in admin sees the
 * page; while impersonating it shows only a banner with the stop button. The HTML is in admin-page.ts.
 */
import express from "express";
import {
  type AdminContext,
  type ActivityRecord,
  type AuthAccount,
  type AuthConfig,
  AuthRole,
  InvalidInputError,
  addRoleForUserBy,
  authErrorStatus,
  canonicalizeEmail,
  createAuthContext,
  hasRoleForUserBy,
  isAuthError,
  isValidEmail,
  userExistsByEmail,
} from "../../src/index.js";
import { ADMIN_CSP, adminPage, bannerPage, errorPage, signInPage } from "./admin-page.js";

const PAGE_SIZE = 20;
const MAX_PAGE = 10_000;
const ACTIVITY_ROWS = 50;

/**
 * The demo's impersonation settings: on, and an admin may act as an account. `requireLowerPrivilege`
 * stays on (the default), so the target must hold fewer roles: an admin cannot act as another admin.
 */
export const demoImpersonation: NonNullable<AuthConfig["impersonation"]> = {
  enabled: true,
  canImpersonate: (actor) => (actor.rolemask & AuthRole.Admin) === AuthRole.Admin,
};

/** The canonical form of `DEMO_ADMIN_EMAIL`, or null when it is unset or not an email address. */
export function demoAdminEmail(value: string | null | undefined): string | null {
  return value && isValidEmail(value) ? canonicalizeEmail(value) : null;
}

/** After `/register`: the account registering with `DEMO_ADMIN_EMAIL` becomes an admin. */
export async function grantDemoAdmin(config: AuthConfig, adminEmail: string | null, account: AuthAccount) {
  if (adminEmail === null || account.email !== adminEmail) return;
  await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Admin);
}

/** At startup: an account that already has `DEMO_ADMIN_EMAIL` becomes an admin. True when it exists. */
export async function ensureDemoAdmin(config: AuthConfig, adminEmail: string | null): Promise<boolean> {
  if (adminEmail === null || !(await userExistsByEmail(config, adminEmail))) return false;
  if (!(await hasRoleForUserBy(config, { email: adminEmail }, AuthRole.Admin)))
    await addRoleForUserBy(config, { email: adminEmail }, AuthRole.Admin);
  return true;
}

/** JSON for API clients (a JSON body, or an Accept header preferring JSON); HTML for browsers. */
function wantsJson(req: express.Request): boolean {
  return Boolean(req.is("application/json")) || req.accepts(["html", "json"]) === "json";
}

function sendHtml(res: express.Response, status: number, html: string): void {
  res.status(status).set({ "Content-Security-Policy": ADMIN_CSP, "Cache-Control": "no-store" }).type("html").send(html);
}

function deny(req: express.Request, res: express.Response, status: number, code: string, message: string): void {
  if (wantsJson(req)) return void res.status(status).json({ error: code, message });
  sendHtml(res, status, errorPage(status, code, message));
}

/** Lets only a signed-in admin through; answers 403 otherwise (with a sign-in form for a browser). */
async function requireAdmin(req: express.Request, res: express.Response): Promise<boolean> {
  if (req.auth.isLoggedIn() && (await req.auth.isAdmin())) return true;
  if (!req.auth.isLoggedIn() && !wantsJson(req)) sendHtml(res, 403, signInPage());
  else deny(req, res, 403, "FORBIDDEN", "The admin page needs a signed-in account with the admin role.");
  return false;
}

/**
 * Refuses cross-site form posts. Without CSRF protection a form post is a risk even in a demo: any site
 * could make an admin's browser post here. The session cookie is SameSite=Lax, which current browsers do
 * not send on a cross-site POST; on top of that, the Origin header (which browsers send with every POST),
 * when present, must name this host, and Sec-Fetch-Site, when present, must say same-origin. This is a
 * stopgap: the real CSRF protection (a token) comes with the library's REST handler.
 */
function sameOrigin(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const origin = req.get("origin");
  const site = req.get("sec-fetch-site");
  let ok = site === undefined || site === "same-origin";
  if (ok && origin !== undefined) {
    try {
      ok = new URL(origin).host === req.get("host");
    } catch {
      ok = false; // "null" (sandboxed frames, some redirects) or garbage
    }
  }
  if (ok) return next();
  deny(req, res, 403, "CROSS_ORIGIN", "This form must be posted from the admin page of this site.");
}

function accountIdOf(value: unknown): number {
  const id = typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1)
    throw new InvalidInputError("accountId", "accountId must be an account id");
  return id;
}

function reasonOf(value: unknown): string {
  const reason = typeof value === "string" ? value.trim() : "";
  if (reason.length === 0) throw new InvalidInputError("reason", "Give a reason: it goes into the audit log");
  return reason; // at most 500 characters: the library refuses longer ones
}

function pageOf(value: unknown): number {
  const page = typeof value === "string" && /^\d{1,5}$/.test(value) ? Number(value) : 1;
  return Math.min(MAX_PAGE, Math.max(1, page));
}

/** Emails of the accounts that acted in `activity`: from the rows themselves, else one lookup each. */
async function actorEmails(admin: AdminContext, activity: ActivityRecord[]): Promise<Map<number, string>> {
  const known = new Map<number, string>();
  for (const row of activity) if (row.accountId !== null && row.email !== null) known.set(row.accountId, row.email);
  const emails = new Map<number, string>();
  const missing = new Set<number>();
  for (const { actorAccountId: id } of activity) {
    if (id === null) continue;
    const email = known.get(id);
    if (email === undefined) missing.add(id);
    else emails.set(id, email);
  }
  await Promise.all(
    [...missing].map((id) =>
      admin.getAccount({ accountId: id }).then(
        (a) => void emails.set(id, a.email),
        () => undefined, // deleted since: shown as #id
      ),
    ),
  );
  return emails;
}

/** The admin routes (`GET /admin` and its form posts). Mount before the 404 handler and `authErrorHandler()`. */
export function adminRoutes(config: AuthConfig): express.Router {
  const router = express.Router();
  router.use("/admin", express.urlencoded({ extended: false, limit: "16kb", parameterLimit: 20 }));

  router.get("/admin", async (req, res) => {
    const info = req.auth.getImpersonationInfo();
    if (info)
      return void sendHtml(
        res,
        200,
        bannerPage({
          actorEmail: info.actor.email,
          targetEmail: info.target.email,
          reason: info.reason,
          expiresAt: info.expiresAt,
        }),
      );
    if (!(await requireAdmin(req, res))) return;
    // The context records this admin as the actor; it authorises nothing itself (requireAdmin did).
    const actor = { accountId: req.auth.getId(), ip: req.ip ?? null, userAgent: req.get("user-agent") ?? null };
    const admin = createAuthContext(config, { actor });
    const search = typeof req.query.q === "string" ? req.query.q : "";
    const page = pageOf(req.query.page);
    const [accounts, activity, stats] = await Promise.all([
      admin.listAccounts({ search, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
      admin.getRecentActivity(ACTIVITY_ROWS),
      admin.getActivityStats(),
    ]);
    const me = { id: req.auth.getId()!, email: req.auth.getEmail()!, rolemask: req.session.auth?.rolemask ?? 0 };
    const view = { me, search, page, pageSize: PAGE_SIZE, accounts, activity, stats };
    const roleNames = (mask: number) => req.auth.getRoleNames(mask);
    sendHtml(res, 200, adminPage({ ...view, actorEmails: await actorEmails(admin, activity), roleNames }));
  });

  // The browser's way in (the rest of the demo is a JSON API): the same req.auth.login as POST /login.
  router.post("/admin/login", sameOrigin, async (req, res) => {
    await req.auth.login(req.body?.email, req.body?.password);
    if (wantsJson(req)) return void res.json({ ok: true });
    res.redirect(303, "/admin");
  });

  router.post("/admin/impersonate", sameOrigin, async (req, res) => {
    if (!(await requireAdmin(req, res))) return;
    const accountId = accountIdOf(req.body?.accountId);
    await req.auth.startImpersonation({ accountId }, { reason: reasonOf(req.body?.reason) });
    if (wantsJson(req)) return void res.json({ ok: true, impersonation: req.auth.getImpersonationInfo() });
    res.redirect(303, "/admin");
  });

  // Any impersonating session may stop (the target is not an admin); NOT_IMPERSONATING (400) otherwise.
  router.post("/admin/impersonation/stop", sameOrigin, async (req, res) => {
    await req.auth.stopImpersonation();
    if (wantsJson(req)) return void res.json({ ok: true, id: req.auth.getId(), email: req.auth.getEmail() });
    res.redirect(303, "/admin");
  });

  // Browsers get the library's errors (refused impersonation, bad input) as a page; JSON clients get
  // `{ error, message }` from authErrorHandler() further down.
  router.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!req.path.startsWith("/admin") || wantsJson(req) || !isAuthError(err)) return next(err);
    const status = authErrorStatus(err.code);
    if (status >= 500 || res.headersSent) return next(err);
    sendHtml(res, status, errorPage(status, err.code, err.message));
  });

  return router;
}
