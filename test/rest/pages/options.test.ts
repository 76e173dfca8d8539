import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAGE_STRINGS,
  type PagesOptions,
  isCssColor,
  resolvePagesOptions,
  safeLogo,
} from "../../../src/rest/pages/index.js";
import { render, tags } from "./helpers.js";

const invalid = (options: unknown) => () => resolvePagesOptions(options as PagesOptions);

describe("resolvePagesOptions()", () => {
  it("returns frozen English defaults without options", () => {
    const pages = resolvePagesOptions();
    expect(pages).toMatchObject({ appName: "", logo: null, logoOrigin: null, brandColor: "#346df1", lang: "en" });
    expect(pages.strings).toEqual(DEFAULT_PAGE_STRINGS);
    expect(Object.isFrozen(pages)).toBe(true);
  });

  it.each<[unknown, string]>([
    [null, "pages"],
    ["dark", "pages"],
    [{ theme: [] }, "pages.theme"],
    [{ theme: { appName: 1 } }, "pages.theme.appName"],
    [{ theme: { logo: {} } }, "pages.theme.logo"],
    [{ theme: { brandColor: 0xff0000 } }, "pages.theme.brandColor"],
    [{ theme: { buttonText: true } }, "pages.theme.buttonText"],
    [{ theme: { css: ["a{}"] } }, "pages.theme.css"],
    [{ lang: 1 }, "pages.lang"],
    [{ lang: "en_US" }, "pages.lang"],
    [{ lang: '" onload="x' }, "pages.lang"],
    [{ strings: "x" }, "pages.strings"],
    [{ strings: { signinTitel: "Typo" } }, "pages.strings.signinTitel"],
    [{ strings: { __proto__: null, constructor: "x" } }, "pages.strings.constructor"],
    [{ strings: { signinTitle: 5 } }, "pages.strings.signinTitle"],
  ])("throws INVALID_CONFIG naming the option for %j", (options, option) => {
    expect(invalid(options)).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    expect(invalid(options)).toThrow(option);
  });

  it("overrides single strings and keeps the others", () => {
    const pages = resolvePagesOptions({
      strings: { signinTitle: "Anmelden", signinWithProvider: "Mit {name} anmelden" },
    });
    expect(pages.strings.signinTitle).toBe("Anmelden");
    expect(pages.strings.signinButton).toBe("Sign in");
    const { html } = render("signin", { providers: [{ id: "gh", name: "GitHub" }] }, pages);
    expect(html).toContain("<h1>Anmelden</h1>");
    expect(html).toContain(">Mit GitHub anmelden</button>");
  });

  it("overrides error messages through their string keys", () => {
    const pages = resolvePagesOptions({ strings: { errorRateLimited: "Langsam!" } });
    expect(render("error", { error: "RATE_LIMITED" }, pages).html).toContain('role="alert">Langsam!</p>');
  });

  it("puts valid colours into the stylesheet as custom properties", () => {
    const pages = resolvePagesOptions({ theme: { brandColor: "rgb(225, 29, 72)", buttonText: "black" } });
    expect(pages.stylesheet).toContain("--brand:rgb(225, 29, 72);--button-text:black;");
  });

  it("falls back to the default colours for values that are not plain CSS colours", () => {
    const pages = resolvePagesOptions({ theme: { brandColor: "red;}body{display:none", buttonText: "url(x)" } });
    expect(pages.brandColor).toBe("#346df1");
    expect(pages.buttonText).toBe("#fff");
    expect(pages.stylesheet).not.toContain("display:none");
  });

  it("appends theme.css and neutralises '<' so it cannot close the style element", () => {
    const pages = resolvePagesOptions({ theme: { css: "h1{color:red}</style><script>alert(1)</script>" } });
    const { html } = render("signin", {}, pages);
    expect(pages.stylesheet).toContain("h1{color:red}");
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).not.toContain("<script");
  });

  it("shows a valid logo in the header, decorative next to the app name", () => {
    const pages = resolvePagesOptions({ theme: { appName: "Acme", logo: "https://cdn.example.com/logo.svg" } });
    const [img] = tags(render("signin", {}, pages).html, "img");
    expect(img!.attrs).toEqual({ src: "https://cdn.example.com/logo.svg", alt: "" });
    expect(pages.logoOrigin).toBe("https://cdn.example.com");
  });

  it("gives a lone logo the logoAlt text", () => {
    const [img] = tags(render("signin", {}, resolvePagesOptions({ theme: { logo: "/logo.png" } })).html, "img");
    expect(img!.attrs.alt).toBe("Logo");
  });

  it("drops a javascript: logo", () => {
    const pages = resolvePagesOptions({ theme: { logo: "javascript:alert(1)" } });
    expect(pages.logo).toBeNull();
    const { html } = render("signin", {}, pages);
    expect(html).not.toContain("javascript");
    expect(tags(html, "img")).toHaveLength(0);
  });
});

describe("safeLogo()", () => {
  it.each([
    ["https://cdn.example.com/a.png", "https://cdn.example.com"],
    ["http://localhost:3000/a.png", "http://localhost:3000"],
    ["http://127.0.0.1/a.png", "http://127.0.0.1"],
    ["/static/logo.png", null],
    ["data:image/png;base64,iVBORw0KGgo=", null],
    ["data:image/svg+xml,%3Csvg%2F%3E", null],
  ])("accepts %s", (url, origin) => {
    expect(safeLogo(url)?.origin).toBe(origin);
  });

  it.each([
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "http://example.com/a.png",
    "//evil.test/a.png",
    "data:text/html,<script>alert(1)</script>",
    "https://user:pw@example.com/a.png",
    "https://exa\nmple.com/a.png",
    "vbscript:x",
    "logo.png",
    "",
  ])("rejects %j", (url) => {
    expect(safeLogo(url)).toBeNull();
  });
});

describe("isCssColor()", () => {
  it.each([
    "#fff",
    "#FFFA",
    "#1a2b3c",
    "#1a2b3c80",
    "rgb(1,2,3)",
    "rgba(1, 2, 3, 0.5)",
    "rgb(1 2 3 / 50%)",
    "rebeccapurple",
  ])("accepts %s", (color) => {
    expect(isCssColor(color)).toBe(true);
  });

  it.each(["#ffff1", "red;", "expression(alert(1))", "var(--x)", "rgb(1,2)", "url(x)", "#fff}", "", "a b"])(
    "rejects %j",
    (color) => {
      expect(isCssColor(color)).toBe(false);
    },
  );
});
