/** Which account an identity lands on: OA-06 (a)–(e), the createUser hook, profile refresh, concurrency. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { OAuthUserData } from "../../src/providers/user-data.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { consent } from "../providers/mock-idp.js";
import {
  accountByEmail,
  accountRows,
  activityOf,
  call,
  consentPath,
  entraUser,
  expectClientError,
  githubUser,
  googleUser,
  notifications,
  oauthApp,
  oidcUser,
  providerRows,
  providersFor,
  registerUnverified,
  registerVerified,
  signInWith,
  startFlow,
  useMockIdp,
} from "./helpers.js";

const s = useMockIdp();
const env = useTestEnv();

const VICTIM = "victim@x.test";

describe("OA-06 linking by email", () => {
  it("OA-06(a): a verified Google sign-in claims an unverified pre-registered account; the squatter's password is gone", async () => {
    const { notify, sent } = notifications();
    const t = oauthApp(env.config({ notify, providers: providersFor(s.idp, { google: { allowEmailLinking: true } }) }));
    const squatterId = await registerUnverified(t, VICTIM, PASSWORD);
    const confirmationToken = t.lastToken("register");
    googleUser(s.idp, { sub: "g-victim", email: "Victim@X.test", verified: true });
    const victim = t.agent();
    const res = await signInWith(victim, "google");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: false });
    expect((await victim.get("/me").expect(200)).body.id).toBe(squatterId);

    const account = await accountByEmail(env, VICTIM);
    expect(account).toMatchObject({ id: squatterId, password: null, verified: true });
    expectClientError(await t.agent().post("/login").send({ email: VICTIM, password: PASSWORD }), 401);
    // The squatter's pending confirmation token is dead too.
    expectClientError(await call(t.agent(), "confirmEmail", confirmationToken));
    expect(await providerRows(env)).toMatchObject([
      { accountId: squatterId, provider: "google", providerId: "g-victim" },
    ]);
    const connected = await activityOf(env, "oauth_connected");
    expect(connected).toHaveLength(1);
    expect(connected[0]!.metadata).toMatchObject({ provider: "google", linkedBy: "email", claimed: true });
    expect(sent).toEqual([
      expect.objectContaining({
        type: "provider_linked",
        accountId: squatterId,
        details: { provider: "google", claimed: true },
      }),
    ]);
  });

  it("OA-06(a): claiming removes the squatter's remember-me tokens and other identities", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { google: { allowEmailLinking: true } }) }));
    const squatterId = await registerUnverified(t, VICTIM, PASSWORD);
    // The squatter attached a GitHub identity of their own (linking by email is on for google only,
    // so plant the row directly) and holds a remember-me token.
    const now = env.clock.now();
    await env.db.db.insert(authSchema.providers).values({
      accountId: squatterId,
      provider: "github",
      providerId: "666",
      createdAt: now,
      updatedAt: now,
    });
    await env.db.db.insert(authSchema.remembers).values({
      accountId: squatterId,
      selector: "squatter-selector",
      validatorHash: "x".repeat(64),
      expires: new Date(now.getTime() + 86_400_000),
      createdAt: now,
    });
    googleUser(s.idp, { sub: "g-victim", email: VICTIM });
    const res = await signInWith(t.agent(), "google");
    expect(res.status, res.text).toBe(200);
    expect((await providerRows(env)).map((p) => p.provider)).toEqual(["google"]);
    const remembers = await env.db.db.select().from(authSchema.remembers);
    expect(remembers.filter((r) => r.selector === "squatter-selector")).toEqual([]);
  });

  it("OA-06(a): without allowEmailLinking an unverified pre-registered account is left alone (409)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const id = await registerUnverified(t, VICTIM, PASSWORD);
    googleUser(s.idp, { sub: "g-victim", email: VICTIM });
    const res = await signInWith(t.agent(), "google");
    expectClientError(res, 409, "OAUTH_ACCOUNT_EXISTS");
    expect(res.text).toContain("already have an account");
    const account = await accountByEmail(env, VICTIM);
    expect(account!.password).not.toBeNull();
    expect(account!.verified).toBe(false);
    expect(await providerRows(env)).toEqual([]);
    const failed = await activityOf(env, "failed_login");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ accountId: id, success: false });
    expect(failed[0]!.metadata).toMatchObject({ provider: "google", reason: "oauth_linking_disabled" });
  });

  it("OA-06: allowEmailLinking on Google links a verified local account and signs in to it, password kept", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { google: { allowEmailLinking: true } }) }));
    const id = await registerVerified(t, VICTIM);
    const before = await accountByEmail(env, VICTIM);
    googleUser(s.idp, { sub: "g-1", email: VICTIM });
    const agent = t.agent();
    const res = await signInWith(agent, "google");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: false });
    expect((await agent.get("/me").expect(200)).body).toMatchObject({ id, email: VICTIM });
    expect((await accountByEmail(env, VICTIM))!.password).toBe(before!.password);
    await t.agent().post("/login").send({ email: VICTIM, password: PASSWORD }).expect(200);
    expect(await accountRows(env)).toHaveLength(1);
    const [connected] = await activityOf(env, "oauth_connected");
    expect(connected!.metadata).toMatchObject({ provider: "google", linkedBy: "email", claimed: false });
  });

  it("OA-06: without allowEmailLinking a verified email of an existing account is 409 with a failed_login row", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    const id = await registerVerified(t, VICTIM);
    githubUser(s.idp, { id: 5, email: VICTIM.toUpperCase() }); // the canonical form matches
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"), 409, "OAUTH_ACCOUNT_EXISTS");
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
    const failed = await activityOf(env, "failed_login");
    expect(failed.map((r) => [r.accountId, r.metadata?.reason])).toEqual([[id, "oauth_linking_disabled"]]);
  });

  it("OA-06(b): Google with email_verified:false for an existing email does not link (even with allowEmailLinking)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { google: { allowEmailLinking: true } }) }));
    await registerVerified(t, VICTIM);
    googleUser(s.idp, { sub: "g-attacker", email: VICTIM, verified: false });
    const agent = t.agent();
    const res = await signInWith(agent, "google");
    // The unverified address is dropped by the provider, so nothing can match it: no link, no new account.
    expectClientError(res, 400, "OAUTH_EMAIL_REQUIRED");
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
    expect(await accountRows(env)).toHaveLength(1);
  });

  it("OA-06(b): an OIDC email_verified:false matching an existing account is 409, no link (even with allowEmailLinking)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { keycloak: { allowEmailLinking: true } }) }));
    const id = await registerVerified(t, VICTIM);
    oidcUser(s.idp, { sub: "k-attacker", email: VICTIM, verified: false });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "keycloak"), 409, "OAUTH_ACCOUNT_EXISTS");
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
    const failed = await activityOf(env, "failed_login");
    expect(failed.map((r) => [r.accountId, r.metadata?.reason])).toEqual([[id, "oauth_email_unverified"]]);
  });

  it("OA-06(c): an Entra token carrying the email of an existing account never links", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    await registerVerified(t, VICTIM);
    entraUser(s.idp, { oid: "attacker-oid", tid: "attacker-tenant", email: VICTIM });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "azure"), 409, "OAUTH_ACCOUNT_EXISTS");
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
  });

  it("OA-06(c): a new Entra identity needs trustEmail (its email is never verified)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    entraUser(s.idp, { oid: "oid-1", email: "new@x.test" });
    expectClientError(await signInWith(t.agent(), "azure"), 400, "OAUTH_EMAIL_REQUIRED");
    expect(await accountRows(env)).toEqual([]);
  });

  it("OA-06(c): Entra with trustEmail on a single tenant signs up with the id <tid>:<oid>", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { azure: { trustEmail: true } }) }));
    entraUser(s.idp, { oid: "oid-1", tid: "tenant-1", email: "New@X.test" });
    const agent = t.agent();
    const res = await signInWith(agent, "azure");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: true });
    expect(await providerRows(env)).toMatchObject([{ provider: "azure", providerId: "tenant-1:oid-1" }]);
    expect((await agent.get("/me").expect(200)).body.email).toBe("new@x.test");
  });

  it("OA-06(d): GitHub with an unverified primary email creates nothing (OAUTH_EMAIL_REQUIRED)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 7, email: "new@x.test", verified: false });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"), 400, "OAUTH_EMAIL_REQUIRED");
    await agent.get("/me").expect(401);
    expect(await accountRows(env)).toEqual([]);
    expect(await providerRows(env)).toEqual([]);
  });

  it("OA-06(d): GitHub's verified secondary address does not count, the primary one must be verified", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { github: { allowEmailLinking: true } }) }));
    await registerVerified(t, VICTIM);
    githubUser(s.idp, { id: 7 });
    s.idp.json.set("/user/emails", [
      { email: "attacker@x.test", primary: true, verified: false },
      { email: VICTIM, primary: false, verified: true },
    ]);
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"), 400, "OAUTH_EMAIL_REQUIRED");
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
    expect(await accountRows(env)).toHaveLength(1);
  });

  it("OA-06(d): GitHub's unverified primary matching an existing account does not link", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp, { github: { allowEmailLinking: true } }) }));
    await registerVerified(t, VICTIM);
    githubUser(s.idp, { id: 7, email: VICTIM, verified: false });
    const agent = t.agent();
    expectClientError(await signInWith(agent, "github"));
    await agent.get("/me").expect(401);
    expect(await providerRows(env)).toEqual([]);
  });

  it("OA-06(e): the same id with a changed email signs in to the same account; the account email is kept", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 42, login: "old", email: "first@x.test" });
    const a = t.agent();
    expect((await signInWith(a, "github")).body).toEqual({ isNewUser: true });
    const id = (await a.get("/me").expect(200)).body.id;
    env.clock.advance(60_000);
    githubUser(s.idp, { id: 42, login: "new-login", name: "New Name", email: "second@x.test" });
    const b = t.agent();
    const res = await signInWith(b, "github");
    expect(res.body).toEqual({ isNewUser: false });
    expect((await b.get("/me").expect(200)).body).toMatchObject({ id, email: "first@x.test" });
    expect(await accountRows(env)).toHaveLength(1);
    const [row] = await providerRows(env);
    expect(row).toMatchObject({
      providerEmail: "second@x.test",
      providerUsername: "new-login",
      providerName: "New Name",
    });
    expect(row!.updatedAt.getTime()).toBeGreaterThan(row!.createdAt.getTime());
  });

  it("OA-06(e): a different id with an existing account's email falls under the rules above (409, no link)", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 42, email: "first@x.test" });
    expect((await signInWith(t.agent(), "github")).status).toBe(200);
    githubUser(s.idp, { id: 43, email: "first@x.test" });
    expectClientError(await signInWith(t.agent(), "github"), 409, "OAUTH_ACCOUNT_EXISTS");
    expect((await providerRows(env)).map((p) => p.providerId)).toEqual(["42"]);
  });

  it("OA-06: identities are keyed by (provider, id): the same id at another provider is another identity", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    googleUser(s.idp, { sub: "shared-id", email: "g@x.test" });
    oidcUser(s.idp, { sub: "shared-id", email: "k@x.test" });
    expect((await signInWith(t.agent(), "google")).body).toEqual({ isNewUser: true });
    expect((await signInWith(t.agent(), "keycloak")).body).toEqual({ isNewUser: true });
    expect((await accountRows(env)).map((a) => a.email).sort()).toEqual(["g@x.test", "k@x.test"]);
  });
});

describe("new accounts", () => {
  it("a new account is verified, has no password, and gets register + oauth_connected rows", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    googleUser(s.idp, { sub: "g-1", email: "New@X.test", name: "New Person" });
    const res = await signInWith(t.agent(), "google");
    expect(res.body).toEqual({ isNewUser: true });
    const [account] = await accountRows(env);
    expect(account).toMatchObject({ email: "new@x.test", verified: true, password: null, status: 0 });
    expect(account!.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await providerRows(env)).toMatchObject([
      {
        accountId: account!.id,
        provider: "google",
        providerId: "g-1",
        providerEmail: "New@X.test",
        providerName: "New Person",
        providerAvatar: "https://pics.test/g.png",
      },
    ]);
    const [register] = await activityOf(env, "register");
    expect(register).toMatchObject({ accountId: account!.id });
    expect(register!.metadata).toMatchObject({ provider: "google", verified: true });
    const [connected] = await activityOf(env, "oauth_connected");
    expect(connected!.metadata).toMatchObject({ provider: "google", linkedBy: "sign_up" });
  });

  it("createUser receives the provider's data and its return value becomes the user_id", async () => {
    const seen: OAuthUserData[] = [];
    const createUser = async (data: OAuthUserData) => {
      seen.push(data);
      return `app-user-${data.id}`;
    };
    const t = oauthApp(env.config({ createUser, providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 77, login: "octo", name: "Octo Cat", email: "Octo@X.test" });
    const agent = t.agent();
    expect((await signInWith(agent, "github")).body).toEqual({ isNewUser: true });
    expect(seen).toEqual([
      {
        provider: "github",
        id: "77",
        email: "Octo@X.test",
        emailVerified: true,
        username: "octo",
        name: "Octo Cat",
        avatar: "https://avatars.test/u.png",
      },
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/at-[0-9a-f]/);
    const [account] = await accountRows(env);
    expect(account!.userId).toBe("app-user-77");
    // A returning user does not call the hook again.
    await signInWith(t.agent(), "github");
    expect(seen).toHaveLength(1);
  });

  it("createUser may return a number", async () => {
    const t = oauthApp(env.config({ createUser: () => 12345, providers: providersFor(s.idp) }));
    googleUser(s.idp, { sub: "g-1", email: "n@x.test" });
    expect((await signInWith(t.agent(), "google")).status).toBe(200);
    expect((await accountRows(env))[0]!.userId).toBe("12345");
  });

  it("a throwing createUser aborts the sign-in: an error, no account, no identity, not signed in", async () => {
    const failure = new Error("app user table is down");
    const t = oauthApp(
      env.config({
        createUser: () => {
          throw failure;
        },
        providers: providersFor(s.idp),
      }),
    );
    googleUser(s.idp, { sub: "g-1", email: "n@x.test" });
    const agent = t.agent();
    const res = await signInWith(agent, "google");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).not.toContain("app user table is down");
    expect(t.errors).toContain(failure);
    await agent.get("/me").expect(401);
    expect(await accountRows(env)).toEqual([]);
    expect(await providerRows(env)).toEqual([]);
    expect(await activityOf(env, "register")).toEqual([]);
  });

  it("a createUser id that is already taken refuses the sign-in without writing anything", async () => {
    const t = oauthApp(env.config({ createUser: () => "same-id", providers: providersFor(s.idp) }));
    googleUser(s.idp, { sub: "g-1", email: "one@x.test" });
    expect((await signInWith(t.agent(), "google")).status).toBe(200);
    googleUser(s.idp, { sub: "g-2", email: "two@x.test" });
    expectClientError(await signInWith(t.agent(), "google"), 409, "USER_ID_TAKEN");
    expect(await accountRows(env)).toHaveLength(1);
    expect(await providerRows(env)).toHaveLength(1);
  });

  it("concurrent first sign-ins of the same GitHub id create exactly one account and both end signed in to it", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 900, email: "race@x.test" });
    const agents = [t.agent(), t.agent(), t.agent()];
    const paths = await Promise.all(agents.map(async (a) => consentPath(await startFlow(a, "github"))));
    const results = await Promise.all(agents.map((a, i) => a.get(paths[i]!)));
    for (const res of results) expect(res.status, res.text).toBe(200);
    expect(results.filter((r) => r.body.isNewUser === true)).toHaveLength(1);
    const accounts = await accountRows(env);
    expect(accounts).toHaveLength(1);
    expect(await providerRows(env)).toHaveLength(1);
    for (const a of agents) expect((await a.get("/me").expect(200)).body.id).toBe(accounts[0]!.id);
    expect(t.errors).toEqual([]);
  });

  it("two different identities racing for the same new email: one account, the other is refused cleanly", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    googleUser(s.idp, { sub: "g-1", email: "race@x.test" });
    oidcUser(s.idp, { sub: "k-1", email: "race@x.test" });
    const a = t.agent();
    const b = t.agent();
    const pa = await consentPath(await startFlow(a, "google"));
    const pb = await consentPath(await startFlow(b, "keycloak"));
    const [ra, rb] = await Promise.all([a.get(pa), b.get(pb)]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses, `${ra.text} ${rb.text}`).toEqual([200, 409]);
    expect(await accountRows(env)).toHaveLength(1);
    expect(await providerRows(env)).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });
});

describe("getUserData", () => {
  it("returns the profile without signing in or writing an account, and checks the state like the callback", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    githubUser(s.idp, { id: 5, login: "five", email: "five@x.test" });
    const agent = t.agent();
    const url = await startFlow(agent, "github");
    const { code, state } = await consent(url);
    const res = await agent.get(`/oauth/github/userdata?code=${code}&state=${state}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      provider: "github",
      id: "5",
      email: "five@x.test",
      emailVerified: true,
      username: "five",
      avatar: "https://avatars.test/u.png",
    });
    await agent.get("/me").expect(401);
    expect(await accountRows(env)).toEqual([]);
    expectClientError(await agent.get(`/oauth/github/userdata?code=${code}&state=${state}`), 403);
  });
});

describe("the profile is refreshed", () => {
  it("provider_email/username/name/avatar and updated_at follow the provider on each sign-in", async () => {
    const t = oauthApp(env.config({ providers: providersFor(s.idp) }));
    oidcUser(s.idp, { sub: "k-1", email: "k@x.test", name: "Before", username: "before" });
    await signInWith(t.agent(), "keycloak");
    const [before] = await providerRows(env);
    env.clock.advance(3_600_000);
    oidcUser(s.idp, { sub: "k-1", email: "k2@x.test", name: "After", username: "after" });
    await signInWith(t.agent(), "keycloak");
    const [after] = await providerRows(env);
    expect(after).toMatchObject({
      id: before!.id,
      providerEmail: "k2@x.test",
      providerName: "After",
      providerUsername: "after",
    });
    expect(after!.updatedAt.getTime() - before!.updatedAt.getTime()).toBe(3_600_000);
    expect(after!.createdAt).toEqual(before!.createdAt);
    const a = authSchema.accounts;
    const [account] = await env.db.db.select().from(a).where(eq(a.id, after!.accountId));
    expect(account!.email).toBe("k@x.test");
  });
});
