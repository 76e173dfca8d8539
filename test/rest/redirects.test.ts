/**
 * Open redirects (checklist OA-05, attack list §2.4): every value goes in as `callbackUrl` and must come
 * out as the default `/`, except `https://APP.test:443/ok` (same origin) and configured trusted origins.
 * The app is presented as `https://app.test` (Host header, X-Forwarded-Proto, `trust proxy`). Paths
 * covered: credentials sign-in (JSON `url`, form `Location`, the error redirect), sign-out, OAuth
 * (sign-in → callback), the second-factor hop, and the links and hidden fields of the pages.
 */
import type { Response } from "supertest";
import { describe, expect, it } from "vitest";
import { safeRedirect } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { githubUser, providersFor, useMockIdp } from "../oauth/helpers.js";
import { codeAt } from "../two-factor/helpers.js";
import {
  ADA,
  APP_HEADERS,
  APP_ORIGIN,
  type Agent,
  type RestApp,
  TWO_FACTOR,
  account,
  callbackPath,
  csrfOf,
  hiddenValues,
  linksOf,
  restApp,
  totpAccount,
} from "./helpers.js";

const env = useTestEnv();
const mock = useMockIdp();

/** Checklist §2.4, verbatim, plus the control-character reading of `/\t/` and `/\n/`. */
const ATTACKS = [
  "https://evil.test",
  "//evil.test",
  "///evil.test",
  "/\\evil.test",
  "\\\\evil.test",
  "/\\/evil.test",
  "https:evil.test",
  "https:/evil.test",
  "javascript:alert(1)",
  "data:text/html,x",
  "https://app.test.evil.test",
  "https://app.test@evil.test",
  "https://evil.test#@app.test",
  "/%2F%2Fevil.test",
  "%2F%2Fevil.test",
  "/\\t/evil.test",
  "/\\n/evil.test",
  "/\t/evil.test",
  "/\n/evil.test",
  "／／evil.test",
  "http://[::1",
  "%E0%A4%A",
];
/** More of the same family. */
const MORE = [
  " https://evil.test",
  "\thttps://evil.test",
  "/%5Cevil.test",
  "/%09/evil.test",
  "//evil.test@app.test",
  "http://app.test/ok",
  "https://app.test:8443/ok",
  "HTTPS://EVIL.TEST",
  "jAvAsCrIpT:alert(1)",
  "vbscript:msgbox(1)",
  "https://evil.test\\@app.test",
  "x".repeat(3000),
];
const HOSTILE = [...ATTACKS, ...MORE];
const SAME_ORIGIN = "https://APP.test:443/ok";

function expected(value: string): string {
  return value === SAME_ORIGIN ? "/ok" : "/";
}

/** The target of a redirect, resolved against the app's origin. */
function landing(location: string): URL {
  return new URL(location, `${APP_ORIGIN}/`);
}

function expectSafe(location: string, value: string): void {
  const url = landing(location);
  expect(url.origin, `${JSON.stringify(value)} → ${location}`).toBe(APP_ORIGIN);
  expect(location, JSON.stringify(value)).toBe(expected(value));
}

function oauthApp(extra: Parameters<typeof restApp>[1] = {}): RestApp {
  githubUser(mock.idp, { id: 99, email: "octo@example.test" });
  return restApp(env, {
    trustProxy: true,
    ...extra,
    config: { providers: providersFor(mock.idp), ...extra.config },
  });
}

function post(agent: Agent, path: string, body: Record<string, unknown>, form: boolean): Promise<Response> {
  const req = agent.post(path).set(APP_HEADERS).set("Origin", APP_ORIGIN);
  return (form
    ? req
        .type("form")
        .set("Accept", "text/html")
        .send(body as Record<string, string>)
    : req.set("Accept", "application/json").send(body)) as unknown as Promise<Response>;
}

describe("safeRedirect on the §2.4 list (OA-05)", () => {
  it.each([...HOSTILE, SAME_ORIGIN].map((v) => [JSON.stringify(v).slice(0, 60), v]))("%s", (_label, value) => {
    expect(safeRedirect(value, APP_ORIGIN, new Set(), "/")).toBe(expected(value));
  });

  it("never throws and falls back for non-strings", () => {
    for (const value of [undefined, null, 1, {}, ["/x"], { toString: () => "/x" }, ""])
      expect(safeRedirect(value, APP_ORIGIN, new Set(), "/fallback")).toBe("/fallback");
  });
});

describe("every §2.4 value through the router ends on the default (OA-05)", () => {
  it.each([...HOSTILE, SAME_ORIGIN].map((v) => [JSON.stringify(v).slice(0, 60), v]))(
    "%s",
    { timeout: 90_000 },
    async (_label, value) => {
      const rest = oauthApp();
      await account(rest);

      // Credentials sign-in, JSON and form.
      for (const form of [false, true]) {
        const agent = rest.agent();
        const token = await csrfOf(agent);
        const res = await post(
          agent,
          "/auth/signin/credentials",
          { csrfToken: token, email: ADA, password: PASSWORD, callbackUrl: value },
          form,
        );
        expect(res.status, res.text).toBe(form ? 303 : 200);
        expectSafe(form ? res.headers.location! : res.body.url, value);
        // Sign-out with the value in the body, and in the query string.
        const fresh = await csrfOf(agent);
        const out = await post(agent, "/auth/signout", { csrfToken: fresh, callbackUrl: value }, form);
        expect(out.status, out.text).toBe(form ? 303 : 200);
        expectSafe(form ? out.headers.location! : out.body.url, value);
        const again = await csrfOf(agent);
        const viaQuery = await post(
          agent,
          `/auth/signout?callbackUrl=${encodeURIComponent(value)}`,
          { csrfToken: again },
          form,
        );
        expectSafe(form ? viaQuery.headers.location! : viaQuery.body.url, value);
      }

      // A failed form sign-in goes back to the sign-in page; the callbackUrl it carries is the safe one.
      const failing = rest.agent();
      const bad = await post(
        failing,
        "/auth/signin/credentials",
        { csrfToken: await csrfOf(failing), email: ADA, password: "wrong horse battery", callbackUrl: value },
        true,
      );
      expect(bad.status).toBe(303);
      const back = landing(bad.headers.location!);
      expect(back.origin).toBe(APP_ORIGIN);
      expect(back.pathname).toBe("/auth/signin");
      expect(back.searchParams.get("callbackUrl")).toBe(value === SAME_ORIGIN ? "/ok" : null);

      // OAuth: the value given at sign-in decides where the callback lands.
      const browser = rest.agent();
      const start = await browser
        .get(`/auth/signin/github?callbackUrl=${encodeURIComponent(value)}`)
        .set(APP_HEADERS)
        .set("Accept", "text/html");
      expect(start.status, start.text).toBe(303);
      const done = await browser
        .get(await callbackPath(new URL(start.headers.location!), "github"))
        .set(APP_HEADERS)
        .set("Accept", "text/html");
      expect(done.status, done.text).toBe(303);
      expectSafe(done.headers.location!, value);

      // The pages: hidden callbackUrl fields and links carry only the safe value.
      for (const page of ["signin", "register", "reset", "two-factor", "signout", "error"]) {
        const res = await rest
          .agent()
          .get(`/auth/${page}?callbackUrl=${encodeURIComponent(value)}`)
          .set(APP_HEADERS);
        expect(res.status, `${page}: ${res.text.slice(0, 200)}`).toBe(200);
        for (const hidden of hiddenValues(res.text, "callbackUrl")) expect(hidden, page).toBe(expected(value));
        for (const link of linksOf(res.text)) {
          expect(landing(link).origin, `${page}: ${link}`).toBe(APP_ORIGIN);
          const carried = landing(link).searchParams.get("callbackUrl");
          if (carried !== null) expect(carried, `${page}: ${link}`).toBe(expected(value));
        }
        expect(res.text).not.toContain("evil.test");
        expect(res.text.toLowerCase()).not.toContain("javascript:");
      }
    },
  );
});

describe("the second-factor hop keeps only a safe callbackUrl (OA-05, MF-08)", () => {
  it.each([
    ["https://evil.test", "/"],
    ["//evil.test", "/"],
    ["/next?a=1", "/next?a=1"],
    [SAME_ORIGIN, "/ok"],
  ])("%s", { timeout: 60_000 }, async (value, target) => {
    const rest = oauthApp({ config: TWO_FACTOR });
    const { secret } = await totpAccount(rest, env);
    for (const form of [false, true]) {
      const agent = rest.agent();
      const first = await post(
        agent,
        "/auth/signin/credentials",
        { csrfToken: await csrfOf(agent), email: ADA, password: PASSWORD, callbackUrl: value },
        form,
      );
      const hop = form ? first.headers.location! : (first.body.url as string);
      expect(first.status).toBe(form ? 303 : 401);
      expect(hop).toBe(`/auth/two-factor?callbackUrl=${encodeURIComponent(target)}`);
      const page = await agent.get(hop).set(APP_HEADERS);
      expect(hiddenValues(page.text, "callbackUrl")).toEqual([target]);
      const csrf = hiddenValues(page.text, "csrfToken")[0]!;
      const second = await post(
        agent,
        "/auth/two-factor/verify",
        { csrfToken: csrf, method: "totp", code: codeAt(secret, env.clock.now()), callbackUrl: value },
        form,
      );
      expect(second.status, second.text).toBe(form ? 303 : 200);
      expect(form ? second.headers.location : second.body.url).toBe(target);
      env.clock.advance(30_000);
    }
  });
});

describe("configured redirects", () => {
  it("a trustedOrigins entry may be the callbackUrl; look-alikes of it may not", async () => {
    const rest = oauthApp({ config: { trustedOrigins: ["https://partner.test"] } });
    await account(rest);
    const cases: [string, string][] = [
      ["https://partner.test/welcome?x=1#y", "https://partner.test/welcome?x=1#y"],
      ["https://PARTNER.test:443/a", "https://partner.test/a"],
      ["https://partner.test.evil.test/", "/"],
      ["https://partner.test@evil.test/", "/"],
      ["https://user:pw@partner.test/", "/"],
      ["http://partner.test/", "/"],
      ["//partner.test/", "/"],
    ];
    for (const [value, target] of cases) {
      const agent = rest.agent();
      const res = await post(
        agent,
        "/auth/signin/credentials",
        { csrfToken: await csrfOf(agent), email: ADA, password: PASSWORD, callbackUrl: value },
        true,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location, value).toBe(target);
      // The OAuth callback honours the trusted origin too.
      const browser = rest.agent();
      const start = await browser
        .get(`/auth/signin/github?callbackUrl=${encodeURIComponent(value)}`)
        .set(APP_HEADERS)
        .set("Accept", "text/html");
      const done = await browser
        .get(await callbackPath(new URL(start.headers.location!), "github"))
        .set(APP_HEADERS)
        .set("Accept", "text/html");
      expect(done.headers.location, value).toBe(target);
    }
  });

  it("register, verify-email, forgot and reset go to fixed router pages whatever callbackUrl says", async () => {
    const rest = oauthApp();
    await account(rest);
    const hostile = "https://evil.test/";
    const steps: [string, Record<string, unknown>, string][] = [
      ["/auth/register", { email: "new@example.test", password: PASSWORD }, "/auth/verify-request"],
      ["/auth/verify-email", { token: "unknown" }, "/auth/verify-request?error=INVALID_TOKEN"],
      ["/auth/password/forgot", { email: ADA }, "/auth/verify-request?notice=reset-sent"],
      ["/auth/password/reset", { token: "unknown", password: PASSWORD }, "/auth/reset?error=INVALID_TOKEN"],
      ["/auth/register", { email: "bad", password: PASSWORD }, "/auth/register?error=INVALID_EMAIL"],
    ];
    for (const [path, body, target] of steps) {
      for (const form of [false, true]) {
        const agent = rest.agent();
        const res = await post(agent, path, { ...body, csrfToken: await csrfOf(agent), callbackUrl: hostile }, form);
        if (form) expect(res.headers.location, path).toBe(target);
        else if (res.status === 200) expect(res.body.url, path).toBe(target.split("?error")[0]);
        expect(res.text, path).not.toContain("evil.test");
      }
    }
  });

  it("defaultRedirect replaces / as the fallback", async () => {
    const rest = oauthApp({ config: { defaultRedirect: "/home" } });
    await account(rest);
    for (const value of ["https://evil.test", "//evil.test", undefined]) {
      const agent = rest.agent();
      const res = await post(
        agent,
        "/auth/signin/credentials",
        { csrfToken: await csrfOf(agent), email: ADA, password: PASSWORD, ...(value ? { callbackUrl: value } : {}) },
        false,
      );
      expect(res.body.url).toBe("/home");
    }
  });

  it("without trust proxy, X-Forwarded-Proto and X-Forwarded-Host do not widen the same-origin check", async () => {
    const rest = restApp(env);
    await account(rest);
    const agent = rest.agent();
    const csrfToken = await csrfOf(agent);
    const res = await agent
      .post("/auth/signin/credentials")
      .set("X-Forwarded-Host", "evil.test")
      .set("X-Forwarded-Proto", "https")
      .set("Accept", "application/json")
      .send({ csrfToken, email: ADA, password: PASSWORD, callbackUrl: "https://evil.test/x" });
    expect(res.status).toBe(200);
    expect(res.body.url).toBe("/");
  });
});
