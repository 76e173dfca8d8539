/** The demo's index page: plain HTML, no script (served with a CSP that forbids scripts). */

const ROUTES: [string, string, string][] = [
  [
    "POST",
    "/register",
    '{"email","password","confirm"?} → {"id"}. With "confirm": true the account starts unverified and a token goes to the dev outbox.',
  ],
  [
    "POST",
    "/login",
    '{"email","password","remember"?} → {"ok": true}, or 401 {"error": "SECOND_FACTOR_REQUIRED", "methods"} when two-factor is on for the account',
  ],
  [
    "POST",
    "/login/2fa",
    '{"method": "totp"|"email"|"sms"|"otp"|"backup", "code"} → {"ok": true}: the second step, in the same session',
  ],
  ["GET", "/me", '{"id","email","roles"}, or 401 {"error": "not logged in"}'],
  ["POST", "/logout", '→ {"ok": true}'],
  ["GET", "/sessions", "the signed-in account's live sessions (req.auth.listSessions())"],
  [
    "POST",
    "/password/forgot",
    '{"email"} → {"ok": true} whether or not the address is registered; the token goes to the dev outbox',
  ],
  ["POST", "/password/reset", '{"token","password"} → {"ok": true}; every session of the account ends'],
  ["POST", "/email/confirm", '{"token"} → {"email"}'],
  ["POST", "/email/resend", '{"email"} → {"ok": true}; a new confirmation token for an unverified address'],
  ["GET", "/oauth", '{"configured", "linked"}: the configured providers and those the signed-in account has connected'],
  [
    "GET",
    "/oauth/:provider",
    "redirects to the provider (?remember=1 for remember-me); it sends the browser back to /oauth/:provider/callback",
  ],
  ["GET", "/oauth/:provider/link", "connects the provider to the signed-in account (sign-in within 10 minutes needed)"],
  ["POST", "/oauth/:provider/unlink", "disconnects it (refused for the account's last way to sign in)"],
  ["GET", "/2fa", '{"enabled", "methods": ["totp", "email", "sms"]} of the signed-in account'],
  ["POST", "/2fa/totp/setup", '→ {"secret","uri","qrCode"}: the key, shown once; add it to an authenticator app'],
  ["GET", "/2fa/totp/qr", "the QR code (SVG) of the TOTP enrolment in progress"],
  ["POST", "/2fa/totp/confirm", '{"code"} → {"backupCodes"}: TOTP is on once a code from the app is accepted'],
  ["POST", "/2fa/email/setup", '{"email"?} → {"maskedContact"}; a code goes to the dev outbox'],
  ["POST", "/2fa/email/confirm", '{"code"} → email codes are on'],
  ["POST", "/2fa/sms/setup", '{"phone"} (E.164, e.g. +15551234567) → {"maskedContact"}; a code goes to the dev outbox'],
  ["POST", "/2fa/sms/confirm", '{"code"} → SMS codes are on'],
  [
    "POST",
    "/2fa/disable",
    '{"mechanism": "totp"|"email"|"sms", "password"?} → {"ok": true}; the last method needs the password after 10 minutes',
  ],
  ["POST", "/2fa/backup-codes", '{"password"?} → {"backupCodes"}: a new set; the old one stops working'],
  [
    "GET",
    "/admin",
    "admins only (HTML): accounts with an email-prefix search, recent activity, and an Impersonate button per account",
  ],
  ["POST", "/admin/impersonate", "form {accountId, reason}: act as that account (audited, at most 30 minutes)"],
  ["POST", "/admin/impersonation/stop", "back to the admin's own session"],
  ["GET", "/dev/outbox", "DEVELOPMENT ONLY: the tokens and codes the demo would have mailed or texted"],
];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const INDEX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The HTML of `GET /`. `outbox` says whether the development outbox is mounted. */
export function indexPage(outbox: boolean, providers: string[] = []): string {
  const signIn = providers.length
    ? `<h2>Sign in with a provider</h2>\n<ul>${providers
        .map((p) => `<li><a href="/oauth/${encodeURIComponent(p)}">Sign in with ${escapeHtml(p)}</a></li>`)
        .join("")}</ul>`
    : "<p>OAuth: set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (or Google, Entra ID, OIDC; see the README) to offer provider sign-in.</p>";
  const rows = ROUTES.filter(([, path]) => outbox || path !== "/dev/outbox")
    .map(
      ([method, path, text]) => `<tr><td>${method}</td><td><code>${path}</code></td><td>${escapeHtml(text)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>express-drizzle-auth demo</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
td{padding:.25rem .75rem;vertical-align:top;border-bottom:1px solid #ddd}code,pre{background:#f4f4f4}</style>
</head>
<body>
<h1>express-drizzle-auth demo</h1>
<p>A JSON API over <code>req.auth</code>. Bodies are JSON; the session is a cookie, so keep a cookie jar.
Passwords need at least 15 characters and must not be common.</p>
<table>
${rows}
</table>
<h2>Sign in in the browser</h2>
<p>The built-in pages: <a href="/auth/signin">sign in</a>, <a href="/auth/register">register</a>,
<a href="/auth/reset">forgot password</a>, <a href="/auth/two-factor/setup">set up an authenticator app</a>,
<a href="/auth/signout">sign out</a>; <a href="/auth/session">/auth/session</a> shows the session.
Emailed links and codes appear in the <a href="/dev/outbox">development outbox</a>.</p>
${signIn}
<h2>Try it</h2>
<pre>curl -c jar -b jar -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse battery staple"}' localhost:3000/register
curl -c jar -b jar -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse battery staple"}' localhost:3000/login
curl -b jar localhost:3000/me</pre>
<p>Two-factor: <code>POST /2fa/totp/setup</code> (open <code>/2fa/totp/qr</code> and scan it), then
<code>POST /2fa/totp/confirm</code> with a code from the app and keep the backup codes. From then on
<code>/login</code> answers 401 <code>SECOND_FACTOR_REQUIRED</code> and <code>POST /login/2fa</code> finishes it.
Email codes are weaker than an authenticator app: whoever reads the mailbox has both factors.</p>
<p>Admin page: start the demo with <code>DEMO_ADMIN_EMAIL=you@example.com</code>; the account registered with
that address (or already registered, at the next start) gets the admin role. Sign in with it, then open
<a href="/admin">/admin</a> in this browser to list accounts and activity and to impersonate an account.</p>
${outbox ? "<p><strong>Development only:</strong> tokens and two-factor codes are printed to the console and listed at <code>/dev/outbox</code> instead of being sent.</p>" : ""}
</body>
</html>
`;
}
