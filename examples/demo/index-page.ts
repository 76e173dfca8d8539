/** The demo's index page: plain HTML, no script (served with a CSP that forbids scripts). */

const ROUTES: [string, string, string][] = [
  [
    "POST",
    "/register",
    '{"email","password","confirm"?} → {"id"}. With "confirm": true the account starts unverified and a token goes to the dev outbox.',
  ],
  ["POST", "/login", '{"email","password","remember"?} → {"ok": true}'],
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
  ["GET", "/dev/outbox", "DEVELOPMENT ONLY: the tokens the demo would have mailed"],
];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const INDEX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The HTML of `GET /`. `outbox` says whether the development outbox is mounted. */
export function indexPage(outbox: boolean): string {
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
<h2>Try it</h2>
<pre>curl -c jar -b jar -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse battery staple"}' localhost:3000/register
curl -c jar -b jar -H 'content-type: application/json' -d '{"email":"ada@example.com","password":"correct horse battery staple"}' localhost:3000/login
curl -b jar localhost:3000/me</pre>
${outbox ? "<p><strong>Development only:</strong> tokens are printed to the console and listed at <code>/dev/outbox</code> instead of being mailed.</p>" : ""}
</body>
</html>
`;
}
