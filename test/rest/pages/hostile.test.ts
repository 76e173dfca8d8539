import { describe, expect, it } from "vitest";
import { type PageData, resolvePagesOptions } from "../../../src/rest/pages/index.js";
import { PAGES, expectWellFormedPage, forms, hiddenValue, render, tags } from "./helpers.js";

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(1)>' style=x \` {name}`;

/** Every string field of PageData set to a hostile value. */
const HOSTILE: Partial<PageData> = {
  csrfToken: EVIL,
  callbackUrl: EVIL,
  error: EVIL,
  token: EVIL,
  email: EVIL,
  signedInEmail: EVIL,
  providers: [{ id: EVIL, name: EVIL }],
  methods: [{ type: "totp" }, { type: "email", maskedContact: EVIL }, { type: EVIL, maskedContact: EVIL }],
  totp: { qrSvg: `<svg onload="alert(1)"><script>alert(1)</script></svg>`, secret: EVIL, uri: `javascript:alert(1)` },
  backupCodes: [EVIL],
};

/** Markup with every quoted attribute value emptied: what remains is tags and text. */
function outsideAttributes(html: string): string {
  return html.replace(/"[^"]*"/g, '""');
}

const STATES: [string, Partial<PageData>][] = [
  ["without token or enrolment", { ...HOSTILE, token: undefined, totp: undefined, backupCodes: undefined }],
  ["with token", { ...HOSTILE, totp: undefined, backupCodes: undefined }],
  ["with an enrolment", { ...HOSTILE, backupCodes: undefined }],
  ["with everything", HOSTILE],
];

describe("renderPage() with hostile values", () => {
  for (const name of PAGES) {
    it.each(STATES)(`escapes every value on the ${name} page %s`, (_label, data) => {
      const { html, nonce } = render(name, data);
      expectWellFormedPage(html, nonce);
      const outside = outsideAttributes(html);
      expect(outside).not.toMatch(/<script|<img src=x|<svg/i);
      expect(html).not.toContain("javascript:");
      // The only tags are the page's own: no tag name comes from the data.
      for (const tag of tags(html))
        expect(tag.name).toMatch(
          /^(html|head|meta|title|style|body|header|img|span|main|h1|h2|p|a|form|input|div|label|button|section|ul|li|fieldset|legend|code)$/,
        );
    });
  }

  it("keeps a javascript: callbackUrl only as an escaped hidden value and percent-encoded in links", () => {
    const callbackUrl = "javascript:alert(document.cookie)";
    for (const name of PAGES) {
      const { html } = render(name, { callbackUrl, signedInEmail: "a@b.c", backupCodes: ["AAAA-BBBB"] });
      const literal = html.split("javascript:").length - 1;
      const hidden = forms(html).filter((f) => hiddenValue(f.tags, "callbackUrl") === callbackUrl).length;
      expect(literal, name).toBe(hidden);
      for (const a of tags(html, "a")) expect(a.attrs.href, name).not.toMatch(/^javascript:/i);
    }
  });

  it("sends the done link after backup codes to / when callbackUrl is not a safe URL", () => {
    const { html } = render("two-factor-setup", { backupCodes: ["AAAA-BBBB"], callbackUrl: "javascript:alert(1)" });
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual(["/"]);
  });

  it("percent-encodes a hostile provider id in the form action", () => {
    const { html } = render("signin", { providers: [{ id: "../x?y#z", name: "X" }] });
    expect(forms(html)[1]!.attrs.action).toBe("/auth/signin/..%2Fx%3Fy%23z");
  });

  it("does not fill placeholders found in values (no template injection)", () => {
    const pages = resolvePagesOptions({ strings: { signinWithProvider: "Sign in with {name} ({name})" } });
    const { html } = render("signin", { providers: [{ id: "x", name: "{name}{contact}" }] }, pages);
    expect(html).toContain("Sign in with {name}{contact} ({name}{contact})");
  });

  it("escapes hostile configured strings and app name", () => {
    const pages = resolvePagesOptions({
      theme: { appName: EVIL },
      strings: { signinTitle: EVIL, emailLabel: EVIL, errorCredentials: EVIL },
    });
    const { html, nonce } = render("signin", { error: "CredentialsSignin" }, pages);
    expectWellFormedPage(html, nonce);
    expect(outsideAttributes(html)).not.toMatch(/<script|<img src=x/i);
  });

  it("never shows an unknown error code, only the generic message", () => {
    const { html } = render("error", { error: "Some_Code<b>" });
    expect(html).not.toContain("Some_Code");
    expect(html).toContain("Something went wrong. Please try again.");
  });
});

describe("the page invariant checker", () => {
  const { html, nonce } = render("signin");

  it("rejects an event handler attribute", () => {
    expect(() => expectWellFormedPage(html.replace("<main>", '<main onclick="x()">'), nonce)).toThrow();
  });

  it("rejects a style attribute", () => {
    expect(() => expectWellFormedPage(html.replace("<main>", '<main style="color:red">'), nonce)).toThrow();
  });

  it("rejects an input without a label", () => {
    expect(() => expectWellFormedPage(html.replace('<label for="email">', "<label>"), nonce)).toThrow();
  });

  it("rejects a script element", () => {
    expect(() => expectWellFormedPage(html.replace("</main>", "<script></script></main>"), nonce)).toThrow();
  });
});
