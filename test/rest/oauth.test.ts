/**
 * OAuth through the router against a local stand-in IdP: `GET|POST /auth/signin/:provider` and
 * `GET /auth/callback/:provider`, for browsers and JSON clients. Checklist: CS-02 (login CSRF),
 * OA-01 (state), OA-03 (provider binding), OA-04 (redirect_uri), OA-05 (post-login redirect),
 * OA-07 (failures), CS-04 (session fields).
 */
import { describe, expect, it } from "vitest";
import { AuthStatus, setStatusForUserBy } from "../../src/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { githubUser, googleUser, providersFor, tokenCalls, useMockIdp } from "../oauth/helpers.js";
import {
  type Agent,
  type RestApp,
  callbackPath,
  cookiePair,
  csrfOf,
  getSessionOf,
  postForm,
  postJson,
  restApp,
  sessionOf,
  startOAuth,
} from "./helpers.js";

const env = useTestEnv();
const mock = useMockIdp();
const OCTO = "octo@example.test";

function oauthRest(extra: Parameters<typeof restApp>[1] = {}): RestApp {
  githubUser(mock.idp, { id: 4242, login: "octo", name: "Octo Cat", email: OCTO });
  return restApp(env, { ...extra, config: { providers: providersFor(mock.idp), ...extra.config } });
}

/** A whole browser sign-in with GitHub: start (GET), consent, callback. Returns the callback answer. */
async function githubSignIn(agent: Agent, query = "", accept = "text/html") {
  const url = await startOAuth(agent, "github", query);
  return agent.get(await callbackPath(url, "github")).set("Accept", accept);
}

describe("GET /auth/providers with OAuth providers", () => {
  it("lists credentials and every configured provider in the Auth.js shape", async () => {
    const rest = oauthRest();
    const res = await rest.agent().get("/auth/providers");
    expect(res.status).toBe(200);
    const origin = `http://${res.request.url.split("/")[2]}`;
    expect(Object.keys(res.body).sort()).toEqual(["azure", "credentials", "github", "google", "keycloak"]);
    expect(res.body.github).toEqual({
      id: "github",
      name: "GitHub",
      type: "oauth",
      signinUrl: `${origin}/auth/signin/github`,
      // The redirect_uri registered at the provider, never one made from the Host header.
      callbackUrl: "http://127.0.0.1/oauth/github/callback",
    });
    expect(res.body.google).toMatchObject({ name: "Google", type: "oidc" });
    expect(res.body.azure).toMatchObject({ name: "Microsoft Entra ID", type: "oidc" });
    expect(res.body.keycloak).toMatchObject({ name: "Keycloak", type: "oidc" });
    for (const [id, entry] of Object.entries(res.body as Record<string, Record<string, unknown>>)) {
      expect(Object.keys(entry).sort()).toEqual(["callbackUrl", "id", "name", "signinUrl", "type"]);
      expect(entry.id).toBe(id);
    }
  });
});

describe("starting a flow: /auth/signin/:provider", () => {
  it("GET redirects a browser (303) to the IdP with state, S256 PKCE and the configured redirect_uri (OA-01, OA-04)", async () => {
    const rest = oauthRest({ trustProxy: true });
    const agent = rest.agent();
    const res = await agent
      .get("/auth/signin/google")
      .set("Host", "evil.test")
      .set("X-Forwarded-Host", "evil.test")
      .set("Accept", "text/html");
    expect(res.status).toBe(303);
    expect(res.headers["cache-control"]).toBe("no-store");
    const url = new URL(res.headers.location!);
    expect(`${url.origin}${url.pathname}`).toBe(`${mock.idp.url}/authorize`);
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1/oauth/google/callback");
  });

  it("GET answers {url} to a JSON client; POST with the token does the same, and a form POST redirects", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const viaGet = await agent.get("/auth/signin/github").set("Accept", "application/json");
    expect(viaGet.status).toBe(200);
    expect(Object.keys(viaGet.body)).toEqual(["url"]);
    expect(viaGet.body.url).toMatch(new RegExp(`^${mock.idp.url}/authorize\\?`));
    const viaPost = await postJson(agent, "/auth/signin/github");
    expect(viaPost.status).toBe(200);
    expect(new URL(viaPost.body.url).searchParams.get("state")).not.toBe(
      new URL(viaGet.body.url).searchParams.get("state"),
    );
    const viaForm = await postForm(agent, "/auth/signin/github");
    expect(viaForm.status).toBe(303);
    expect(viaForm.headers.location).toMatch(new RegExp(`^${mock.idp.url}/authorize\\?`));
  });

  it("CS-02: POST without the CSRF token is 403 with no redirect to the IdP, and starts no usable flow", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    await csrfOf(agent);
    const json = await agent.post("/auth/signin/github").set("Accept", "application/json").send({});
    expect(json.status).toBe(403);
    expect(json.body.error).toBe("CSRF_FAILED");
    expect(json.body.url).toBeUndefined();
    const form = await agent.post("/auth/signin/github").type("form").set("Accept", "text/html").send({});
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/signin?error=CSRF_FAILED");
    expect(form.headers.location).not.toContain(mock.idp.url);
    const wrong = await postJson(agent, "/auth/signin/github", { csrfToken: "x".repeat(43) });
    expect(wrong.status).toBe(403);
    expect(mock.idp.requests).toHaveLength(0);
  });

  it("an unknown provider is 404 UNKNOWN_PROVIDER (JSON) or the error page (browser), never a 500", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    for (const name of ["nope", "__proto__", "constructor", "toString", "hasOwnProperty", "credentials", "%00"]) {
      const json = await agent.get(`/auth/signin/${name}`).set("Accept", "application/json");
      expect(json.status, `${name}: ${json.text}`).toBe(404);
      expect(json.body.error).toBe("UNKNOWN_PROVIDER");
      const post = await postJson(agent, `/auth/signin/${name}`);
      // POST /signin/credentials is the password route: an empty body is a 4xx there, never an OAuth start.
      if (name === "credentials") expect(post.status, post.text).toBe(400);
      else expect(post.status, `${name}: ${post.text}`).toBe(404);
      const browser = await agent.get(`/auth/signin/${name}`).set("Accept", "text/html");
      expect(browser.status).toBe(303);
      expect(browser.headers.location).toBe("/auth/error?error=UNKNOWN_PROVIDER");
      const callback = await agent.get(`/auth/callback/${name}?code=c&state=s`).set("Accept", "application/json");
      expect(callback.status, `${name}: ${callback.text}`).toBe(404);
    }
    expect(mock.idp.requests).toHaveLength(0);
  });
});

describe("the callback: /auth/callback/:provider", () => {
  it("a browser completes the flow and lands on the callbackUrl given at sign-in", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const res = await githubSignIn(agent, "callbackUrl=%2Fdashboard%3Ftab%3D1");
    expect(res.status, res.text).toBe(303);
    expect(res.headers.location).toBe("/dashboard?tab=1");
    const view = await sessionOf(agent);
    expect(view).toMatchObject({ user: { email: OCTO, name: "Octo Cat", image: "https://avatars.test/u.png" } });
    expect(Object.keys(view!).sort()).toEqual(["expires", "user"]);
    expect(Object.keys(view!.user as object).sort()).toEqual(["email", "id", "image", "name", "roles"]);
    expect(await getSessionOf(agent)).toEqual(view);
    // No provider token reaches the browser.
    expect(JSON.stringify(view)).not.toMatch(/at-[0-9a-f]|rt-1/);
  });

  it("a JSON client gets {ok, url} with the callbackUrl given at a JSON sign-in", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const start = await postJson(agent, "/auth/signin/github", { callbackUrl: "/from-json" });
    const res = await agent
      .get(await callbackPath(new URL(start.body.url), "github"))
      .set("Accept", "application/json");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ ok: true, url: "/from-json" });
    expect((await sessionOf(agent))?.user).toMatchObject({ email: OCTO });
  });

  it("without a callbackUrl the browser lands on the default redirect", async () => {
    const rest = oauthRest({ config: { defaultRedirect: "/home" } });
    const res = await githubSignIn(rest.agent());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/home");
  });

  it("remember=1 at sign-in issues the remember-me cookie at the callback; without it none", async () => {
    const rest = oauthRest();
    const remembered = await githubSignIn(rest.agent(), "remember=1");
    expect(cookiePair(remembered, "remember_token")).toBeDefined();
    const plain = await githubSignIn(rest.agent());
    expect(cookiePair(plain, "remember_token")).toBeUndefined();
  });

  it("OA-01: a wrong state, a replay, or another browser's callback is refused before any token request", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const url = await startOAuth(agent, "github");
    const path = await callbackPath(url, "github");
    const tampered = path.replace(/state=[^&]+/, "state=forged");
    const wrong = await agent.get(tampered).set("Accept", "application/json");
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe("OAUTH_STATE_INVALID");
    const elsewhere = await rest.agent().get(path).set("Accept", "text/html");
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.location).toBe("/auth/error?error=OAUTH_STATE_INVALID");
    expect(tokenCalls(mock.idp)).toBe(0);
    expect(await sessionOf(agent)).toBeNull();

    const second = await startOAuth(agent, "github");
    const good = await callbackPath(second, "github");
    expect((await agent.get(good).set("Accept", "application/json")).status).toBe(200);
    const replay = await agent.get(good).set("Accept", "application/json");
    expect(replay.status).toBe(403);
    expect(tokenCalls(mock.idp)).toBe(1);
  });

  it("OA-03: a state minted for GitHub cannot complete the Google callback", async () => {
    const rest = oauthRest();
    googleUser(mock.idp, { sub: "g-1", email: OCTO });
    const agent = rest.agent();
    const url = await startOAuth(agent, "github");
    const path = (await callbackPath(url, "github")).replace("/callback/github", "/callback/google");
    const res = await agent.get(path).set("Accept", "application/json");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(tokenCalls(mock.idp)).toBe(0);
  });

  it("OA-07: provider error parameters are never reflected; a failed token exchange is a generic 4xx", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const url = await startOAuth(agent, "github");
    const state = url.searchParams.get("state")!;
    const hostile = "<script>alert(1)</script>";
    const res = await agent
      .get(
        `/auth/callback/github?state=${state}&error=${encodeURIComponent(hostile)}&error_description=${encodeURIComponent(hostile)}`,
      )
      .set("Accept", "text/html");
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/auth\/error\?error=[A-Z_]+$/);
    const page = await agent.get(res.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("<script");
    expect(page.text).not.toContain("alert(1)");

    mock.idp.tokenOverride = { status: 500, body: "upstream exploded: gho_secret" };
    const second = await startOAuth(agent, "github");
    const failed = await agent.get(await callbackPath(second, "github")).set("Accept", "application/json");
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(failed.status).toBeLessThan(500);
    expect(failed.text).not.toContain("gho_secret");
    expect(failed.text).not.toContain("exploded");
    expect(await sessionOf(agent)).toBeNull();
  });

  it("OA-07: a banned user who completes the flow is refused", async () => {
    const rest = oauthRest();
    expect((await githubSignIn(rest.agent())).status).toBe(303);
    const [row] = await env.db.db.select().from((await import("../../schema/index.js")).authSchema.accounts);
    await setStatusForUserBy(rest.config, { accountId: row!.id }, AuthStatus.Banned);
    const agent = rest.agent();
    const url = await startOAuth(agent, "github");
    const res = await agent.get(await callbackPath(url, "github")).set("Accept", "application/json");
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("USER_INACTIVE");
    expect(await sessionOf(agent)).toBeNull();
    expect(await getSessionOf(agent)).toBeNull();
  });

  it("the callback's redirect target is the one stored at sign-in, not a callbackUrl added to the callback", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const url = await startOAuth(agent, "github", "callbackUrl=%2Fstored");
    const path = await callbackPath(url, "github");
    const res = await agent
      .get(`${path}&callbackUrl=${encodeURIComponent("https://evil.test/")}`)
      .set("Accept", "text/html");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/stored");
  });
});

describe("the sign-in page's OAuth buttons", () => {
  it("are POST forms with the CSRF token, and the page's CSP lets those forms reach the IdP", async () => {
    const rest = oauthRest();
    const agent = rest.agent();
    const page = await agent.get("/auth/signin");
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/auth/signin/github"');
    // The GitHub button posts to the router, which answers 303 to the IdP; browsers apply the page's
    // form-action directive to that redirect too (see pageContentSecurityPolicy's formActionOrigins).
    const csp = page.headers["content-security-policy"] as string;
    const formAction = /form-action ([^;]+)/.exec(csp)?.[1] ?? "";
    const redirect = await postForm(agent, "/auth/signin/github", {
      csrfToken: /name="csrfToken" value="([^"]+)"/.exec(page.text)![1]!,
    });
    expect(redirect.status).toBe(303);
    const target = new URL(redirect.headers.location!).origin;
    expect(formAction.split(/\s+/)).toContain(target);
  });
});
