/**
 * Correlated subqueries look at the row they belong to (issue: a raw `exists (…)` column lost its
 * table names, so `account_id = id` compared the method row with itself and one account's second
 * factor decided every other account's sign-in). Each test puts a row of another account next to the
 * one under test, with ids that never coincide across tables (the test template offsets them).
 */
import { describe, expect, it } from "vitest";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ACCOUNT_ID_START } from "../helpers/identity-offsets.js";
import { ALICE, call, enrollTotp, methodRows, registerAndSignIn, twoFactorApp } from "../two-factor/helpers.js";
import { TWO_FACTOR, enrolTotp, pendingAgent, restApp, signIn, signedInAgent } from "../rest/helpers.js";

const env = useTestEnv();
const BOB = "bob@example.test";
const CAROL = "carol@example.test";

async function passwordLogin(app: ReturnType<typeof twoFactorApp>, email: string) {
  return app.t.agent().post("/login").send({ email, password: PASSWORD });
}

describe("the second-factor subquery of the login lookup (MF-08)", () => {
  it("ids of accounts and method rows never coincide in tests", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app, ALICE);
    await enrollTotp(agent, env.clock.now);
    const [method] = await methodRows(env);
    expect(method!.accountId).toBeGreaterThanOrEqual(ACCOUNT_ID_START);
    expect(method!.id).not.toBe(method!.accountId);
  });

  it("asks the enrolled account for its second factor and not the one next to it", async () => {
    const app = twoFactorApp(env);
    await registerAndSignIn(app, ALICE);
    const bob = await registerAndSignIn(app, BOB);
    await enrollTotp(bob, env.clock.now);
    env.clock.advance(30_000);
    const alice = await passwordLogin(app, ALICE);
    expect(alice.status, JSON.stringify(alice.body)).toBe(200);
    const bobLogin = await passwordLogin(app, BOB);
    expect(bobLogin.status).toBe(401);
    expect(bobLogin.body.error).toBe("SECOND_FACTOR_REQUIRED");
  });

  it("asks each of two enrolled accounts, enrolled in reverse order of registration", async () => {
    const app = twoFactorApp(env);
    const alice = await registerAndSignIn(app, ALICE);
    const bob = await registerAndSignIn(app, BOB);
    await registerAndSignIn(app, CAROL);
    await enrollTotp(bob, env.clock.now);
    await enrollTotp(alice, env.clock.now);
    env.clock.advance(30_000);
    for (const email of [ALICE, BOB]) {
      const res = await passwordLogin(app, email);
      expect(res.status, email).toBe(401);
      expect(res.body.error, email).toBe("SECOND_FACTOR_REQUIRED");
    }
    expect((await passwordLogin(app, CAROL)).status).toBe(200);
  });

  it("one account turning its factor off changes nothing for another enrolled account", async () => {
    const app = twoFactorApp(env);
    const alice = await registerAndSignIn(app, ALICE);
    const bob = await registerAndSignIn(app, BOB);
    await enrollTotp(alice, env.clock.now);
    await enrollTotp(bob, env.clock.now);
    await call(alice, "twoFactor.disable", 1, PASSWORD).expect(200);
    env.clock.advance(30_000);
    expect((await passwordLogin(app, ALICE)).status).toBe(200);
    const res = await passwordLogin(app, BOB);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("SECOND_FACTOR_REQUIRED");
  });

  it("an unconfirmed enrolment of one account does not ask another for a factor", async () => {
    const app = twoFactorApp(env);
    await registerAndSignIn(app, ALICE);
    const bob = await registerAndSignIn(app, BOB);
    await call(bob, "twoFactor.setup.totp").expect(200);
    expect((await passwordLogin(app, ALICE)).status).toBe(200);
    expect((await passwordLogin(app, BOB)).status).toBe(200);
  });

  it("holds over REST: POST /auth/signin/credentials asks only the enrolled account", async () => {
    const rest = restApp(env, { config: TWO_FACTOR });
    await signedInAgent(rest, CAROL);
    const bob = await signedInAgent(rest, BOB);
    await enrolTotp(bob, env.clock.now);
    env.clock.advance(30_000);
    await pendingAgent(rest, BOB);
    await signIn(rest.agent(), CAROL);
  });
});

describe("the lockout and rate-limit subqueries of the login lookup (BF-01)", () => {
  it("failures of one account do not lock another account", async () => {
    const app = twoFactorApp(env, {}, { loginLockout: { maxFailures: 3, duration: "15m" } });
    await registerAndSignIn(app, ALICE);
    await registerAndSignIn(app, BOB);
    for (let i = 0; i < 3; i++)
      await app.t.agent().post("/login").send({ email: ALICE, password: "not the password at all" }).expect(401);
    const locked = await passwordLogin(app, ALICE);
    expect(locked.status).toBe(429);
    expect((await passwordLogin(app, BOB)).status).toBe(200);
  });
});
