/** TK-03 / DB-03: one email confirmation token confirms once, however many requests race with it. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction } from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { RACERS, expectOneWinner, race } from "./race.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const { accounts, activityLog, confirmations } = authSchema;

function call(t: TestApp, method: string, ...args: unknown[]) {
  return t.agent().post(`/call/${method}`).send({ args });
}

describe("TK-03 one confirmation token, many parallel confirmations", () => {
  it(`TK-03: ${RACERS} parallel confirmEmail() calls with one token confirm the address exactly once`, async () => {
    const t = createTestApp(env.config());
    const registered = await call(t, "register", ALICE, PASSWORD, null, "$callback").expect(200);
    const accountId = registered.body.result.id as number;
    const token = t.lastToken("register");
    const responses = await race(() => call(t, "confirmEmail", token));
    expectOneWinner(responses, { status: 400, code: "CONFIRMATION_NOT_FOUND" });
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(row!.verified).toBe(true);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
    const confirmed = await env.db.db
      .select()
      .from(activityLog)
      .where(eq(activityLog.action, AuthActivityAction.EmailConfirmed));
    expect(confirmed.map((r) => r.accountId)).toEqual([accountId]);
    expect(t.errors).toEqual([]);
  });
});
