/**
 * Nothing slow on the hot path: an OIDC issuer that accepts connections and never answers stalls no
 * request but its own provider's, and those fail within the provider's `timeout` as OAUTH_PROVIDER_ERROR
 * (reason `network`). Discovery runs in the background from startup and is retried until it succeeds.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AuthConfig, resolveAuthConfig } from "../../src/config.js";
import { closeAuth } from "../../src/core/context.js";
import { AuthConfigError } from "../../src/errors.js";
import { useTestEnv } from "../helpers/setup.js";
import { consentPath, oauthApp, oidcUser, useMockIdp } from "../oauth/helpers.js";
import { type Agent, account, postJson, restApp, signIn, startOAuth } from "../rest/helpers.js";
import { type BlackHole, startBlackHole } from "./black-hole.js";
import { CLIENT_ID, CLIENT_SECRET, consent } from "./mock-idp.js";
import { startRoutesApp } from "./start-routes.js";

const env = useTestEnv();
const mock = useMockIdp();
let hole: BlackHole;
const configs: AuthConfig[] = [];
beforeEach(async () => {
  hole = await startBlackHole();
});
afterEach(async () => {
  // Stop the background retries of this test's providers, so they never reach a later test's servers.
  for (const config of configs.splice(0)) resolveAuthConfig(config).providers.close();
  await hole.close();
});

const client = (name: string) => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUri: `http://127.0.0.1/oauth/${name}/callback`,
  timeout: 300,
});
/** Providers whose OIDC issuer (discovery) is the black hole. */
const hanging = (): AuthConfig["providers"] => ({ oidc: { ...client("oidc"), issuer: hole.url } });
const track = <T extends AuthConfig>(config: T): T => (configs.push(config), config);

/** A provider failure that says the provider could not be reached (reason `network`). */
function expectNetwork(res: { status: number; text: string; body: Record<string, unknown> }): void {
  expect(res.status, res.text).toBe(400);
  expect(res.body.code ?? res.body.error, res.text).toBe("OAUTH_PROVIDER_ERROR");
  expect(res.body.message, res.text).toBe("The provider could not be reached (oidc)");
}

const LONG = 30_000;

describe("an OIDC issuer that accepts connections and never answers", () => {
  it("is contacted at startup, and a login and a signed-in GET /me answer meanwhile", { timeout: LONG }, async () => {
    const t = oauthApp(track(env.config({ providers: hanging() })));
    await vi.waitFor(() => expect(hole.connections).toBeGreaterThan(0), { timeout: 5_000 });
    const agent = t.agent();
    const reg = await agent.post("/register").send({ email: "pw@x.test", password: "correct horse battery staple" });
    expect(reg.status, reg.text).toBe(200);
    const login = await agent
      .post("/login")
      .timeout(10_000)
      .send({ email: "pw@x.test", password: "correct horse battery staple" });
    expect(login.status, login.text).toBe(200);
    const me = await agent.get("/me").timeout(10_000);
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ id: reg.body.id, email: "pw@x.test" });
    expect(t.errors).toEqual([]);
  });

  it("the router's credentials sign-in, session and provider list answer meanwhile", { timeout: LONG }, async () => {
    const rest = restApp(env, { config: { providers: hanging() } });
    track(rest.config);
    await account(rest);
    const agent = rest.agent();
    await signIn(agent);
    expect((await agent.get("/auth/session")).body).toMatchObject({ user: { email: "ada@example.test" } });
    const providers = await agent.get("/auth/providers");
    expect(Object.keys(providers.body).sort()).toEqual(["credentials", "oidc"]);
    const page = await agent.get("/auth/signin").set("Accept", "text/html");
    expect(page.status).toBe(200);
    expect(page.text).toContain("/auth/signin/oidc");
  });

  it("getAuthUrl() throws OAUTH_PROVIDER_ERROR at once; ready() and the callback methods fail after the timeout", async () => {
    const t = startRoutesApp(track(env.config({ providers: hanging() })));
    const agent = t.agent();
    expectNetwork(await agent.get("/sync-start/oidc"));
    expectNetwork(await agent.get("/ready-start/oidc").timeout(10_000));
    for (const path of ["callback", "userdata", "link-callback"])
      expectNetwork(await agent.get(`/oauth/oidc/${path}?code=c&state=s`).timeout(10_000));
    expect(t.errors).toEqual([]);
  });

  it(
    "GET and POST /auth/signin/oidc and GET /auth/callback/oidc fail after the timeout",
    { timeout: LONG },
    async () => {
      const rest = restApp(env, { config: { providers: hanging() } });
      track(rest.config);
      const agent: Agent = rest.agent();
      expectNetwork(await agent.get("/auth/signin/oidc").set("Accept", "application/json"));
      expectNetwork(await postJson(agent, "/auth/signin/oidc"));
      expectNetwork(await agent.get("/auth/callback/oidc?code=c&state=s").set("Accept", "application/json"));
    },
  );

  it("closeAuth() and server.close() are not held up while discovery hangs", { timeout: LONG }, async () => {
    const rest = restApp(env, { config: { providers: hanging() } });
    track(rest.config);
    const server = rest.app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/providers`);
    expect(res.status).toBe(200);
    await Promise.all([closeAuth(rest.config), new Promise((resolve) => server.close(resolve))]);
  });

  it(
    "a process whose issuer hangs exits on its own after closing its server and auth",
    { timeout: 60_000 },
    async () => {
      const fixture = fileURLToPath(new URL("./fixtures/exit-with-hanging-issuer.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", fixture, hole.url], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (out += chunk));
      const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
      const [code] = (await once(child, "exit")) as [number | null];
      clearTimeout(timer);
      expect(out).toContain("providers 200 credentials,oidc");
      expect(out).toContain("signin 400 OAUTH_PROVIDER_ERROR");
      expect(out).toContain("ended");
      expect(code, out).toBe(0);
    },
  );
});

describe("a provider endpoint that never answers after discovery succeeded", () => {
  const serveDiscovery = (endpoints: { token?: string; userinfo?: string }) =>
    mock.idp.json.set("/.well-known/openid-configuration", {
      issuer: mock.idp.url,
      authorization_endpoint: `${mock.idp.url}/authorize`,
      token_endpoint: endpoints.token ?? `${mock.idp.url}/token`,
      userinfo_endpoint: endpoints.userinfo ?? `${mock.idp.url}/oidc-userinfo`,
    });

  it.each(["token", "userinfo"] as const)("a hanging %s endpoint fails the callback as network", async (which) => {
    serveDiscovery({ [which]: `${hole.url}/${which}` });
    oidcUser(mock.idp, { sub: "h-1", email: "h@x.test", iss: mock.idp.url });
    const providers = {
      oidc: { ...client("oidc"), redirectUri: "http://127.0.0.1/auth/callback/oidc", issuer: mock.idp.url },
    };
    const rest = restApp(env, { config: { providers } });
    track(rest.config);
    const agent = rest.agent();
    const url = await startOAuth(agent, "oidc");
    const { code, state } = await consent(url);
    const res = await agent.get(`/auth/callback/oidc?code=${code}&state=${state}`).set("Accept", "application/json");
    expectNetwork(res);
    expect(hole.connections).toBeGreaterThan(0);
    expect((await agent.get("/auth/session")).body).toBeNull();
  });

  it("GitHub's API that never answers fails the callback as network", async () => {
    const endpoints = { authorization: `${mock.idp.url}/authorize`, token: `${mock.idp.url}/token`, api: hole.url };
    const t = oauthApp(track(env.config({ providers: { github: { ...client("github"), endpoints } } })));
    const agent = t.agent();
    const start = await agent.get("/oauth/github/start");
    const res = await agent.get(await consentPath(new URL(start.headers.location!)));
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({
      error: "OAUTH_PROVIDER_ERROR",
      message: "The provider could not be reached (github)",
    });
    expect(hole.connections).toBeGreaterThan(0);
  });
});

describe("background discovery", () => {
  it(
    "a discovery that failed at startup is retried, and the provider works once the issuer answers",
    { timeout: LONG },
    async () => {
      const discoveries = () => mock.idp.requests.filter((r) => r.path === "/.well-known/openid-configuration").length;
      const config = track(env.config({ providers: { oidc: { ...client("oidc"), issuer: mock.idp.url } } }));
      const t = startRoutesApp(config);
      await vi.waitFor(() => expect(discoveries()).toBeGreaterThanOrEqual(1), { timeout: 5_000 }); // a 404 for now
      const agent = t.agent();
      expectNetwork(await agent.get("/sync-start/oidc"));
      mock.idp.json.set("/.well-known/openid-configuration", {
        issuer: mock.idp.url,
        authorization_endpoint: `${mock.idp.url}/authorize`,
        token_endpoint: `${mock.idp.url}/token`,
        userinfo_endpoint: `${mock.idp.url}/oidc-userinfo`,
      });
      // getAuthUrl() never starts discovery itself: only the background retry can make this succeed.
      const start = await vi.waitFor(
        async () => {
          const res = await agent.get("/sync-start/oidc");
          expect(res.status).toBe(302);
          return res;
        },
        { timeout: 20_000, interval: 250 },
      );
      oidcUser(mock.idp, { sub: "bg-1", email: "bg@x.test", iss: mock.idp.url });
      const res = await agent.get(await consentPath(new URL(start.headers.location!)));
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ isNewUser: true });
      expect(discoveries()).toBeGreaterThanOrEqual(2);
    },
  );
});

describe("providers.<name>.timeout", () => {
  const withTimeout = (timeout: unknown) =>
    env.config({ providers: { oidc: { ...client("oidc"), issuer: hole.url, timeout } } as never });

  it.each([0, -5, "soon", "6m", 300_001, true])("refuses %j with an AuthConfigError naming the option", (timeout) => {
    expect(() => resolveAuthConfig(withTimeout(timeout))).toThrow(AuthConfigError);
    expect(() => resolveAuthConfig(withTimeout(timeout))).toThrow(
      /providers\.oidc\.timeout must be a positive duration/,
    );
  });

  it.each([1, "300ms", "10s", "5m"])("accepts %j", (timeout) => {
    const config = track(withTimeout(timeout));
    expect(resolveAuthConfig(config).providers.entries.has("oidc")).toBe(true);
  });
});
