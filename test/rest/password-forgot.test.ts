/**
 * EN-04 over REST and `req.auth`: a forgot-password request does the same database work whatever the
 * address is (unknown, unverified, verified, reset-disabled, over its open-link limit). The statements
 * are recorded by a Drizzle logger on the worker's own connection; only their text is compared.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { recordingDb } from "../helpers/recording-db.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { csrfOf, restApp } from "./helpers.js";

const env = useTestEnv();
const { accounts, resets } = authSchema;
const ADDRESSES = {
  unknown: "nobody@example.test",
  unverified: "bob@example.test",
  verified: "alice@example.test",
  resetDisabled: "carol@example.test",
  overLimit: "dave@example.test",
};

/** The five kinds of address; Dave already holds the 2 open links `maxOpenResets` allows. */
async function accountsOfEveryKind(config: AuthConfig): Promise<void> {
  await register(config, ADDRESSES.verified, PASSWORD);
  await register(config, ADDRESSES.unverified, PASSWORD, undefined, () => {});
  const carol = await register(config, ADDRESSES.resetDisabled, PASSWORD);
  await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, carol.id));
  await register(config, ADDRESSES.overLimit, PASSWORD);
}

describe("forgot password: the same statements for every address (EN-04)", () => {
  it("`POST /auth/password/forgot` sends the same statements, in order, for all five kinds of address (EN-04)", async () => {
    const recording = recordingDb(env);
    const rest = restApp(env, { config: { db: recording.db } });
    await accountsOfEveryKind(rest.config);
    const forgot = async (email: string) => {
      const agent = rest.agent();
      const csrfToken = await csrfOf(agent);
      recording.statements.length = 0;
      const res = await agent
        .post("/auth/password/forgot")
        .set("Accept", "application/json")
        .send({ email, csrfToken });
      expect(res.status, res.text).toBe(200);
      return [...recording.statements];
    };
    for (let i = 0; i < 2; i++) await forgot(ADDRESSES.overLimit);
    const reference = await forgot(ADDRESSES.unknown);
    expect(reference.some((s) => s.includes(`insert into "auth_resets"`))).toBe(true);
    for (const email of Object.values(ADDRESSES)) expect(await forgot(email), email).toEqual(reference);
    expect(rest.mail.resets.map((l) => l.email)).toEqual([
      ADDRESSES.overLimit,
      ADDRESSES.overLimit,
      ADDRESSES.verified,
    ]);
  });

  it("`req.auth.resetPassword()` sends the same statements, in order, for all five kinds of address (EN-04)", async () => {
    const recording = recordingDb(env);
    const config = env.config({ db: recording.db });
    const t = createTestApp(config);
    await accountsOfEveryKind(config);
    const request = async (email: string) => {
      recording.statements.length = 0;
      const res = await t
        .agent()
        .post("/call/resetPassword")
        .send({ args: [email, null, null, "$callback"] });
      expect(res.body).toEqual({ result: null });
      return [...recording.statements];
    };
    for (let i = 0; i < 2; i++) await request(ADDRESSES.overLimit);
    const reference = await request(ADDRESSES.unknown);
    for (const email of Object.values(ADDRESSES)) expect(await request(email), email).toEqual(reference);
    expect(t.outbox).toHaveLength(3);
    expect(await env.db.db.select().from(resets)).toHaveLength(3);
  });
});
