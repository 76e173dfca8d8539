/**
 * The built-in pages as the router serves them over HTTP: 200 HTML with a per-response CSP nonce, the
 * other security headers, no script of any kind, hostile query values escaped or dropped, and
 * `pages: false` leaving those paths to the app. (Rendering itself is tested in test/rest/pages/.)
 */
import { describe, expect, it } from "vitest";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADA,
  account,
  cookiePair,
  COOKIE,
  csrfOf,
  pageCsrf,
  postForm,
  postJson,
  restApp,
  sessionOf,
  signIn,
} from "./helpers.js";

const env = useTestEnv();

const PAGES = [
  "/auth/signin",
  "/auth/register",
  "/auth/verify-request",
  "/auth/reset",
  "/auth/two-factor",
  "/auth/two-factor/setup",
  "/auth/signout",
  "/auth/error",
];

function cspNonce(csp: string): string {
  return /style-src 'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
}

describe("every page", () => {
  it.each(PAGES)("GET %s: 200 HTML, CSP with a fresh nonce, no script, security headers", async (path) => {
    const rest = restApp(env);
    const agent = rest.agent();
    const res = await agent.get(path);
    expect(res.status, res.text).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src/);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    // Never to another site (TK-07); `same-origin` keeps the pages' own form posts from sending `Origin: null`.
    expect(["no-referrer", "same-origin"]).toContain(res.headers["referrer-policy"]);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text.replace(/"[^"]*"/g, '""')).not.toMatch(/\son[a-z]+\s*=/i);
    expect(res.text).not.toMatch(/javascript:/i);
    const nonce = cspNonce(csp);
    expect(nonce.length).toBeGreaterThanOrEqual(22);
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    const again = await agent.get(path);
    expect(cspNonce(again.headers["content-security-policy"] as string)).not.toBe(nonce);
    // Every form posts inside the router with this session's CSRF token.
    for (const m of res.text.matchAll(/<form\b[^>]*action="([^"]*)"/g)) expect(m[1]).toMatch(/^\/auth\//);
    if (res.text.includes("<form")) expect(pageCsrf(res.text)).toBe(await csrfOf(agent));
    const head = await agent.head(path);
    expect(head.status).toBe(200);
  });
});

describe("hostile query values", () => {
  const HOSTILE = [
    "error=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "error=CredentialsSignin%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "callbackUrl=javascript%3Aalert(1)",
    "callbackUrl=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "callbackUrl=%2F%22%3E%3Csvg%20onload%3Dalert(1)%3E",
    "token=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "notice=%3Cb%3Ehi%3C%2Fb%3E",
    "code=%3Cscript%3E",
    "error[]=a&error[]=b",
  ];

  it.each(PAGES)("%s renders them escaped or not at all", async (path) => {
    const rest = restApp(env);
    const agent = rest.agent();
    for (const query of HOSTILE) {
      const res = await agent.get(`${path}?${query}`);
      expect(res.status, `${path}?${query}`).toBe(200);
      expect(res.text, query).not.toMatch(/<(script|img|svg|b)\b/i);
      // Outside quoted attribute values there is no event handler.
      expect(res.text.replace(/"[^"]*"/g, '""'), query).not.toMatch(/\son[a-z]+\s*=/i);
      expect(res.text.toLowerCase(), query).not.toContain("javascript:");
    }
    // A same-origin path is kept, escaped, as the form's callbackUrl.
    const kept = await agent.get(`${path}?callbackUrl=${encodeURIComponent("/a?b=1&c=<2>")}`);
    expect(kept.text).not.toContain("<2>");
  });

  it("a known error code is shown as its message; the code itself is not echoed", async () => {
    const rest = restApp(env);
    const res = await rest.agent().get("/auth/signin?error=CredentialsSignin");
    expect(res.text).toMatch(/role="alert"/);
    const unknown = await rest.agent().get("/auth/error?error=SomethingMadeUp");
    expect(unknown.status).toBe(200);
    expect(unknown.text).not.toContain("SomethingMadeUp");
  });
});

describe("pages: false", () => {
  it("the page paths fall through to the app; the JSON API keeps working", async () => {
    const rest = restApp(env, { config: { pages: false } });
    await account(rest);
    const agent = rest.agent();
    for (const path of PAGES) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual({ fellThrough: true, method: "GET", path });
    }
    await signIn(agent);
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    expect((await postJson(agent, "/auth/signout")).status).toBe(200);
    // A browser form post still gets its redirect (to a path the app now owns).
    const form = await postForm(agent, "/auth/signin/credentials", { email: ADA, password: PASSWORD });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/");
  });

  it("the TOTP setup form post answers (no page to render) and does not hang", async () => {
    const rest = restApp(env, { config: { pages: false, twoFactor: { enabled: true } } });
    await account(rest);
    const agent = rest.agent();
    const res = await signIn(agent);
    expect(cookiePair(res, COOKIE)).toBeDefined();
    const setup = await postForm(agent, "/auth/two-factor/setup/totp");
    expect(setup.status).toBeLessThan(500);
  });
});
