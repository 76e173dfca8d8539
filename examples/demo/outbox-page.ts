/** DEVELOPMENT ONLY: the dev outbox as an HTML page, so a person can follow emailed links and codes. */
import { escapeHtml } from "../../src/rest/pages/index.js";
import type { OutboxMessage } from "./outbox.js";

/** The CSP of the page: no scripts, inline styles only from this page's own <style>. */
export const OUTBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Renders the newest messages first; links open the page they point to. */
export function outboxPage(messages: readonly OutboxMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map((m) => {
      const action = m.url
        ? `<a href="${escapeHtml(m.url)}">${escapeHtml(m.url)}</a>`
        : `<code>${escapeHtml(m.next)}</code>`;
      return `<tr><td>${escapeHtml(m.sentAt)}</td><td>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.to)}</td><td><code class="token">${escapeHtml(m.token)}</code></td><td>${action}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Dev outbox</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}td{padding:.25rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}code{background:#f4f4f4;word-break:break-all}</style>
</head>
<body>
<main>
<h1>Development outbox</h1>
<p><strong>Development only.</strong> What the demo would have emailed or texted. A real app never shows this.</p>
<table>
<thead><tr><th scope="col">Sent</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Token or code</th><th scope="col">Next step</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="5">Nothing sent yet.</td></tr>'}
</tbody>
</table>
</main>
</body>
</html>
`;
}
