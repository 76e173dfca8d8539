/**
 * What a page shows: the names of the pages and the data the router hands to {@link renderPage}, and
 * its normalisation (values of the wrong type are dropped, so a stray array from a query string
 * cannot reach the markup).
 */
import { AuthConfigError } from "../../errors.js";

/** The built-in pages. */
export type PageName =
  "signin" | "register" | "verify-request" | "reset" | "two-factor" | "two-factor-setup" | "signout" | "error";

/** Banners a page can show after a redirect. */
export type PageNotice = "verified" | "reset-done" | "reset-sent" | "registered" | "signed-out";

/** The data of one rendering. Every value is escaped; none is trusted. */
export interface PageData {
  /** Where the router is mounted, e.g. `/auth` ("" at the root). Form actions and links start with it. */
  basePath: string;
  /** The session's CSRF token, sent back in every form as `csrfToken`. */
  csrfToken: string;
  /** Carried through every form as a hidden field (the router validates it when it redirects). */
  callbackUrl?: string;
  /** An error code (`CredentialsSignin`, `RATE_LIMITED`, …), shown as its localised message, never verbatim. */
  error?: string;
  /** A banner to show. */
  notice?: PageNotice;
  /** OAuth providers for the sign-in page: one button each. */
  providers?: { id: string; name: string; logo?: string }[];
  /** A token from an emailed link (confirm email, reset password), sent back as a hidden field. */
  token?: string;
  /** An email address to prefill or mention. */
  email?: string;
  /** The second-factor methods of a pending sign-in: `totp`, `email`, `sms`, `backup_code` (or `backupCode`). */
  methods?: { type: string; maskedContact?: string }[];
  /** An authenticator enrolment in progress: the QR code (SVG from `qrcode`), the secret and its URI. */
  totp?: { qrSvg: string; secret: string; uri: string };
  /** Freshly generated backup codes, shown once. */
  backupCodes?: string[];
  /** The signed-in account's email, on pages for signed-in users. */
  signedInEmail?: string;
}

const NOTICES: ReadonlySet<string> = new Set(["verified", "reset-done", "reset-sent", "registered", "signed-out"]);
const MAX_VALUE = 4096;
const MAX_SVG = 500_000;
// A path of URL characters only, not "//" (protocol-relative), no trailing slash.
const BASE_PATH = /^(?:\/(?!\/)[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_VALUE ? value : undefined;
}

function list<T>(value: unknown, pick: (item: Record<string, unknown>) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value) {
    const picked = typeof item === "object" && item !== null ? pick(item as Record<string, unknown>) : undefined;
    if (picked !== undefined) out.push(picked);
  }
  return out;
}

/**
 * Checks `basePath` and drops values of the wrong type or absurd size from `data`. @internal
 * @throws {AuthConfigError} INVALID_CONFIG when `basePath` is not "" or a path starting with one "/"
 */
export function normalizePageData(data: PageData): PageData {
  const basePath = typeof data.basePath === "string" ? data.basePath.replace(/\/+$/, "") : null;
  if (basePath === null || !BASE_PATH.test(basePath))
    throw new AuthConfigError('Invalid page data: basePath must be "" or a path such as "/auth"');
  const totp = data.totp;
  const qrSvg = typeof totp?.qrSvg === "string" && totp.qrSvg.length <= MAX_SVG ? totp.qrSvg : undefined;
  const secret = text(totp?.secret);
  const uri = typeof totp?.uri === "string" ? totp.uri : "";
  const out: PageData = { basePath, csrfToken: typeof data.csrfToken === "string" ? data.csrfToken : "" };
  const strings = { callbackUrl: data.callbackUrl, error: data.error, token: data.token, email: data.email };
  for (const [key, value] of Object.entries(strings)) {
    const kept = text(value);
    if (kept !== undefined) out[key as keyof typeof strings] = kept;
  }
  const signedInEmail = text(data.signedInEmail);
  if (signedInEmail !== undefined) out.signedInEmail = signedInEmail;
  if (typeof data.notice === "string" && NOTICES.has(data.notice)) out.notice = data.notice;
  const providers = list(data.providers, (p) => {
    const id = text(p.id);
    const name = text(p.name);
    const logo = typeof p.logo === "string" && /^https?:\/\//.test(p.logo) ? text(p.logo) : undefined;
    if (id === undefined || name === undefined) return undefined;
    return logo === undefined ? { id, name } : { id, name, logo };
  });
  if (providers) out.providers = providers;
  const methods = list(data.methods, (m) => {
    const type = text(m.type);
    const maskedContact = text(m.maskedContact);
    if (type === undefined) return undefined;
    return maskedContact === undefined ? { type } : { type, maskedContact };
  });
  if (methods) out.methods = methods;
  if (qrSvg !== undefined && secret !== undefined) out.totp = { qrSvg, secret, uri };
  if (Array.isArray(data.backupCodes))
    out.backupCodes = data.backupCodes.filter((c): c is string => text(c) !== undefined);
  return out;
}
