/**
 * An unknown target (AZ-04, EN-01 style): `UserNotFoundError` (404), as in @prsm/auth, only after the
 * actor's checks (a policy, a role under requireLowerPrivilege, `mayImpersonate` when set). An actor
 * refused at that level gets the same 403 whether or not the target exists.
 */
import { describe, expect, it } from "vitest";
import type { AuthAccount } from "../../src/core/accounts.js";
import { AuthRole } from "../../src/index.js";
import { signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  CAROL,
  activityOf,
  call,
  emailOf,
  expectClientError,
  expectRefused,
  start,
  world,
} from "./helpers.js";

const env = useTestEnv();
const UNKNOWN = [{ email: "nobody@example.test" }, { accountId: 999_999 }, { userId: "no-such-user" }, {}];

/** Only admins may impersonate at all: the actor-level permission. */
const adminsOnly = (actor: AuthAccount) => (actor.rolemask & AuthRole.Admin) !== 0;

/** What a caller can observe of an answer. */
async function answer(agent: Parameters<typeof call>[0], identifier: unknown) {
  const res = await call(agent, "startImpersonation", identifier);
  return { status: res.status, body: res.body as unknown };
}

async function rejectionReasons(): Promise<unknown[]> {
  return (await activityOf(env, "impersonation_rejected")).map((r) => r.metadata);
}

describe("AZ-04: an unknown target once the actor is permitted", () => {
  it.each(UNKNOWN)("AZ-04: with mayImpersonate allowing the actor, %j → 404 USER_NOT_FOUND", async (identifier) => {
    const w = await world(env, { impersonation: { mayImpersonate: adminsOnly } });
    expectClientError(await call(w.agent, "startImpersonation", identifier), 404, "USER_NOT_FOUND");
    expect(await rejectionReasons()).toEqual([{ reason: "target_not_found", targetAccountId: null }]);
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });

  it("a permitted actor still needs canImpersonate for an existing target; it is not asked about an unknown one", async () => {
    const seen: string[] = [];
    const w = await world(env, {
      impersonation: {
        mayImpersonate: adminsOnly,
        canImpersonate: (_actor, target) => (seen.push(target.email), target.email === BOB),
      },
    });
    expectClientError(await call(w.agent, "startImpersonation", { email: "nobody@example.test" }), 404);
    expectRefused(await call(w.agent, "startImpersonation", { email: CAROL }));
    await start(w.agent, { email: BOB });
    expect(seen).toEqual([CAROL, BOB]);
  });

  it("the 404 comes only after the actor's own checks: impersonation disabled", async () => {
    const w = await world(env, { impersonation: { enabled: false, mayImpersonate: adminsOnly } });
    const res = await call(w.agent, "startImpersonation", { email: "nobody@example.test" });
    expectClientError(res, 403, "IMPERSONATION_DISABLED");
  });

  it("the 404 comes only after the actor's own checks: anonymous, then already impersonating", async () => {
    const w = await world(env, { impersonation: { mayImpersonate: adminsOnly } });
    const unknown = { email: "nobody@example.test" };
    expectClientError(await call(w.t.agent(), "startImpersonation", unknown), 401, "NOT_LOGGED_IN");
    await start(w.agent, { email: BOB });
    expectClientError(await call(w.agent, "startImpersonation", unknown), 409, "ALREADY_IMPERSONATING");
    expect(await rejectionReasons()).toEqual([]);
  });

  it("without mayImpersonate, an actor with a role and a policy gets 404 for an unknown target (the seed's order)", async () => {
    const w = await world(env);
    expectClientError(await call(w.agent, "startImpersonation", { email: "nobody@example.test" }), 404, "USER_NOT_FOUND");
  });
});

describe("AZ-04: no existence oracle for an actor without permission", () => {
  it.each([
    ["unknown first", ["nobody@example.test", CAROL]],
    ["existing first", [CAROL, "nobody@example.test"]],
  ])(
    "AZ-04: an actor mayImpersonate refuses gets one 403 for an unknown and an existing target (%s)",
    async (_order, targets) => {
      const w = await world(env, { impersonation: { mayImpersonate: adminsOnly } });
      const editor = await signIn(w.t, BOB, PASSWORD);
      await call(w.agent, "addRoleForUserBy", { email: BOB }, AuthRole.Editor).expect(200);
      const [first, second] = [
        await answer(editor.agent, { email: targets[0] }),
        await answer(editor.agent, { email: targets[1] }),
      ];
      expect(first).toEqual(second);
      expect(first.status).toBe(403);
      expect(first.body).toMatchObject({ error: "IMPERSONATION_NOT_ALLOWED" });
      expect((await rejectionReasons()).map((m) => (m as { reason: string }).reason)).toEqual(["denied", "denied"]);
    },
  );

  it.each([
    ["no canImpersonate policy", { canImpersonate: undefined }, ADMIN],
    ["a role-less actor (requireLowerPrivilege)", {}, BOB],
  ])("AZ-04: with %s, unknown and existing targets get the same 403 in both orders", async (_label, options, actor) => {
    const w = await world(env, { impersonation: { mayImpersonate: () => true, ...options } });
    const agent = actor === ADMIN ? w.agent : (await signIn(w.t, actor, PASSWORD)).agent;
    const a = await answer(agent, { email: "nobody@example.test" });
    const b = await answer(agent, { email: CAROL });
    const c = await answer(agent, { email: "nobody@example.test" });
    expect(a.status).toBe(403);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("AZ-04: a mayImpersonate that throws refuses (403 policy_error) whether or not the target exists", async () => {
    const w = await world(env, {
      impersonation: {
        mayImpersonate: () => {
          throw new Error("directory service down");
        },
      },
    });
    const unknown = await answer(w.agent, { email: "nobody@example.test" });
    expect(await answer(w.agent, { email: BOB })).toEqual(unknown);
    expect(unknown.status).toBe(403);
    expect(await rejectionReasons()).toEqual([
      { reason: "policy_error", targetAccountId: null },
      { reason: "policy_error", targetAccountId: w.bobId },
    ]);
  });

  it("mayImpersonate receives the actor without its password hash; only `true` allows", async () => {
    const seen: AuthAccount[] = [];
    const w = await world(env, { impersonation: { mayImpersonate: (actor) => (seen.push(actor), "yes" as never) } });
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: w.adminId, email: ADMIN });
    expect(seen[0]).not.toHaveProperty("password");
  });
});
