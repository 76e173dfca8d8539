import { describe, expect, it } from "vitest";
import { TwoFactorMechanism } from "../../src/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { activityOf, call, enrollEmail, enrollTotp, registerAndSignIn, twoFactorApp } from "./helpers.js";

const env = useTestEnv();

describe("two-factor management", () => {
  it("disabling a method that is not the last one needs no re-authentication", async () => {
    const app = twoFactorApp(env);
    const agent = await registerAndSignIn(app);
    await enrollTotp(agent, env.clock.now);
    await enrollEmail(app, agent);
    env.clock.advance(20 * 60_000); // past the 10-minute recent-auth window, within the idle timeout
    await call(agent, "twoFactor.disable", TwoFactorMechanism.EMAIL).expect(200);
    const enabled = await call(agent, "twoFactor.getEnabledMethods").expect(200);
    expect(enabled.body.result).toEqual([TwoFactorMechanism.TOTP]);
  });

  it("writes two_factor_locked when wrong enrolment codes reach the lockout threshold (MF-05)", async () => {
    const app = twoFactorApp(env, { lockoutThreshold: 3 });
    const agent = await registerAndSignIn(app);
    await call(agent, "twoFactor.setup.totp").expect(200);
    for (let i = 0; i < 3; i++) await call(agent, "twoFactor.complete.totp", "000000").expect(401);
    await call(agent, "twoFactor.complete.totp", "000000").expect(429);
    expect(await activityOf(env, "two_factor_locked")).toHaveLength(1);
  });
});
