/** MF-03 / DB-03: one TOTP code (one time step) answers one second-factor challenge, however many race. */
import { describe, expect, it } from "vitest";
import { AuthActivityAction } from "../../src/index.js";
import { totpStep } from "../../src/two-factor/totp.js";
import { useTestEnv } from "../helpers/setup.js";
import { activityOf, call, codeAt, methodRows, startLogin, totpAccount, twoFactorApp } from "../two-factor/helpers.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const env = useTestEnv();

describe("MF-03 one TOTP step, many parallel challenges", () => {
  it(`MF-03: ${RACERS} parallel logins answered with one TOTP code: exactly one completes`, async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const logins: Awaited<ReturnType<typeof startLogin>>[] = [];
    for (let i = 0; i < RACERS; i++) logins.push(await startLogin(app));
    const code = codeAt(secret, env.clock.now());
    const responses = await race((i) => call(logins[i]!.agent, "twoFactor.verify.totp", code));
    const winner = expectOneWinner(responses, { status: 401, code: "INVALID_TWO_FACTOR_CODE" });
    const [method] = await methodRows(env);
    expect(method!.lastUsedStep).toBe(totpStep(env.clock.now()));
    const verified = await activityOf(env, AuthActivityAction.TwoFactorVerified);
    expect(verified.filter((r) => (r.metadata as { mechanism?: string }).mechanism === "totp")).toHaveLength(1);
    await call(logins[winner]!.agent, "completeTwoFactorLogin").expect(200);
    await call(logins[(winner + 1) % RACERS]!.agent, "completeTwoFactorLogin").expect(401);
    expect(app.t.errors).toEqual([]);
  });
});
