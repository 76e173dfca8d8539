/** MF-06 / DB-03: one emailed second-factor code is accepted once, however many requests race with it. */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { call, enrollEmail, registerAndSignIn, startLogin, twoFactorApp } from "../two-factor/helpers.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const env = useTestEnv();

describe("MF-06 one email code, many parallel answers", () => {
  it(`MF-06: ${RACERS} parallel answers with one emailed code from the challenged session: exactly one is accepted`, async () => {
    const app = twoFactorApp(env);
    await enrollEmail(app, await registerAndSignIn(app));
    const { agent } = await startLogin(app);
    const code = app.lastCode("email", "login");
    const responses = await race(() => call(agent, "twoFactor.verify.email", code));
    // The code is bound to this session, so all answers share it; once the session has counted
    // `maxAttempts` wrong answers the challenge itself is gone (NOT_LOGGED_IN), also a clean 401.
    expectOneWinner(responses, { status: 401, code: ["INVALID_TWO_FACTOR_CODE", "NOT_LOGGED_IN"] });
    expect(await env.db.db.select().from(authSchema.twoFactorTokens)).toEqual([]);
    expect(app.t.errors).toEqual([]);
  });
});
