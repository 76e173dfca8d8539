/**
 * MF-08: no way into a signed-in session skips the second factor. Starting an impersonation needs a
 * completed sign-in, and stopping one returns to the actor's own (second-factor-completed) session,
 * with its original authentication time: it is not a fresh sign-in.
 */
import { describe, expect, it } from "vitest";
import { AuthRole, addRoleForUserBy, register } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  type TwoFactorApp,
  call,
  codeAt,
  enrollTotp,
  startLogin,
  totpAccount,
  twoFactorApp,
} from "../two-factor/helpers.js";
import { BOB, activityOf, expectClientError, expectRefused, start, stop, whoami } from "./helpers.js";

const env = useTestEnv();
const MIN = 60_000;

/** Alice (Admin) with TOTP enrolled, Bob without; Alice signed in again through both factors. */
async function setup(): Promise<{ app: TwoFactorApp; secret: string; agent: ReturnType<TwoFactorApp["t"]["agent"]> }> {
  const app = twoFactorApp(env, {}, { impersonation: { enabled: true, canImpersonate: () => true } });
  const { secret } = await totpAccount(app, env);
  await addRoleForUserBy(app.config, { email: ALICE }, AuthRole.Admin);
  await register(app.config, BOB, PASSWORD);
  const { agent } = await startLogin(app);
  await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
  await call(agent, "completeTwoFactorLogin").expect(200);
  expect(await whoami(agent)).toMatchObject({ email: ALICE });
  return { app, secret, agent };
}

describe("MF-08: impersonation and the second factor", () => {
  it("MF-08: a session still waiting for its second factor cannot start an impersonation (401 NOT_LOGGED_IN)", async () => {
    const app = twoFactorApp(env, {}, { impersonation: { enabled: true, canImpersonate: () => true } });
    await totpAccount(app, env);
    await addRoleForUserBy(app.config, { email: ALICE }, AuthRole.Admin);
    await register(app.config, BOB, PASSWORD);
    const { agent } = await startLogin(app);
    expectClientError(await call(agent, "startImpersonation", { email: BOB }), 401, "NOT_LOGGED_IN");
    expect(await whoami(agent)).toBeNull();
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
    // The pending state is still there (not turned into anything signed in).
    expectClientError(await call(agent, "completeTwoFactorLogin"), 401);
  });

  it("MF-08: stopping returns to the actor's own session: signed in, no second-factor prompt", async () => {
    const { agent } = await setup();
    await start(agent);
    expect(await whoami(agent)).toMatchObject({ email: BOB });
    await stop(agent);
    expect(await whoami(agent)).toMatchObject({ email: ALICE, roles: ["Admin"] });
    // No new sign-in happened: no login row and no second-factor challenge after the first one.
    expect(await activityOf(env, "login")).toHaveLength(2); // registration sign-in + the 2FA sign-in
    expect(await activityOf(env, "two_factor_challenged")).toHaveLength(1);
  });

  it("MF-08: the actor's authentication time is restored at stop, not refreshed (recent-auth window still counts from the sign-in)", async () => {
    const { agent } = await setup();
    env.clock.advance(5 * MIN);
    await start(agent);
    // While impersonating, no factor change at all.
    expectRefused(await call(agent, "twoFactor.generateNewBackupCodes"));
    env.clock.advance(4 * MIN);
    await stop(agent);
    // 9 minutes after the sign-in: still within the 10-minute window.
    expect((await call(agent, "twoFactor.generateNewBackupCodes")).status).toBe(200);
    env.clock.advance(2 * MIN);
    // 11 minutes after the sign-in (2 after the stop): the stop did not count as an authentication.
    expectClientError(await call(agent, "twoFactor.generateNewBackupCodes"), 401, "REAUTH_REQUIRED");
  });

  it("the expiry path restores the same session (no second factor asked, authentication time kept)", async () => {
    const { agent } = await setup();
    await start(agent, { email: BOB }, { ttl: "2m" });
    env.clock.advance(2 * MIN);
    expect(await whoami(agent)).toMatchObject({ email: ALICE });
    expect((await call(agent, "twoFactor.generateNewBackupCodes")).status).toBe(200);
  });

  it("impersonating a target with two-factor on needs no factor of the target, and leaves the target's factor intact", async () => {
    const { app, agent } = await setup();
    // Bob enrols TOTP on his own.
    const bob = app.t.agent();
    await bob.post("/login").send({ email: BOB, password: PASSWORD }).expect(200);
    await enrollTotp(bob, env.clock.now);
    env.clock.advance(30_000);
    await start(agent);
    expect(await whoami(agent)).toMatchObject({ email: BOB });
    expect((await call(agent, "twoFactor.totpEnabled")).body.result).toBe(true);
    expectRefused(await call(agent, "twoFactor.disable", 1, PASSWORD));
    await stop(agent);
    // Bob's own sign-in still asks for his factor.
    await startLogin(app, { email: BOB });
  });
});
