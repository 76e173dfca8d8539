/**
 * OA-01 / DB-03: one OAuth `state` completes one callback, even when many callbacks carrying it arrive at
 * once (each loads its own copy of the session) and the provider would accept the code again.
 */
import { eq } from "drizzle-orm";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction } from "../../src/core/activity-actions.js";
import { OAUTH_FLOW_TTL_MS } from "../../src/express/oauth-flow.js";
import type { TestApp } from "../helpers/app.js";
import { cookiePair } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import {
  accountByEmail,
  accountRows,
  activityOf,
  consentPath,
  githubUser,
  oauthApp,
  providerRows,
  providersFor,
  signInWith,
  tokenCalls,
  useMockIdp,
} from "../oauth/helpers.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const s = useMockIdp();
const env = useTestEnv();
const EMAIL = "octo@example.test";
const STATE_INVALID = { status: 403, code: "OAUTH_STATE_INVALID" };

function sessionsOf(accountId: number) {
  const t = authSchema.sessions;
  return env.db.db.select().from(t).where(eq(t.accountId, accountId));
}

/** An app on the stand-in IdP, which here accepts a redeemed code again (the app must not rely on it). */
function laxApp(db = env.db.db) {
  s.idp.reuseCodes = true;
  githubUser(s.idp, { id: 4242, login: "octo", email: EMAIL });
  return oauthApp(env.config({ db, providers: providersFor(s.idp) }));
}

/** Starts a GitHub flow and consents: the callback path and the `connect.sid` cookie of the starting browser. */
async function startedFlow(t: TestApp): Promise<{ path: string; cookie: string }> {
  const res = await t.agent().get("/oauth/github/start");
  expect(res.status, res.text).toBe(302);
  return { path: await consentPath(new URL(res.headers.location!)), cookie: cookiePair(res, "connect.sid")! };
}

/** The callback as the starting browser sends it (its session cookie only). */
function callback(t: TestApp, flow: { path: string; cookie: string }) {
  return request(t.app).get(flow.path).set("Cookie", flow.cookie);
}

describe("OA-01 one state, many parallel callbacks", () => {
  it(`OA-01: ${RACERS} parallel callbacks with one state create one account and one session (new identity)`, async () => {
    const t = laxApp();
    const flow = await startedFlow(t);
    const responses = await race(() => callback(t, flow));
    const winner = expectOneWinner(responses, STATE_INVALID);
    expect(responses[winner]!.body).toEqual({ isNewUser: true });
    const accounts = await accountRows(env);
    expect(accounts.map((a) => a.email)).toEqual([EMAIL]);
    expect(await providerRows(env)).toHaveLength(1);
    expect(await sessionsOf(accounts[0]!.id)).toHaveLength(1);
    expect(await activityOf(env, AuthActivityAction.Login)).toHaveLength(1);
    expect(tokenCalls(s.idp)).toBe(1);
    expect(t.errors).toEqual([]);
  });

  it(`OA-01: ${RACERS} parallel callbacks with one state sign an existing identity in once`, async () => {
    const t = laxApp();
    expect((await signInWith(t.agent(), "github")).status).toBe(200);
    const account = (await accountByEmail(env, EMAIL))!;
    const before = (await sessionsOf(account.id)).length;
    s.idp.requests.length = 0;
    const flow = await startedFlow(t);
    const responses = await race(() => callback(t, flow));
    const winner = expectOneWinner(responses, STATE_INVALID);
    expect(responses[winner]!.body).toEqual({ isNewUser: false });
    expect(await accountRows(env)).toHaveLength(1);
    expect(await providerRows(env)).toHaveLength(1);
    expect(await sessionsOf(account.id)).toHaveLength(before + 1);
    expect(await activityOf(env, AuthActivityAction.Login)).toHaveLength(2);
    expect(tokenCalls(s.idp)).toBe(1);
    expect(t.errors).toEqual([]);
  });

  it(`OA-01: ${RACERS} parallel callbacks with one state, split over two app instances and pools, sign in once`, async () => {
    // On PostgreSQL the second instance has its own connections; on PGlite both share the one database.
    const first = laxApp();
    const second = laxApp(env.db.connect());
    const flow = await startedFlow(first);
    const responses = await race((i) => callback(i % 2 ? first : second, flow));
    expectOneWinner(responses, STATE_INVALID);
    const accounts = await accountRows(env);
    expect(accounts).toHaveLength(1);
    expect(await sessionsOf(accounts[0]!.id)).toHaveLength(1);
    expect(tokenCalls(s.idp)).toBe(1);
    expect([...first.errors, ...second.errors]).toEqual([]);
  });

  it("OA-01: the claimed state is kept only as a SHA-256 key, expiring with the flow", async () => {
    const t = laxApp();
    const startedAt = env.clock.now().getTime();
    const flow = await startedFlow(t);
    const state = new URL(flow.path, "http://app.test").searchParams.get("state")!;
    expect((await callback(t, flow)).status).toBe(200);
    const markers = await env.db.db.select().from(authSchema.usedNonces);
    expect(markers).toHaveLength(1);
    expect(markers[0]!.key).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(markers)).not.toContain(state);
    expect(markers[0]!.expiresAt.getTime()).toBe(startedAt + OAUTH_FLOW_TTL_MS);
  });

  it("OA-01: a state is single use in the database too: a callback replaying it with a saved session copy is refused", async () => {
    const t = laxApp();
    const flow = await startedFlow(t);
    const sessions = authSchema.sessions;
    const [copy] = await env.db.db.select().from(sessions);
    expect((await callback(t, flow)).status).toBe(200);
    // The session row comes back as it was before the callback (a racing write, a restored backup).
    await env.db.db
      .insert(sessions)
      .values(copy!)
      .onConflictDoUpdate({ target: sessions.id, set: { sess: copy!.sess, accountId: null } });
    const replay = await callback(t, flow);
    expect(replay.status, replay.text).toBe(403);
    expect(replay.body.error).toBe("OAUTH_STATE_INVALID");
    expect(tokenCalls(s.idp)).toBe(1);
    expect(await sessionsOf((await accountByEmail(env, EMAIL))!.id)).toHaveLength(1);
  });
});
