/**
 * `pages` options: theme, language and strings, validated once when the router is created and turned
 * into a frozen {@link ResolvedPages} (with the stylesheet already built).
 */
import { AuthConfigError } from "../../errors.js";
import { DEFAULT_PAGE_STRINGS, type PageStrings, isPageStringKey } from "./strings.js";
import { buildStylesheet } from "./stylesheet.js";
import { DEFAULT_BRAND_COLOR, DEFAULT_BUTTON_TEXT, isCssColor, safeLogo, textDirection } from "./theme.js";

/** How the built-in pages look and what they say. */
export interface PagesOptions {
  /** Branding: name, logo, colours and extra CSS. */
  theme?: {
    /** Shown in the header and the page title. @default "" (none) */
    appName?: string;
    /**
     * Logo URL: `https:`, `http:` on localhost, a same-site path or a `data:image/…` URL. Anything else
     * is ignored. A remote logo's origin is added to the CSP's `img-src`.
     */
    logo?: string;
    /** Button and accent colour: `#rgb`, `#rrggbb`, `rgb(…)` or a colour name; invalid values fall back. @default "#346df1" */
    brandColor?: string;
    /** Colour of the text on buttons, same syntax as `brandColor`. @default "#fff" */
    buttonText?: string;
    /** Extra CSS appended to the stylesheet (it can only load resources the CSP allows: none besides images). */
    css?: string;
  };
  /** The `lang` attribute of the pages (a BCP 47 tag). @default "en" */
  lang?: string;
  /** Replacements for any of the English strings, by key. */
  strings?: Partial<PageStrings>;
}

/** Validated page options, as {@link renderPage} and {@link pageSecurityHeaders} take them. */
export interface ResolvedPages {
  /** The app's name ("" for none). */
  readonly appName: string;
  /** The logo's `src`, or null for none. */
  readonly logo: string | null;
  /** The origin of a remote logo (for `img-src`), else null. */
  readonly logoOrigin: string | null;
  /** The validated brand colour (or the default). */
  readonly brandColor: string;
  /** The validated button text colour (or the default). */
  readonly buttonText: string;
  /** The `lang` attribute. */
  readonly lang: string;
  /** The `dir` attribute, from the language. */
  readonly dir: "ltr" | "rtl";
  /** The English strings with the configured overrides. */
  readonly strings: Readonly<PageStrings>;
  /** The complete stylesheet, emitted in the pages' one `<style nonce>` element. */
  readonly stylesheet: string;
}

const LANG = /^[a-z]{2,8}(?:-[a-z0-9]{1,8})*$/i;
const MAX_TEXT = 2_000;
const MAX_CSS = 100_000;

function fail(option: string, expected: string): never {
  throw new AuthConfigError(`Invalid auth config: ${option} must be ${expected}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, option: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > max) fail(option, `a string of at most ${max} characters`);
  return value;
}

function resolveStrings(value: unknown): PageStrings {
  if (value === undefined) return { ...DEFAULT_PAGE_STRINGS };
  if (!isObject(value)) fail("pages.strings", "an object of strings by key");
  const strings: PageStrings = { ...DEFAULT_PAGE_STRINGS };
  for (const [key, text] of Object.entries(value)) {
    if (!isPageStringKey(key)) fail(`pages.strings.${key}`, "a known page string key (see DEFAULT_PAGE_STRINGS)");
    if (text === undefined) continue;
    strings[key] = optionalString(text, `pages.strings.${key}`, MAX_TEXT)!;
  }
  return strings;
}

/**
 * Validates the `pages` options once and returns the resolved, frozen settings. Bad colours and logo
 * URLs fall back to the defaults (no colour, no logo); values of the wrong type throw.
 * @throws {AuthConfigError} INVALID_CONFIG naming the option: not an object, a theme value or string
 * that is not a string (or too long), an unknown `strings` key, or a `lang` that is not a BCP 47 tag
 * @example resolvePagesOptions({ theme: { appName: "Acme", brandColor: "#e11d48" }, lang: "en-GB" })
 */
export function resolvePagesOptions(options?: PagesOptions): ResolvedPages {
  if (options !== undefined && !isObject(options)) fail("pages", "an object (or false)");
  const theme: unknown = options?.theme;
  if (theme !== undefined && !isObject(theme)) fail("pages.theme", "an object");
  const appName = optionalString(theme?.appName, "pages.theme.appName", 200)?.trim() ?? "";
  const logoValue = optionalString(theme?.logo, "pages.theme.logo", Number.MAX_SAFE_INTEGER);
  const brand = optionalString(theme?.brandColor, "pages.theme.brandColor", MAX_TEXT);
  const buttonText = optionalString(theme?.buttonText, "pages.theme.buttonText", MAX_TEXT);
  const css = optionalString(theme?.css, "pages.theme.css", MAX_CSS) ?? "";
  const lang = optionalString(options?.lang, "pages.lang", 64) ?? "en";
  if (!LANG.test(lang)) fail("pages.lang", 'a BCP 47 language tag such as "en" or "pt-BR"');
  const logo = logoValue === undefined ? null : safeLogo(logoValue);
  const brandColor = isCssColor(brand) ? brand : DEFAULT_BRAND_COLOR;
  const buttonColor = isCssColor(buttonText) ? buttonText : DEFAULT_BUTTON_TEXT;
  return Object.freeze({
    appName,
    logo: logo?.src ?? null,
    logoOrigin: logo?.origin ?? null,
    brandColor,
    buttonText: buttonColor,
    lang,
    dir: textDirection(lang),
    strings: Object.freeze(resolveStrings(options?.strings)),
    stylesheet: buildStylesheet(brandColor, buttonColor, css),
  });
}
