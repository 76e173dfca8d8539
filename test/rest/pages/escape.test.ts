import { describe, expect, it } from "vitest";
import { errorMessage, escapeHtml, resolvePagesOptions, safeHref } from "../../../src/rest/pages/index.js";

describe("escapeHtml()", () => {
  it("escapes the characters that matter in text and quoted attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;",
    );
  });

  it("turns null and undefined into an empty string and other values into text", () => {
    expect(escapeHtml(null)).toBe("");
    expect(escapeHtml(undefined)).toBe("");
    expect(escapeHtml(42)).toBe("42");
  });

  it("escapes the ampersand of an entity already in the input", () => {
    expect(escapeHtml("&lt;")).toBe("&amp;lt;");
  });
});

describe("safeHref()", () => {
  it.each(["/", "/settings?tab=2#x", "https://app.example.com/x"])("keeps %s", (href) => {
    expect(safeHref(href, "/fallback")).toBe(href);
  });

  it.each([
    "javascript:alert(1)",
    " javascript:alert(1)",
    "//evil.test",
    "data:text/html,x",
    "/\\evil.test",
    "/a\nb",
    "",
    5,
  ])("replaces %j with the fallback", (href) => {
    expect(safeHref(href, "/fallback")).toBe("/fallback");
  });
});

describe("errorMessage()", () => {
  const pages = resolvePagesOptions();

  it.each([
    ["CredentialsSignin", "Incorrect email address or password."],
    ["OAUTH_STATE_INVALID", "Signing in with the provider didn't work. Please try again."],
    ["RATE_LIMITED", "Too many attempts. Wait a few minutes, then try again."],
    ["EMAIL_NOT_VERIFIED", "Confirm your email address first: open the link we sent you, then sign in."],
    ["CSRF_FAILED", "This form has expired. Reload the page and try again."],
    ["RESET_EXPIRED", "This link is invalid or has expired. Please request a new one."],
  ])("maps %s to its message", (code, message) => {
    expect(errorMessage(code, pages)).toBe(message);
  });

  it.each(["NOPE", "", "constructor", "__proto__", "toString", "<script>"])(
    "gives the generic message for the unknown code %j",
    (code) => {
      expect(errorMessage(code, pages)).toBe("Something went wrong. Please try again.");
    },
  );

  it("does not reveal whether an email is registered for EMAIL_TAKEN", () => {
    expect(errorMessage("EMAIL_TAKEN", pages)).not.toMatch(/already (exists|in use|registered)/i);
  });
});
