/** TK-03 / DB-03: one password reset token changes the password once, however many requests race with it. */
import { verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction, register } from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const { accounts, activityLog, resets } = authSchema;

function call(t: TestApp, method: string, ...args: unknown[]) {
  return t.agent().post(`/call/${method}`).send({ args });
}

/** A verified account, an app, and a reset token the app "mailed". */
async function resetToken() {
  const config = env.config();
  const account = await register(config, ALICE, PASSWORD);
  const t = createTestApp(config);
  await call(t, "resetPassword", ALICE, null, null, "$callback").expect(200);
  return { t, accountId: account.id, token: t.lastToken("resetPassword") };
}

describe("TK-03 one reset token, many parallel confirmations", () => {
  it(`TK-03: ${RACERS} parallel confirmResetPassword() calls with one token set exactly one new password`, async () => {
    const { t, accountId, token } = await resetToken();
    const passwords = Array.from({ length: RACERS }, (_, i) => `${NEW_PASSWORD} racer ${String.fromCharCode(97 + i)}`);
    const responses = await race((i) => call(t, "confirmResetPassword", token, passwords[i]));
    const winner = expectOneWinner(responses, { status: 400, code: "RESET_NOT_FOUND" });
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(await verify(row!.password!, passwords[winner]!)).toBe(true);
    expect(await verify(row!.password!, passwords[(winner + 1) % RACERS]!)).toBe(false);
    expect(await env.db.db.select().from(resets).where(eq(resets.accountId, accountId))).toEqual([]);
    const completed = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.PasswordResetCompleted));
    expect(completed).toHaveLength(1);
    expect(t.errors).toEqual([]);
  });
});
