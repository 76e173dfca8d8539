/**
 * Helpers for the page tests: a tiny tag reader for the pages' own markup (attributes are always
 * double-quoted and escaped, and every "<" in text is escaped, so a regex is enough), sample data, and
 * the invariants every rendered page must satisfy.
 */
import { expect } from "vitest";
import {
  type PageData,
  type PageName,
  type ResolvedPages,
  createPageNonce,
  renderPage,
  resolvePagesOptions,
} from "../../../src/rest/pages/index.js";

/** One start tag: its name, attributes (values unescaped) and the raw source. */
export interface Tag {
  name: string;
  attrs: Record<string, string>;
  source: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#96": "`" };

/** Reverses `escapeHtml`. */
export function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_, e: string) => ENTITIES[e]!);
}

/** Every start tag of the document, in order. */
export function tags(html: string, name?: string): Tag[] {
  const out: Tag[] = [];
  for (const match of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of match[2]!.matchAll(/\s+([^\s"'>/=]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = unescapeHtml(a[2] ?? "");
    const tagName = match[1]!.toLowerCase();
    if (!name || tagName === name) out.push({ name: tagName, attrs, source: match[0] });
  }
  return out;
}

/** The forms of a page, each with its own tags. */
export function forms(html: string): { attrs: Record<string, string>; inner: string; tags: Tag[] }[] {
  return [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)].map((m) => ({
    attrs: tags(m[0])[0]!.attrs,
    inner: m[1]!,
    tags: tags(m[1]!),
  }));
}

/** The value of the hidden input `name` in a form's tags. */
export function hiddenValue(formTags: Tag[], name: string): string | undefined {
  return formTags.find((t) => t.name === "input" && t.attrs.type === "hidden" && t.attrs.name === name)?.attrs.value;
}

/** The text of the element with `id` (first match, no nesting of the same tag inside). */
export function textOf(html: string, id: string): string | undefined {
  const m = new RegExp(`<([a-z0-9]+)[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? unescapeHtml(m[2]!.replace(/<[^>]+>/g, "")) : undefined;
}

/** The base data every page needs. */
export const BASE: PageData = { basePath: "/auth", csrfToken: "csrf-token-123" };

/** Data with every optional field set, for "renders with everything" tests. */
export const FULL: PageData = {
  ...BASE,
  callbackUrl: "/dashboard",
  error: "CredentialsSignin",
  notice: "verified",
  providers: [
    { id: "github", name: "GitHub" },
    { id: "google", name: "Google" },
  ],
  token: "tok.en-123",
  email: "ada@example.com",
  methods: [{ type: "totp" }, { type: "email", maskedContact: "a***@example.com" }, { type: "backup_code" }],
  totp: {
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    secret: "JBSWY3DPEHPK3PXPJBSWY3DP",
    uri: "otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme",
  },
  backupCodes: ["ABCD-EFGH-JKMN-PQRS", "0123-4567-89AB-CDEF"],
  signedInEmail: "ada@example.com",
};

/** Every page name. */
export const PAGES: PageName[] = [
  "signin",
  "register",
  "verify-request",
  "reset",
  "two-factor",
  "two-factor-setup",
  "signout",
  "error",
];

/** Renders with a fresh nonce and default options; returns the markup and the nonce. */
export function render(
  name: PageName,
  data: Partial<PageData> = {},
  pages: ResolvedPages = resolvePagesOptions(),
): { html: string; nonce: string; pages: ResolvedPages } {
  const nonce = createPageNonce();
  return { html: renderPage(name, { ...BASE, ...data }, pages, nonce), nonce, pages };
}

const FIELD_TYPES = new Set(["email", "password", "text", "checkbox", "radio"]);

/** The structural and security invariants every rendered page satisfies. */
export function expectWellFormedPage(html: string, nonce: string): void {
  expect(html).not.toMatch(/<script/i);
  const all = tags(html);
  // Outside quoted values no attribute is an event handler or a style attribute.
  for (const tag of all) {
    const bare = tag.source.replace(/"[^"]*"/g, '""');
    expect(bare, tag.source).not.toMatch(/\son[a-z]+\s*=/i);
    expect(bare, tag.source).not.toMatch(/\sstyle\s*=/i);
  }
  expect(all.find((t) => t.name === "html")?.attrs.lang).toMatch(/^[a-z]{2}/i);
  const styles = tags(html, "style");
  expect(styles).toHaveLength(1);
  expect(styles[0]!.attrs.nonce).toBe(nonce);
  expect(tags(html, "main")).toHaveLength(1);
  expect(tags(html, "h1")).toHaveLength(1);
  const ids = all.map((t) => t.attrs.id).filter((id): id is string => id !== undefined);
  expect(new Set(ids).size).toBe(ids.length);
  const labels = new Set(tags(html, "label").map((l) => l.attrs.for));
  const inputs = all.filter((t) => ["input", "select", "textarea"].includes(t.name) && t.attrs.type !== "hidden");
  for (const input of inputs) {
    expect(FIELD_TYPES.has(input.attrs.type ?? ""), input.source).toBe(true);
    expect(labels.has(input.attrs.id), `label for ${input.source}`).toBe(true);
  }
  const typed = inputs.filter((i) => !["checkbox", "radio"].includes(i.attrs.type!));
  const focused = all.filter((t) => "autofocus" in t.attrs);
  expect(focused.length).toBe(typed.length > 0 ? 1 : 0);
  if (typed.length > 0) expect(focused[0]).toBe(typed[0]);
  for (const button of tags(html, "button")) expect(button.attrs.type).toBe("submit");
  for (const form of forms(html)) {
    expect(form.attrs.method).toBe("post");
    expect(form.attrs.action).toMatch(/^\/auth\//);
    expect(hiddenValue(form.tags, "csrfToken")).toBeDefined();
  }
  for (const tag of all) {
    for (const attr of ["href", "src", "action"]) {
      const value = tag.attrs[attr];
      if (value !== undefined) expect(value, tag.source).toMatch(/^(\/(?!\/)|https:\/\/|data:image\/|otpauth:\/\/)/);
    }
  }
}
