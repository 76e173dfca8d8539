import { createHash } from "node:crypto";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import {
  createPageNonce,
  pageContentSecurityPolicy,
  pageSecurityHeaders,
  resolvePagesOptions,
} from "../../../src/rest/pages/index.js";
import { expectWellFormedPage, render, tags } from "./helpers.js";

/** The directives of a policy, by name. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
}

describe("pageSecurityHeaders()", () => {
  it("sends a strict CSP and the hardening headers", () => {
    const nonce = createPageNonce();
    expect(pageSecurityHeaders(nonce, resolvePagesOptions())).toEqual({
      "Content-Security-Policy": `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "Cache-Control": "no-store",
      "X-Frame-Options": "DENY",
    });
  });

  it("allows the nonce of the page's one style element and nothing else for styles or scripts", () => {
    const { html, nonce, pages } = render("signin");
    const policy = directives(pageSecurityHeaders(nonce, pages)["Content-Security-Policy"]!);
    expect(policy["style-src"]).toEqual([`'nonce-${tags(html, "style")[0]!.attrs.nonce}'`]);
    expect(policy["default-src"]).toEqual(["'none'"]);
    expect(policy["script-src"]).toBeUndefined();
  });

  it("adds a remote logo's origin to img-src", () => {
    const pages = resolvePagesOptions({ theme: { logo: "https://cdn.example.com:8443/l.png" } });
    const policy = directives(pageContentSecurityPolicy(createPageNonce(), pages));
    expect(policy["img-src"]).toEqual(["'self'", "data:", "https://cdn.example.com:8443"]);
  });

  it("adds form-action origins (OAuth providers, trusted callbacks) and ignores junk", () => {
    const policy = directives(
      pageContentSecurityPolicy(createPageNonce(), resolvePagesOptions(), {
        formActionOrigins: [
          "https://github.com/login/oauth/authorize",
          "https://github.com",
          "'unsafe-inline'",
          "javascript:x",
          "x; script-src *",
        ],
      }),
    );
    expect(policy["form-action"]).toEqual(["'self'", "https://github.com"]);
    expect(policy["script-src"]).toBeUndefined();
  });

  it("throws INVALID_CONFIG for a nonce that could inject into the policy", () => {
    expect(() => pageSecurityHeaders("abc'; script-src *; 'x".padEnd(40, "a"), resolvePagesOptions())).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
  });
});

describe("createPageNonce()", () => {
  it("returns 128 random bits in base64, different each time", () => {
    const a = createPageNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(createPageNonce()).not.toBe(a);
  });
});

describe("the style block", () => {
  it("carries the same nonce as the CSP and is the only place CSS lives", () => {
    const { html, nonce, pages } = render("two-factor-setup", { signedInEmail: "a@b.c" });
    const csp = pageSecurityHeaders(nonce, pages)["Content-Security-Policy"]!;
    const style = /<style nonce="([^"]+)">([\s\S]*?)<\/style>/.exec(html)!;
    expect(csp).toContain(`'nonce-${style[1]}'`);
    expect(style[2]).toBe(pages.stylesheet);
    expect(html.match(/<style/g)).toHaveLength(1);
  });

  it("is identical for every page of one config (a stable sha256, should a proxy want hashes)", () => {
    const pages = resolvePagesOptions({ theme: { brandColor: "#123456" } });
    const hashOf = (html: string) =>
      createHash("sha256")
        .update(/<style[^>]*>([\s\S]*?)<\/style>/.exec(html)![1]!)
        .digest("base64");
    expect(hashOf(render("signin", {}, pages).html)).toBe(hashOf(render("register", {}, pages).html));
  });

  it("sets brand colours as custom properties, never as style attributes", () => {
    const pages = resolvePagesOptions({ theme: { brandColor: "#e11d48", buttonText: "#000" } });
    const { html } = render("signin", {}, pages);
    expect(html).toContain(":root{color-scheme:light dark;--brand:#e11d48;--button-text:#000;");
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("has a visible focus style", () => {
    expect(resolvePagesOptions().stylesheet).toMatch(/:focus-visible\{outline:3px solid/);
  });
});

describe("a real QR code from the qrcode package", () => {
  it("embeds as a data: image that the CSP's img-src data: allows", async () => {
    const uri = "otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme";
    const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1 });
    const { html, nonce, pages } = render("two-factor-setup", { totp: { qrSvg, secret: "JBSWY3DPEHPK3PXP", uri } });
    expectWellFormedPage(html, nonce);
    const src = tags(html, "img")[0]!.attrs.src!;
    expect(Buffer.from(src.slice("data:image/svg+xml;base64,".length), "base64").toString()).toBe(qrSvg);
    expect(directives(pageContentSecurityPolicy(nonce, pages))["img-src"]).toContain("data:");
  });
});
