/** Connecting and disconnecting providers from a signed-in session; listProviders; notifications. */
import { describe, expect, it } from "vitest";
import type { AuthNotification } from "../../src/primitives/notification.js";
import { cookiePair } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import { consent } from "../providers/mock-idp.js";
import {
  accountRows,
  activityOf,
  call,
  entraUser,
  expectClientError,
  githubUser,
  googleUser,
  linkWith,
  notifications,
  oauthApp,
  oidcUser,
  passwordAgent,
  providerRows,
  providersFor,
  registerVerified,
  signInWith,
  startFlow,
  tokenCalls,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const ALICE = "alice@x.test";
const BOB = "bob@x.test";

function app(notify?: (n: AuthNotification) => void) {
  return oauthApp(env.config({ providers: providersFor(s.idp), ...(notify ? { notify } : {}) }));
}

describe("getLinkUrl", () => {
  it("needs a signed-in session (401 NOT_LOGGED_IN)", async () => {
    const t = app();
    expectClientError(await t.agent().get("/oauth/github/link-start"), 401, "NOT_LOGGED_IN");
  });

  it("needs a sign-in within the recent-auth window (401 REAUTH_REQUIRED after 11 minutes)", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    env.clock.advance(11 * 60 * 1000);
    await agent.get("/me").expect(200); // the session itself is alive (idle timeout 30 min)
    expectClientError(await agent.get("/oauth/github/link-start"), 401, "REAUTH_REQUIRED");
    // Signing in again makes it fresh.
    await agent.post("/login").send({ email: ALICE, password: "correct horse battery staple" }).expect(200);
    expect((await agent.get("/oauth/github/link-start")).status).toBe(302);
  });

  it("a session restored from remember-me is not recent enough", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const login = await t
      .agent()
      .post("/login")
      .send({ email: ALICE, password: "correct horse battery staple", remember: true });
    const remember = cookiePair(login, "remember_token")!;
    const restored = t.agent();
    await restored.get("/me").set("Cookie", remember).expect(200);
    expectClientError(await restored.get("/oauth/github/link-start"), 401, "REAUTH_REQUIRED");
  });
});

describe("linking", () => {
  it("links a GitHub identity to a password account; GitHub then signs in to that account", async () => {
    const { notify, sent } = notifications();
    const t = app(notify);
    const id = await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, login: "alice-gh", email: "alice.other@x.test" });
    const res = await linkWith(agent, "github");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ linked: true });
    expect(await providerRows(env)).toMatchObject([{ accountId: id, provider: "github", providerId: "11" }]);
    const [connected] = await activityOf(env, "oauth_connected");
    expect(connected).toMatchObject({ accountId: id });
    expect(connected!.metadata).toMatchObject({ provider: "github", linkedBy: "session" });
    expect(sent).toEqual([
      expect.objectContaining({
        type: "provider_linked",
        accountId: id,
        email: ALICE,
        details: { provider: "github" },
      }),
    ]);
    await agent.get("/me").expect(200);
    const other = t.agent();
    const signIn = await signInWith(other, "github");
    expect(signIn.body).toEqual({ isNewUser: false });
    expect((await other.get("/me").expect(200)).body.id).toBe(id);
    expect(await accountRows(env)).toHaveLength(1);
  });

  it("the callback route (handleCallback) finishes a link flow too", async () => {
    const t = app();
    const id = await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    googleUser(s.idp, { sub: "g-1", email: "unrelated@x.test" });
    const res = await linkWith(agent, "google", "callback");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: false });
    expect(await providerRows(env)).toMatchObject([{ accountId: id, provider: "google" }]);
    expect(await accountRows(env)).toHaveLength(1);
  });

  it("OA-06(c): Entra is connected from a signed-in session, whatever email it carries", async () => {
    const t = app();
    const id = await registerVerified(t, ALICE);
    await registerVerified(t, BOB);
    const agent = await passwordAgent(t, ALICE);
    entraUser(s.idp, { oid: "oid-a", email: BOB });
    expect((await linkWith(agent, "azure")).body).toEqual({ linked: true });
    expect(await providerRows(env)).toMatchObject([{ accountId: id, provider: "azure", providerId: "tenant-1:oid-a" }]);
    const other = t.agent();
    expect((await signInWith(other, "azure")).status).toBe(200);
    expect((await other.get("/me").expect(200)).body.id).toBe(id);
  });

  it("an identity linked to another account is refused with 409 OAUTH_IDENTITY_TAKEN", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, email: BOB });
    const bob = t.agent();
    expect((await signInWith(bob, "github")).status).toBe(200);
    const bobId = (await bob.get("/me")).body.id;
    await registerVerified(t, ALICE);
    const alice = await passwordAgent(t, ALICE);
    expectClientError(await linkWith(alice, "github"), 409, "OAUTH_IDENTITY_TAKEN");
    expect(await providerRows(env)).toMatchObject([{ accountId: bobId, providerId: "11" }]);
    expect(await activityOf(env, "oauth_connected")).toHaveLength(1);
  });

  it("linking the same identity again is a no-op: { linked: false }, no second row or notification", async () => {
    const { notify, sent } = notifications();
    const t = app(notify);
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    expect((await linkWith(agent, "github")).body).toEqual({ linked: true });
    expect((await linkWith(agent, "github")).body).toEqual({ linked: false });
    expect(await providerRows(env)).toHaveLength(1);
    expect(await activityOf(env, "oauth_connected")).toHaveLength(1);
    expect(sent.filter((n) => n.type === "provider_linked")).toHaveLength(1);
  });

  it("OA-03: link() refuses a sign-in flow's state (the intent is bound to the flow)", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    const { code, state } = await consent(await startFlow(agent, "github"));
    expectClientError(
      await agent.get(`/oauth/github/link-callback?code=${code}&state=${state}`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expect(tokenCalls(s.idp)).toBe(0);
    expect(await providerRows(env)).toEqual([]);
  });

  it("OA-03: a link flow cannot be completed by another browser", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    await registerVerified(t, BOB);
    const alice = await passwordAgent(t, ALICE);
    const bob = await passwordAgent(t, BOB);
    githubUser(s.idp, { id: 11, email: ALICE });
    const { code, state } = await consent(await startFlow(alice, "github", "link"));
    expectClientError(
      await bob.get(`/oauth/github/link-callback?code=${code}&state=${state}`),
      403,
      "OAUTH_STATE_INVALID",
    );
    expectClientError(await bob.get(`/oauth/github/callback?code=${code}&state=${state}`), 403, "OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(0);
    expect(await providerRows(env)).toEqual([]);
  });

  it("a link flow does not survive signing in to another account in the same browser", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    await registerVerified(t, BOB);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    const { code, state } = await consent(await startFlow(agent, "github", "link"));
    await agent.post("/login").send({ email: BOB, password: "correct horse battery staple" }).expect(200);
    const res = await agent.get(`/oauth/github/link-callback?code=${code}&state=${state}`);
    expectClientError(res);
    expect(await providerRows(env)).toEqual([]);
  });

  it("a link flow after logging out is refused and links nothing", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    const { code, state } = await consent(await startFlow(agent, "github", "link"));
    await call(agent, "logout").expect(200);
    expectClientError(await agent.get(`/oauth/github/callback?code=${code}&state=${state}`));
    expect(await providerRows(env)).toEqual([]);
    expect(await accountRows(env)).toHaveLength(1);
  });
});

describe("unlinking", () => {
  it("removes the identity; audit oauth_disconnected and a provider_unlinked notification", async () => {
    const { notify, sent } = notifications();
    const t = app(notify);
    const id = await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    await linkWith(agent, "github");
    const res = await agent.post("/oauth/github/unlink");
    expect(res.status, res.text).toBe(200);
    expect(await providerRows(env)).toEqual([]);
    const [gone] = await activityOf(env, "oauth_disconnected");
    expect(gone).toMatchObject({ accountId: id });
    expect(gone!.metadata).toMatchObject({ provider: "github" });
    expect(sent.map((n) => [n.type, n.accountId, n.email, n.details])).toEqual([
      ["provider_linked", id, ALICE, { provider: "github" }],
      ["provider_unlinked", id, ALICE, { provider: "github" }],
    ]);
    // GitHub no longer signs in to the account (its email is the account's: 409, not a silent re-link).
    expectClientError(await signInWith(t.agent(), "github"), 409, "OAUTH_ACCOUNT_EXISTS");
  });

  it("404 PROVIDER_NOT_LINKED when there is nothing to remove", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    expectClientError(await agent.post("/oauth/google/unlink"), 404, "PROVIDER_NOT_LINKED");
    expectClientError(await call(agent, "unlinkProvider", "no-such-provider"), 404, "PROVIDER_NOT_LINKED");
  });

  it("409 LAST_SIGN_IN_METHOD for an account with no password and no other provider", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, email: ALICE });
    const agent = t.agent();
    await signInWith(agent, "github");
    expectClientError(await agent.post("/oauth/github/unlink"), 409, "LAST_SIGN_IN_METHOD");
    expectClientError(await call(agent, "unlinkProvider", "github"), 409, "LAST_SIGN_IN_METHOD");
    expect(await providerRows(env)).toHaveLength(1);
    expect(await activityOf(env, "oauth_disconnected")).toEqual([]);
  });

  it("a password-less account with two providers may drop one of them, but not the last", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, email: ALICE });
    googleUser(s.idp, { sub: "g-1", email: "other@x.test" });
    const agent = t.agent();
    await signInWith(agent, "github");
    expect((await linkWith(agent, "google")).body).toEqual({ linked: true });
    await agent.post("/oauth/github/unlink").expect(200);
    expect((await providerRows(env)).map((p) => p.provider)).toEqual(["google"]);
    expectClientError(await agent.post("/oauth/google/unlink"), 409, "LAST_SIGN_IN_METHOD");
  });

  it("concurrent unlinks of an account's two providers never leave it without a way in", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, email: ALICE });
    googleUser(s.idp, { sub: "g-1", email: "other@x.test" });
    const agent = t.agent();
    await signInWith(agent, "github");
    await linkWith(agent, "google");
    const [a, b] = await Promise.all([agent.post("/oauth/github/unlink"), agent.post("/oauth/google/unlink")]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await providerRows(env)).toHaveLength(1);
  });

  it("a password account may unlink its only provider", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    githubUser(s.idp, { id: 11, email: ALICE });
    await linkWith(agent, "github");
    const res = await call(agent, "unlinkProvider", "github");
    expect(res.status, res.text).toBe(200);
    expect(await providerRows(env)).toEqual([]);
  });

  it("unlinking needs a signed-in session", async () => {
    const t = app();
    expectClientError(await t.agent().post("/oauth/github/unlink"), 401, "NOT_LOGGED_IN");
    expectClientError(await call(t.agent(), "unlinkProvider", "github"), 401, "NOT_LOGGED_IN");
  });

  it("unlinkProvider refuses a name that is not a string of 1–50 characters", async () => {
    const t = app();
    await registerVerified(t, ALICE);
    const agent = await passwordAgent(t, ALICE);
    for (const bad of [42, "", "x".repeat(51), null, ["github"], { provider: "github" }])
      expectClientError(await call(agent, "unlinkProvider", bad), 400, "INVALID_INPUT");
    expect(t.errors).toEqual([]);
  });

  it("unlinkProvider also removes a provider that is no longer configured", async () => {
    const first = app();
    githubUser(s.idp, { id: 11, email: ALICE });
    oidcUser(s.idp, { sub: "k-1", email: "k@x.test" });
    const agent = first.agent();
    await signInWith(agent, "github");
    await linkWith(agent, "keycloak");
    const { keycloak: _dropped, ...rest } = providersFor(s.idp)!;
    const second = oauthApp(env.config({ providers: rest }));
    const other = second.agent();
    await signInWith(other, "github");
    expect((await call(other, "unlinkProvider", "keycloak")).status).toBe(200);
    expect((await providerRows(env)).map((p) => p.provider)).toEqual(["github"]);
  });
});

describe("listProviders", () => {
  it("lists the account's identities, newest first, with profile fields and no token", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, login: "octo", name: "Octo", email: ALICE });
    googleUser(s.idp, { sub: "g-1", email: "alice.g@x.test", name: "Alice G" });
    const agent = t.agent();
    await signInWith(agent, "github");
    env.clock.advance(1000);
    await linkWith(agent, "google");
    const res = await call(agent, "listProviders");
    expect(res.status, res.text).toBe(200);
    const list = res.body.result as Record<string, unknown>[];
    expect(list.map((p) => p.provider)).toEqual(["google", "github"]);
    for (const entry of list)
      expect(Object.keys(entry).sort()).toEqual(
        ["avatar", "createdAt", "email", "id", "name", "provider", "providerId", "updatedAt", "username"].sort(),
      );
    expect(list[1]).toMatchObject({ providerId: "11", email: ALICE, username: "octo", name: "Octo" });
    expect(list[0]).toMatchObject({ providerId: "g-1", email: "alice.g@x.test", name: "Alice G" });
    expect(res.text).not.toMatch(/at-[0-9a-f]{16}|rt-1|token/i);
  });

  it("lists only this account's identities", async () => {
    const t = app();
    githubUser(s.idp, { id: 11, email: ALICE });
    await signInWith(t.agent(), "github");
    googleUser(s.idp, { sub: "g-2", email: BOB });
    const bob = t.agent();
    await signInWith(bob, "google");
    const list = (await call(bob, "listProviders").expect(200)).body.result as { provider: string }[];
    expect(list.map((p) => p.provider)).toEqual(["google"]);
  });

  it("needs a signed-in session", async () => {
    const t = app();
    expectClientError(await call(t.agent(), "listProviders"), 401, "NOT_LOGGED_IN");
  });
});
