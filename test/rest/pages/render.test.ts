import { describe, expect, it } from "vitest";
import {
  PAGE_NAMES,
  type PageData,
  type PageName,
  renderPage,
  resolvePagesOptions,
} from "../../../src/rest/pages/index.js";
import { FULL, PAGES, expectWellFormedPage, render, tags } from "./helpers.js";

const { totp: _totp, backupCodes: _codes, token: _token, ...fullWithoutStateData } = FULL;

/** Every state each page can be in: minimal data, all the data, and the states in between. */
const VARIANTS: [PageName, string, Partial<PageData>][] = [
  ...PAGES.map((p): [PageName, string, Partial<PageData>] => [p, "minimal data", {}]),
  ...PAGES.map((p): [PageName, string, Partial<PageData>] => [p, "every optional field", FULL]),
  ["verify-request", "a token", { token: "abc" }],
  ["verify-request", "the reset-sent notice and an email", { notice: "reset-sent", email: "a@b.c" }],
  ["reset", "a token", { token: "abc", error: "INVALID_PASSWORD" }],
  ["two-factor-setup", "a signed-in user", { signedInEmail: "a@b.c" }],
  ["two-factor-setup", "an enrolment in progress", { signedInEmail: "a@b.c", totp: FULL.totp! }],
  ["two-factor-setup", "backup codes", { backupCodes: FULL.backupCodes! }],
  ["two-factor", "only TOTP", { methods: [{ type: "totp" }] }],
  ["two-factor", "only a backup code", { methods: [{ type: "backupCode" }] }],
  ["two-factor", "SMS without a contact", { methods: [{ type: "sms" }, { type: "totp" }] }],
  ["signin", "no providers and an empty provider list", { providers: [] }],
  ["signout", "a signed-in user and no token or enrolment", fullWithoutStateData],
];

describe("renderPage()", () => {
  it.each(VARIANTS)("renders a well-formed, script-free %s page with %s", (name, _label, data) => {
    const { html, nonce } = render(name, data);
    expectWellFormedPage(html, nonce);
  });

  it("lists every page name in PAGE_NAMES", () => {
    expect([...PAGE_NAMES].sort()).toEqual([...PAGES].sort());
  });

  it("starts with a doctype and sets lang, dir, charset and viewport", () => {
    const { html } = render("signin");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('name="viewport"');
  });

  it("uses the configured lang and switches dir for right-to-left languages", () => {
    const { html } = render("signin", {}, resolvePagesOptions({ lang: "ar-EG" }));
    expect(html).toContain('<html lang="ar-EG" dir="rtl">');
  });

  it("throws INVALID_CONFIG for an unknown page name", () => {
    expect(() => renderPage("admin" as PageName, FULL, resolvePagesOptions(), "A".repeat(24))).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
  });

  it("throws INVALID_CONFIG for a prototype key as page name", () => {
    expect(() => renderPage("constructor" as PageName, FULL, resolvePagesOptions(), "A".repeat(24))).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
  });

  it.each(["", "short", "a b c d e f g h i j k l m n", "x'; script-src *; '".padEnd(30, "x"), "<>".repeat(12)])(
    "throws INVALID_CONFIG for the unusable nonce %j",
    (nonce) => {
      expect(() => renderPage("signin", FULL, resolvePagesOptions(), nonce)).toThrow(
        expect.objectContaining({ code: "INVALID_CONFIG" }),
      );
    },
  );

  it.each(["auth", "//evil.test", "javascript:alert(1)", "/a b", '/a"b'])(
    "throws INVALID_CONFIG for the basePath %j",
    (basePath) => {
      expect(() => render("signin", { basePath })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    },
  );

  it("accepts an empty basePath (router mounted at the root) and a trailing slash", () => {
    expect(tags(render("signin", { basePath: "" }).html, "form")[0]!.attrs.action).toBe("/signin/credentials");
    expect(tags(render("signin", { basePath: "/auth/" }).html, "form")[0]!.attrs.action).toBe(
      "/auth/signin/credentials",
    );
  });

  it("drops values of the wrong type instead of rendering them", () => {
    const data = { callbackUrl: ["/a", "/b"], email: { toString: () => "<b>" }, providers: "github" };
    const { html, nonce } = render("signin", data as unknown as Partial<PageData>);
    expectWellFormedPage(html, nonce);
    expect(html).not.toContain('name="callbackUrl"');
    expect(html).not.toContain("&lt;b&gt;");
  });

  it("titles the document with the page title and the app name", () => {
    const { html } = render("register", {}, resolvePagesOptions({ theme: { appName: "Acme" } }));
    expect(html).toContain("<title>Create an account · Acme</title>");
    expect(html).toContain("<header><span>Acme</span></header>");
  });

  it("renders no header without an app name or logo", () => {
    expect(render("signin").html).not.toContain("<header");
  });
});
