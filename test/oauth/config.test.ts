/** The `providers` section is checked when the middleware is created: AuthConfigError (INVALID_CONFIG) naming the option. */
import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { resolveAuthConfig } from "../../src/config.js";
import { AuthConfigError } from "../../src/errors.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { useTestEnv } from "../helpers/setup.js";
import { CLIENT_ID, CLIENT_SECRET } from "../providers/mock-idp.js";
import { call, githubUser, oauthApp, providersFor, signInWith, useMockIdp } from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const client = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: "https://app.test/cb" };
const endpoints = { authorization: "https://idp.test/authorize", token: "https://idp.test/token" };

/** The AuthConfigError that creating the middleware throws for this providers section (or null). */
function configError(providers: unknown): AuthConfigError | null {
  const config = env.config({ providers: providers as AuthConfig["providers"] });
  try {
    createAuthMiddleware(config);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AuthConfigError);
    expect((err as AuthConfigError).code).toBe("INVALID_CONFIG");
    // resolveAuthConfig says the same.
    expect(() => resolveAuthConfig(env.config({ providers: providers as AuthConfig["providers"] }))).toThrow(
      AuthConfigError,
    );
    return err as AuthConfigError;
  }
}

function expectConfigError(providers: unknown, option: string | RegExp): void {
  const err = configError(providers);
  expect(err, `expected an AuthConfigError for ${JSON.stringify(providers)}`).not.toBeNull();
  if (typeof option === "string") expect(err!.message).toContain(option);
  else expect(err!.message).toMatch(option);
}

describe("provider names", () => {
  const bad = [
    "GitHub",
    "1github",
    "-x",
    "my idp",
    "ünïcode",
    "a".repeat(51),
    "",
    "link",
    "unlink",
    "list",
    "a.b",
    "a/b",
  ];
  for (const name of bad) {
    it(`refuses the provider key ${JSON.stringify(name.length > 20 ? `${name.slice(0, 10)}…` : name)}`, () => {
      expectConfigError({ [name]: { type: "oidc", ...client, endpoints } }, "providers key");
    });
  }

  it("refuses __proto__ and constructor keys", () => {
    expectConfigError(
      JSON.parse(`{"__proto__": ${JSON.stringify({ type: "oidc", ...client, endpoints })}}`),
      "providers key",
    );
    expectConfigError({ constructor: { type: "oidc", ...client, endpoints } }, "providers key");
  });

  it("accepts lower-case custom names up to 50 characters with type oidc", () => {
    for (const name of ["okta", "my-idp_2", "a", `a${"b".repeat(49)}`])
      expect(configError({ [name]: { type: "oidc", ...client, endpoints } })).toBeNull();
  });

  it('a custom name needs type: "oidc"', () => {
    expectConfigError({ corp: { ...client, endpoints } }, "providers.corp.type");
    expectConfigError({ corp: { type: "oauth2", ...client, endpoints } }, "providers.corp.type");
  });

  it("the providers section must be an object or an array", () => {
    expect(configError([])).toBeNull();
    expectConfigError("github", "providers");
    expectConfigError(42, "providers");
    expectConfigError(null, "providers");
    expect(configError(undefined)).toBeNull();
    expect(configError({})).toBeNull();
  });
});

describe("client options", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["a missing clientId", { clientId: undefined }, "providers.github.clientId"],
    ["an empty clientId", { clientId: "" }, "providers.github.clientId"],
    ["a numeric clientId", { clientId: 123 }, "providers.github.clientId"],
    ["an empty clientSecret", { clientSecret: "" }, "providers.github.clientSecret"],
    ["a missing clientSecret", { clientSecret: undefined }, "providers.github.clientSecret"],
    ["a relative redirectUri", { redirectUri: "/oauth/github/callback" }, "providers.github.redirectUri"],
    ["a javascript: redirectUri", { redirectUri: "javascript:alert(1)" }, "providers.github.redirectUri"],
    ["scopes that are not strings", { scopes: ["user", 1] }, "providers.github.scopes"],
    ["a string scopes", { scopes: "user" }, "providers.github.scopes"],
    ["a non-boolean allowEmailLinking", { allowEmailLinking: "yes" }, "providers.github.allowEmailLinking"],
    ["a non-boolean trustEmail", { trustEmail: 1 }, "providers.github.trustEmail"],
    ["an endpoint that is not a URL", { endpoints: { token: "not a url" } }, "providers.github.endpoints.token"],
    ["a file: endpoint", { endpoints: { api: "file:///etc/passwd" } }, "providers.github.endpoints.api"],
    ["endpoints that are not an object", { endpoints: "https://x.test" }, "providers.github.endpoints"],
  ];
  for (const [what, patch, option] of cases) {
    it(`refuses ${what} (message names ${option})`, () => {
      expectConfigError({ github: { ...client, ...patch } }, option);
    });
  }

  it("a public client (clientSecret: null) is accepted", () => {
    expect(configError({ github: { ...client, clientSecret: null } })).toBeNull();
  });

  it("an entry that is not an object is refused", () => {
    expectConfigError({ github: "client-id" }, "providers.github");
    expectConfigError({ github: [client] }, "providers.github");
  });

  it("the error message never contains the client secret", () => {
    const err = configError({ github: { ...client, clientSecret: "super-secret-value", redirectUri: "nope" } });
    expect(err!.message).not.toContain("super-secret-value");
  });

  it("an OIDC entry needs an issuer or both endpoints", () => {
    expectConfigError({ oidc: { ...client } }, "providers.oidc");
    expectConfigError({ oidc: { ...client, endpoints: { authorization: endpoints.authorization } } }, "providers.oidc");
    expectConfigError({ oidc: { ...client, issuer: "not a url" } }, "providers.oidc.issuer");
    expect(configError({ oidc: { ...client, issuer: "https://sso.test/realms/main" } })).toBeNull();
  });
});

describe("Entra ID policy", () => {
  for (const tenantId of [undefined, "common", "organizations", "consumers"]) {
    it(`refuses trustEmail with tenantId ${String(tenantId)} (any tenant can claim any address)`, () => {
      expectConfigError({ azure: { ...client, tenantId, trustEmail: true } }, "providers.azure.trustEmail");
    });
  }

  it("refuses trustEmail for the multi-tenant aliases written in another letter case", () => {
    // login.microsoftonline.com resolves the tenant segment case-insensitively: "Common" is still every tenant.
    for (const tenantId of ["Common", "ORGANIZATIONS", "Consumers"])
      expectConfigError({ azure: { ...client, tenantId, trustEmail: true } }, "providers.azure.trustEmail");
  });

  it("refuses allowEmailLinking without trustEmail (Entra addresses are not verified)", () => {
    expectConfigError(
      { azure: { ...client, tenantId: "11111111-2222-3333-4444-555555555555", allowEmailLinking: true } },
      "providers.azure.allowEmailLinking",
    );
    expectConfigError({ azure: { ...client, allowEmailLinking: true } }, "providers.azure");
  });

  it("accepts trustEmail and allowEmailLinking for a specific tenant", () => {
    expect(
      configError({
        azure: {
          ...client,
          tenantId: "11111111-2222-3333-4444-555555555555",
          trustEmail: true,
          allowEmailLinking: true,
        },
      }),
    ).toBeNull();
  });

  it("accepts a multi-tenant Entra entry without the email options", () => {
    expect(configError({ azure: { ...client, tenantId: "common" } })).toBeNull();
    expect(configError({ azure: { ...client } })).toBeNull();
  });
});

describe("configured providers on req.auth", () => {
  it("only configured providers exist on req.auth.providers", async () => {
    const { github } = providersFor(s.idp)!;
    const t = oauthApp(env.config({ providers: { github: github! } }));
    const agent = t.agent();
    expect((await agent.get("/oauth/github/start")).status).toBe(302);
    expect((await agent.get("/oauth/google/start")).status).toBe(404);
    const res = await call(agent, "providers.google.getAuthUrl");
    expect(res.status).toBe(404);
  });

  it("githubUserAgent is sent to the GitHub API", async () => {
    githubUser(s.idp, { id: 1, email: "ua@x.test" });
    const t = oauthApp(env.config({ githubUserAgent: "my-app/1.0", providers: providersFor(s.idp) }));
    expect((await signInWith(t.agent(), "github")).status).toBe(200);
    const user = s.idp.requests.find((r) => r.path === "/user")!;
    expect(user.headers["user-agent"]).toBe("my-app/1.0");
  });
});
