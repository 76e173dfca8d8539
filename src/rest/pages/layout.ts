/**
 * The document around every page: `lang`/`dir`, the one nonce'd `<style>` element, the header with
 * the app's logo and name, and `<main>` with the page's `<h1>`. No script, no style attribute.
 */
import { type SafeHtml, markup, trustedRaw } from "./html.js";
import type { View, ViewResult } from "./view.js";
import { plain, t } from "./view.js";

function header(view: View): SafeHtml | "" {
  const { appName, logo } = view.pages;
  if (!appName && !logo) return "";
  // The logo is decorative when the name is written next to it.
  const img = logo ? markup`<img src="${logo}" alt="${appName ? "" : plain(view, "logoAlt")}">` : "";
  return markup`<header>${img}${appName ? markup`<span>${appName}</span>` : ""}</header>`;
}

/**
 * The complete HTML document of a rendered view. `nonce` must already be validated (it goes into the
 * `nonce` attribute of the `<style>` element, escaped like everything else). @internal
 */
export function renderDocument(view: View, result: ViewResult, nonce: string): string {
  const { pages } = view;
  const heading = plain(view, result.title);
  const title = pages.appName ? `${heading} · ${pages.appName}` : heading;
  // The stylesheet is raw text: built from validated colours and CSS whose "<" are neutralised.
  const style = markup`<style nonce="${nonce}">${trustedRaw(pages.stylesheet)}</style>`;
  return markup`<!DOCTYPE html>
<html lang="${pages.lang}" dir="${pages.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
${style}
</head>
<body>
${header(view)}
<main>
<h1>${t(view, result.title)}</h1>
${result.body}
</main>
</body>
</html>
`.value;
}
