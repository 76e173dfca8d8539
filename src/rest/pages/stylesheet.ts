/**
 * The pages' one stylesheet: a small responsive layout whose colours come from CSS custom properties
 * set here from the theme (never from style attributes, which a strict CSP blocks). It is emitted in
 * a single `<style nonce>` element; nothing is loaded from elsewhere.
 */

const BASE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5;
color:var(--text);background:var(--bg);-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:2rem 1rem}
header{display:flex;align-items:center;gap:.75rem;margin-bottom:1.5rem;font-weight:600;font-size:1.125rem}
header img{max-height:3rem;max-width:12rem;width:auto;height:auto}
main{width:100%;max-width:26rem;background:var(--card);border:1px solid var(--border);border-radius:.75rem;
padding:1.75rem 1.5rem;box-shadow:0 1px 3px rgb(0 0 0 / 8%)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.125rem;margin:1.5rem 0 .75rem}
p{margin:0 0 1rem}
a{color:var(--link)}
a:hover{text-decoration-thickness:2px}
form{margin:0 0 1rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.field{margin-bottom:1rem}
.field>label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=email],input[type=password],input[type=text]{display:block;width:100%;font:inherit;color:inherit;
background:var(--bg);border:1px solid var(--input-border);border-radius:.5rem;padding:.625rem .75rem;min-height:2.75rem}
.check{display:flex;align-items:center;gap:.5rem;margin-bottom:.5rem}
.check input{width:1.125rem;height:1.125rem;margin:0;accent-color:var(--brand)}
.hint{font-size:.875rem;color:var(--muted);margin:.25rem 0 0}
button{display:block;width:100%;font:inherit;font-weight:600;cursor:pointer;border-radius:.5rem;min-height:2.75rem;
padding:.625rem 1rem;border:1px solid var(--brand);background:var(--brand);color:var(--button-text)}
button:hover{filter:brightness(1.08)}
button.secondary{background:transparent;color:var(--text);border-color:var(--input-border)}
.providers{list-style:none;margin:0;padding:0}
.providers li{margin-bottom:.5rem}
.providers form{margin:0}
.provider-logo{vertical-align:middle;margin-right:.25rem}
.alert,.notice{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid}
.alert{background:var(--error-bg);border-color:var(--error);color:var(--error-text)}
.notice{background:var(--notice-bg);border-color:var(--notice);color:var(--text)}
.links{font-size:.9375rem;margin-top:1rem}
.links p{margin:0 0 .5rem}
.qr{display:block;width:12.5rem;height:12.5rem;margin:0 auto 1rem;background:#fff;padding:.5rem;border-radius:.5rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em}
#totp-secret{display:block;word-break:break-all;font-size:1.0625rem;letter-spacing:.05em;margin:.25rem 0 1rem}
#backup-codes{list-style:none;padding:0;margin:0 0 1rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem}
#backup-codes code{display:block;padding:.375rem .5rem;border:1px dashed var(--input-border);border-radius:.375rem;text-align:center}
.button-link{display:block;text-align:center;font-weight:600;border-radius:.5rem;padding:.625rem 1rem;
background:var(--brand);color:var(--button-text);text-decoration:none}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus-visible{border-color:var(--focus)}
@media (prefers-reduced-motion:no-preference){button,a{transition:filter .15s}}
@media (max-width:30rem){body{padding:1rem .5rem}main{padding:1.25rem 1rem;border-radius:.5rem}}
@media (forced-colors:active){button,.button-link{border:2px solid ButtonText}:focus-visible{outline-color:Highlight}}
`;

const LIGHT = `--text:#1a1a1a;--muted:#555;--bg:#fff;--card:#fff;--border:#e2e2e2;--input-border:#8a8a8a;
--link:#0b57d0;--error:#b3261e;--error-bg:#fdecea;--error-text:#8c1d18;--notice:#1e7d32;--notice-bg:#e9f6ec;--focus:#0b57d0`;
const DARK = `--text:#ececec;--muted:#b0b0b0;--bg:#121212;--card:#1c1c1c;--border:#333;--input-border:#8f8f8f;
--link:#8ab4f8;--error:#f2b8b5;--error-bg:#3b1715;--error-text:#f9dedc;--notice:#81c995;--notice-bg:#13291a;--focus:#8ab4f8`;

/**
 * Neutralises `<` so configured CSS can never close the `<style>` element (`</style>` would end it
 * and start markup). `\3c ` is the CSS escape of `<`, so `content: "<"` keeps working. @internal
 */
export function containCss(css: string): string {
  return css.replace(/</g, "\\3c ");
}

/**
 * The full stylesheet for a theme. `brandColor` and `buttonText` must already be validated CSS colours
 * (see `theme.ts`); `extraCss` is appended last, so it can override anything. @internal
 */
export function buildStylesheet(brandColor: string, buttonText: string, extraCss: string): string {
  const root = `:root{color-scheme:light dark;--brand:${brandColor};--button-text:${buttonText};${LIGHT}}`;
  const dark = `@media (prefers-color-scheme:dark){:root{${DARK}}}`;
  const extra = extraCss ? `\n/* theme.css */\n${containCss(extraCss)}\n` : "";
  return `${root}\n${dark}${BASE_CSS}${extra}`;
}
