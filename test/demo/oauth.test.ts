import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoApp } from "../../examples/demo/app.js";
import { providersFromEnv } from "../../examples/demo/oauth-routes.js";
import { useTestEnv } from "../helpers/setup.js";
import { CLIENT_ID, CLIENT_SECRET, consent, startMockIdp, type MockIdp } from "../providers/mock-idp.js";
import { githubUser } from "../oauth/helpers.js";

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp();
});
afterAll(() => idp.close());
const env = useTestEnv();

function demo(withGithub: boolean) {
  const providers = providersFromEnv(
    withGithub ? { GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: CLIENT_SECRET } : {},
    "http://127.0.0.1",
  );
  if (providers?.github)
    providers.github.endpoints = { authorization: `${idp.url}/authorize`, token: `${idp.url}/token`, api: idp.url };
  return createDemoApp({
    db: env.db.db,
    outbox: false,
    logError: () => {},
    authConfig: { providers, now: () => env.clock.now() },
  });
}

describe("demo app: provider sign-in", () => {
  it("offers a configured provider on the index page and signs in through it", async () => {
    githubUser(idp, { id: 77, login: "demo", email: "demo@example.com" });
    const agent = request.agent(demo(true));
    expect((await agent.get("/")).text).toContain('href="/oauth/github"');
    const start = await agent.get("/oauth/github");
    expect(start.status).toBe(302);
    const { code, state } = await consent(new URL(start.headers.location!));
    const callback = await agent.get(`/oauth/github/callback?code=${code}&state=${encodeURIComponent(state)}`);
    expect(callback.body).toEqual({ ok: true, isNewUser: true, email: "demo@example.com" });
    expect((await agent.get("/me")).body).toMatchObject({ email: "demo@example.com" });
    const listed = await agent.get("/oauth");
    expect(listed.body.configured).toEqual(["github"]);
    expect(listed.body.linked).toHaveLength(1);
    expect(listed.body.linked[0]).toMatchObject({ provider: "github", providerId: "77", username: "demo" });
  });

  it("without a configured provider, says how to configure one and answers 404 for provider routes", async () => {
    const agent = request.agent(demo(false));
    expect((await agent.get("/")).text).toContain("GITHUB_CLIENT_ID");
    const res = await agent.get("/oauth/github");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "UNKNOWN_PROVIDER" });
  });
});
