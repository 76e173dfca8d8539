/** Hostile callback query strings and profiles: always a clean 4xx, never a 500 or an unexpected error. */
import { describe, expect, it } from "vitest";
import { useTestEnv } from "../helpers/setup.js";
import { consent } from "../providers/mock-idp.js";
import {
  accountRows,
  expectClientError,
  githubUser,
  oauthApp,
  providerRows,
  providersFor,
  signInWith,
  startFlow,
  tokenCalls,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const app = () => oauthApp(env.config({ providers: providersFor(s.idp) }));

async function started(t: ReturnType<typeof app>) {
  githubUser(s.idp, { id: 1, email: "a@x.test" });
  const agent = t.agent();
  const { code, state } = await consent(await startFlow(agent, "github"));
  return { agent, code, state };
}

describe("bad callback input", () => {
  it("repeated state parameters (?state=a&state=b) are refused with 403 and no token request", async () => {
    const t = app();
    const { agent, code, state } = await started(t);
    expectClientError(
      await agent.get(`/oauth/github/callback?code=${code}&state=a&state=b`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expectClientError(
      await agent.get(`/oauth/github/callback?code=${code}&state=${state}&state=${state}`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expectClientError(
      await agent.get(`/oauth/github/callback?code=${code}&state=${state}&state=other`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expect(tokenCalls(s.idp)).toBe(0);
    await agent.get("/me").expect(401);
    expect(t.errors).toEqual([]);
  });

  it("bracketed and nested query keys are not taken as the state or code", async () => {
    const t = app();
    const { agent, code, state } = await started(t);
    for (const query of [
      `code=${code}&state[]=${state}`,
      `code=${code}&state[x]=${state}`,
      `code[]=${code}&state=x`,
      `code=${code}&state[toString]=1`,
      `code=${code}&__proto__[state]=${state}`,
    ])
      expectClientError(await agent.get(`/oauth/github/callback?${query}`), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("a huge state is refused with 403 and no token request", async () => {
    const t = app();
    const { agent, code } = await started(t);
    const res = await agent.get(`/oauth/github/callback?code=${code}&state=${"A".repeat(8_000)}`);
    expectClientError(res, 403, "OAUTH_STATE_INVALID");
    expect(res.text.length).toBeLessThan(1000);
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("a huge code is refused with 400 before any token request", async () => {
    const t = app();
    const { agent, state } = await started(t);
    const res = await agent.get(`/oauth/github/callback?code=${"c".repeat(8_000)}&state=${state}`);
    expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    expect(res.text.length).toBeLessThan(1000);
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("a missing, empty or repeated code is refused with 400 before any token request", async () => {
    const t = app();
    for (const query of ["", "&code=", "&code=a&code=b"]) {
      const { agent, state } = await started(t);
      expectClientError(await agent.get(`/oauth/github/callback?state=${state}${query}`), 400, "OAUTH_PROVIDER_ERROR");
      await agent.get("/me").expect(401);
    }
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("a repeated or empty error parameter is still a clean 400", async () => {
    const t = app();
    for (const query of ["error=a&error=b", "error=", "error[x]=1&error=access_denied"]) {
      const { agent, code, state } = await started(t);
      const res = await agent.get(`/oauth/github/callback?code=${code}&state=${state}&${query}`);
      expectClientError(res, 400, "OAUTH_PROVIDER_ERROR");
    }
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("state values with NUL, unicode or percent garbage are refused with 403", async () => {
    const t = app();
    const { agent, code } = await started(t);
    for (const state of ["%00", "%E2%80%AE", "%F0%9F%92%A9", "%", "%ZZ", "+", "%20"]) {
      const res = await agent.get(`/oauth/github/callback?code=${code}&state=${state}`);
      expectClientError(res, 403, "OAUTH_STATE_INVALID");
    }
    expect(tokenCalls(s.idp)).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it("a callback with a corrupted session cookie is a 4xx, never a 500", async () => {
    const t = app();
    const { code, state } = await started(t);
    const res = await t
      .agent()
      .get(`/oauth/github/callback?code=${code}&state=${state}`)
      .set("Cookie", "connect.sid=s%3Anot-a-real-session.bad-signature");
    expectClientError(res, 403, "OAUTH_STATE_INVALID");
    expect(t.errors).toEqual([]);
  });

  it("oversized profile fields are clipped, and the sign-in still works", async () => {
    const t = app();
    const long = "N".repeat(100_000);
    s.idp.json.set("/user", { id: 9, login: long, name: long, avatar_url: `https://a.test/${long}` });
    s.idp.json.set("/user/emails", [{ email: "big@x.test", primary: true, verified: true }]);
    const res = await signInWith(t.agent(), "github");
    expect(res.status, res.text).toBe(200);
    const [row] = await providerRows(env);
    expect(row!.providerUsername!.length).toBeLessThanOrEqual(512);
    expect(row!.providerName!.length).toBeLessThanOrEqual(512);
    expect(row!.providerAvatar!.length).toBeLessThanOrEqual(512);
    expect(t.errors).toEqual([]);
  });

  it("a verified but malformed provider email creates no account (OAUTH_EMAIL_REQUIRED)", async () => {
    const t = app();
    for (const [id, email] of [
      [1, "not-an-email"],
      [2, "a@b@x.test"],
      [3, `${"x".repeat(300)}@x.test`],
      [4, "two@x.test, three@x.test"],
    ] as const) {
      githubUser(s.idp, { id, email });
      expectClientError(await signInWith(t.agent(), "github"), 400, "OAUTH_EMAIL_REQUIRED");
    }
    expect(await accountRows(env)).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it("GET on start with odd query parameters still returns a clean redirect", async () => {
    const t = app();
    const res = await t.agent().get("/oauth/github/start?remember[]=1&scope=admin&redirect_uri=https://evil.test/");
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1/oauth/github/callback");
    expect(url.searchParams.get("scope")).not.toContain("admin");
    expect(t.errors).toEqual([]);
  });
});
