/**
 * The HTML of the demo's admin page: plain server-rendered markup, no script (served with a CSP that
 * forbids scripts). Every value that comes from the database or the request goes through `escapeHtml`,
 * including the ones an attacker controls: user agents, audit metadata, the search box.
 */
import { type AccountList, type ActivityRecord, type ActivityStats, AuthStatus } from "../../src/index.js";

/** Like the index page's CSP, but forms may post to this origin (the search box and the buttons). */
export const ADMIN_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What the accounts and activity page shows. */
export interface AdminView {
  /** The signed-in admin. */
  me: { id: number; email: string; rolemask: number };
  search: string;
  /** 1-based page of the account list. */
  page: number;
  pageSize: number;
  accounts: AccountList;
  activity: ActivityRecord[];
  /** Emails of the accounts named as actors in `activity`, by id. */
  actorEmails: ReadonlyMap<number, string>;
  stats: ActivityStats;
  /** The role names of a role mask (`req.auth.getRoleNames`). */
  roleNames: (rolemask: number) => string[];
}

/** The banner facts of an impersonation (`req.auth.getImpersonationInfo()`). */
export interface BannerView {
  actorEmail: string;
  targetEmail: string;
  reason: string | null;
  expiresAt: Date;
}

const STATUS_NAMES = new Map<number, string>(Object.entries(AuthStatus).map(([name, value]) => [value, name]));

/** Escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function time(date: Date | null): string {
  if (date === null) return "—";
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

/** True when `target`'s roles are a strict subset of `actor`'s (the library's `requireLowerPrivilege`). */
function lowerPrivilege(actor: number, target: number): boolean {
  return (target & ~actor) === 0 && target !== actor;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}th,td{padding:.25rem .5rem;vertical-align:top;border-bottom:1px solid #ddd;text-align:left}
td.ua{max-width:18rem;overflow-wrap:anywhere;font-size:13px}td.meta{overflow-wrap:anywhere;font-size:13px}
form.inline{display:flex;gap:.25rem;margin:0}.banner{background:#fff3cd;border:1px solid #e0b000;padding:.75rem 1rem}
.fail{color:#a00}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function impersonateCell(view: AdminView, account: AccountList["accounts"][number]): string {
  if (account.id === view.me.id) return "you";
  if (account.status !== AuthStatus.Normal) return "not active";
  if (!lowerPrivilege(view.me.rolemask, account.rolemask)) return "same or more roles";
  return `<form class="inline" method="post" action="/admin/impersonate">
<input type="hidden" name="accountId" value="${account.id}">
<input name="reason" required maxlength="500" placeholder="reason (audited)" aria-label="Reason for acting as ${escapeHtml(account.email)}">
<button>Impersonate</button></form>`;
}

function accountRows(view: AdminView): string {
  if (view.accounts.accounts.length === 0) return '<tr><td colspan="8">No accounts match.</td></tr>';
  return view.accounts.accounts
    .map(
      (a) => `<tr><td>${a.id}</td><td>${escapeHtml(a.email)}</td>
<td>${escapeHtml(STATUS_NAMES.get(a.status) ?? String(a.status))}</td>
<td>${escapeHtml(view.roleNames(a.rolemask).join(", ") || "—")}</td><td>${a.verified ? "yes" : "no"}</td>
<td>${a.twoFactor.length ? a.twoFactor.map((m) => ["", "TOTP", "email", "SMS"][m] ?? String(m)).join(", ") : "—"}</td>
<td>${time(a.lastLogin)}</td><td>${impersonateCell(view, a)}</td></tr>`,
    )
    .join("\n");
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function pageLink(search: string, page: number, label: string): string {
  const query = new URLSearchParams({ ...(search ? { q: search } : {}), page: String(page) });
  return `<a href="/admin?${escapeHtml(query.toString())}">${label}</a>`;
}

function pager(view: AdminView): string {
  const pages = Math.max(1, Math.ceil(view.accounts.total / view.pageSize));
  const links = [
    view.page > 1 ? pageLink(view.search, view.page - 1, "← previous") : "",
    `page ${view.page} of ${pages} (${count(view.accounts.total, "account")})`,
    view.page < pages ? pageLink(view.search, view.page + 1, "next →") : "",
  ];
  return `<p>${links.filter(Boolean).join(" · ")}</p>`;
}

function actorCell(view: AdminView, row: ActivityRecord): string {
  if (row.actorAccountId === null) return "—";
  const email = view.actorEmails.get(row.actorAccountId);
  return email === undefined ? `#${row.actorAccountId}` : escapeHtml(email);
}

function activityRows(view: AdminView): string {
  if (view.activity.length === 0) return '<tr><td colspan="7">No activity yet.</td></tr>';
  return view.activity
    .map((r) => {
      const account = r.email === null ? (r.accountId === null ? "—" : "(deleted)") : escapeHtml(r.email);
      const meta = r.metadata === null ? "" : JSON.stringify(r.metadata).slice(0, 300);
      return `<tr><td>${time(r.createdAt)}</td><td${r.success ? "" : ' class="fail"'}>${escapeHtml(r.action)}${r.success ? "" : " (failed)"}</td>
<td>${account}</td><td>${actorCell(view, r)}</td><td>${escapeHtml(r.ipAddress ?? "—")}</td>
<td class="ua">${escapeHtml(r.userAgent ?? "—")}</td><td class="meta">${escapeHtml(meta)}</td></tr>`;
    })
    .join("\n");
}

/** The HTML of `GET /admin` for a signed-in admin. */
export function adminPage(view: AdminView): string {
  const { stats } = view;
  return layout(
    "Admin: express-drizzle-auth demo",
    `<h1>Admin</h1>
<p>Signed in as <strong>${escapeHtml(view.me.email)}</strong>. <a href="/">Routes</a></p>
<p>Audit log: ${count(stats.totalEntries, "row")} for ${count(stats.uniqueUsers, "account")}; in the last 24 hours
${count(stats.recentLogins, "login")} and ${count(stats.failedAttempts, "failure")}.</p>
<h2>Accounts</h2>
<form method="get" action="/admin">
<input type="search" name="q" value="${escapeHtml(view.search)}" maxlength="254" placeholder="email starts with…" aria-label="Email prefix">
<button>Search</button></form>
<table>
<tr><th>id</th><th>email</th><th>status</th><th>roles</th><th>verified</th><th>2FA</th><th>last login</th><th>act as</th></tr>
${accountRows(view)}
</table>
${pager(view)}
<p>Impersonating signs this browser in as the account for at most 30 minutes, audited with your id and the
reason. Password, email, two-factor, session and admin changes are refused meanwhile.</p>
<h2>Recent activity</h2>
<table>
<tr><th>time</th><th>action</th><th>account</th><th>actor</th><th>IP</th><th>user agent</th><th>details</th></tr>
${activityRows(view)}
</table>`,
  );
}

/** The HTML of `GET /admin` while impersonating: only the banner and the stop button. */
export function bannerPage(info: BannerView): string {
  const reason = info.reason === null ? "" : ` Reason: ${escapeHtml(info.reason)}.`;
  return layout(
    "Impersonating: express-drizzle-auth demo",
    `<div class="banner" role="status">
<p>You are acting as <strong>${escapeHtml(info.targetEmail)}</strong>, started by
<strong>${escapeHtml(info.actorEmail)}</strong>, until ${time(info.expiresAt)}.${reason}</p>
<form method="post" action="/admin/impersonation/stop"><button>Stop impersonating</button></form>
</div>
<p>Every request in this browser now runs as that account; audit rows name you as the actor.
<a href="/me">/me</a> shows the account.</p>`,
  );
}

/** The 403 page for a visitor who is not signed in: a sign-in form posting to `/admin/login`. */
export function signInPage(): string {
  return layout(
    "403 FORBIDDEN",
    `<h1>403 FORBIDDEN</h1>
<p>The admin page needs a signed-in account with the admin role (see <code>DEMO_ADMIN_EMAIL</code> on the
<a href="/">index page</a>).</p>
<form method="post" action="/admin/login">
<p><label>Email <input type="email" name="email" required autocomplete="username"></label></p>
<p><label>Password <input type="password" name="password" required autocomplete="current-password"></label></p>
<p><button>Sign in</button></p></form>
<p>An account with two-factor on finishes its sign-in through the JSON API (<code>POST /login/2fa</code>).</p>`,
  );
}

/** A short error page for browsers (JSON clients get the library's `{ error, message }`). */
export function errorPage(status: number, code: string, message: string): string {
  return layout(
    `${status} ${code}`,
    `<h1>${status} ${escapeHtml(code)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/admin">Back to the admin page</a> · <a href="/">Routes</a></p>`,
  );
}
