/**
 * What every page view gets: the normalised data and the resolved options, with helpers for
 * localised text and links inside the router.
 */
import type { PageData } from "./data.js";
import { type SafeHtml, format } from "./html.js";
import type { ResolvedPages } from "./options.js";
import type { PageStringKey } from "./strings.js";

/** One rendering: normalised data and resolved options. @internal */
export interface View {
  readonly data: PageData;
  readonly pages: ResolvedPages;
}

/** A page's title (also its `<h1>`) and body. @internal */
export interface ViewResult {
  title: PageStringKey;
  body: SafeHtml;
}

/** A localised string with its `{placeholders}` filled; everything escaped. @internal */
export function t(view: View, key: PageStringKey, values?: Readonly<Record<string, string>>): SafeHtml {
  return format(view.pages.strings[key], values);
}

/** The plain (unescaped) text of a string, for attributes that `markup` escapes anyway. @internal */
export function plain(view: View, key: PageStringKey): string {
  return view.pages.strings[key];
}

/**
 * A URL inside the router (`basePath` + `path`), carrying `callbackUrl` as a query parameter when the
 * page has one. Query values are percent-encoded; the result is HTML-escaped where it is used. @internal
 */
export function routerUrl(view: View, path: string, withCallback = false): string {
  const callbackUrl = view.data.callbackUrl;
  const query = withCallback && callbackUrl ? `?${new URLSearchParams({ callbackUrl }).toString()}` : "";
  return `${view.data.basePath}${path}${query}`;
}
