/** Malformed arguments to startImpersonation are 4xx client errors, never a 500, and start nothing. */
import { describe, expect, it } from "vitest";
import { useTestEnv } from "../helpers/setup.js";
import { ADMIN, BOB, activityOf, call, emailOf, expectClientError, infoOf, start, world } from "./helpers.js";

const env = useTestEnv();

async function expectNothingStarted(w: Awaited<ReturnType<typeof world>>) {
  expect(await emailOf(w.agent)).toBe(ADMIN);
  expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  expect(w.t.errors).toEqual([]);
}

describe("the identifier", () => {
  it.each<[string, unknown]>([
    ["a bare email string", BOB],
    ["a number", 2],
    ["true", true],
    ["null", null],
    ["{ accountId: '2' } (a string id)", { accountId: "2" }],
    ["{ accountId: -1 }", { accountId: -1 }],
    ["{ accountId: 1.5 }", { accountId: 1.5 }],
    ["{ accountId: 2^31 }", { accountId: 2 ** 31 }],
    ["{ email: 42 }", { email: 42 }],
    ["{ email: 'not an address' }", { email: "not an address" }],
    ["{ email: a 10k string }", { email: `${"a".repeat(10_000)}@example.test` }],
    ["{ email: ['bob@example.test'] }", { email: [BOB] }],
    ["{ userId: {} }", { userId: {} }],
    ["{ userId: '' }", { userId: "" }],
  ])("%s → 400, never 500", async (_label, identifier) => {
    const w = await world(env);
    const res = await call(w.agent, "startImpersonation", identifier);
    expectClientError(res, 400);
    await expectNothingStarted(w);
  });

  it.each<[string, unknown]>([
    ["{} (no key)", {}],
    ["[] (an array)", []],
    ["{ unknown: 'x' }", { unknown: "x" }],
  ])("%s finds nobody: 404 target_not_found, never 500", async (_label, identifier) => {
    const w = await world(env);
    expectClientError(await call(w.agent, "startImpersonation", identifier), 404, "USER_NOT_FOUND");
    await expectNothingStarted(w);
  });

  it("a missing identifier (no arguments) is a client error", async () => {
    const w = await world(env);
    expectClientError(await call(w.agent, "startImpersonation"));
    await expectNothingStarted(w);
  });
});

describe("the options", () => {
  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "ticket 42"],
    ["a number", 30],
    ["true", true],
  ])("options of %s → 400", async (_label, options) => {
    const w = await world(env);
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }, options), 400);
    await expectNothingStarted(w);
  });

  it.each<[string, unknown]>([
    ["501 characters", "r".repeat(501)],
    ["5,000 characters", "r".repeat(5000)],
    ["a number", 42],
    ["an object", { text: "ticket" }],
    ["an array", ["ticket"]],
    ["true", true],
  ])("a reason of %s → 400 INVALID_INPUT", async (_label, reason) => {
    const w = await world(env);
    const res = await call(w.agent, "startImpersonation", { email: BOB }, { reason });
    expectClientError(res, 400);
    await expectNothingStarted(w);
  });

  it("a reason of exactly 500 characters is accepted and kept whole", async () => {
    const w = await world(env);
    const reason = "r".repeat(500);
    await start(w.agent, { email: BOB }, { reason });
    expect((await infoOf(w.agent))!.reason).toBe(reason);
    const [row] = await activityOf(env, "impersonation_started");
    expect(row!.metadata!.reason).toBe(reason);
  });

  it.each<[string, unknown]>([
    ["garbage", "garbage"],
    ["an unknown unit", "3 fortnights"],
    ["zero", 0],
    ['"0m"', "0m"],
    ["negative", -60_000],
    ['"-5m"', "-5m"],
    ["an object", { minutes: 5 }],
    ["an array", ["5m"]],
    ["true", true],
    ["an empty string", ""],
    ["a 1,000-character string", "1".repeat(1000)],
    ["an exponent", "1e3"],
  ])("a ttl of %s → 400", async (_label, ttl) => {
    const w = await world(env);
    const res = await call(w.agent, "startImpersonation", { email: BOB }, { ttl });
    expectClientError(res, 400);
    await expectNothingStarted(w);
  });

  it("an invalid reason or ttl is refused before anything is looked up or audited (no rejected row either)", async () => {
    const w = await world(env);
    expectClientError(
      await call(w.agent, "startImpersonation", { email: "nobody@example.test" }, { ttl: "soon" }),
      400,
    );
    expect(await activityOf(env, "impersonation_rejected")).toHaveLength(0);
  });
});

describe("the HTTP body itself", () => {
  it("malformed JSON is a 400, not a 500, and the admin stays the admin", async () => {
    const w = await world(env);
    const res = await w.agent
      .post("/call/startImpersonation")
      .set("Content-Type", "application/json")
      .send('{"args": [{"email": ');
    expectClientError(res, 400);
    await expectNothingStarted(w);
  });
});
