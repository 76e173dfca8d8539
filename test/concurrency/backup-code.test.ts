/** MF-07 / DB-03: one backup code answers one second-factor challenge, however many race with it. */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction } from "../../src/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { activityOf, call, startLogin, totpAccount, twoFactorApp } from "../two-factor/helpers.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const env = useTestEnv();

describe("MF-07 one backup code, many parallel challenges", () => {
  it(`MF-07: ${RACERS} parallel logins answered with one backup code: exactly one completes`, async () => {
    const app = twoFactorApp(env);
    const { backupCodes } = await totpAccount(app, env);
    const logins: Awaited<ReturnType<typeof startLogin>>[] = [];
    for (let i = 0; i < RACERS; i++) logins.push(await startLogin(app));
    const responses = await race((i) => call(logins[i]!.agent, "twoFactor.verify.backupCode", backupCodes[0]));
    const winner = expectOneWinner(responses, { status: 401, code: "INVALID_BACKUP_CODE" });
    expect(await env.db.db.select().from(authSchema.twoFactorBackupCodes)).toHaveLength(backupCodes.length - 1);
    expect(await activityOf(env, AuthActivityAction.BackupCodeUsed)).toHaveLength(1);
    await call(logins[winner]!.agent, "completeTwoFactorLogin").expect(200);
    await call(logins[(winner + 1) % RACERS]!.agent, "completeTwoFactorLogin").expect(401);
    expect(app.t.errors).toEqual([]);
  });
});
