/** Who may impersonate whom (AZ-04): deny by default, never self or nested, lower privilege only, fail closed. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthAccount } from "../../src/core/accounts.js";
import { AuthRole, AuthStatus, addRoleForUserBy, register, setStatusForUserBy } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ADMIN,
  BOB,
  CAROL,
  activityOf,
  behindTheLibrarysBack,
  call,
  emailOf,
  expectClientError,
  expectRefused,
  infoOf,
  start,
  world,
} from "./helpers.js";

const env = useTestEnv();

/** The `impersonation_rejected` rows, as `{ accountId, actorAccountId, success, metadata }`. */
async function rejections() {
  return (await activityOf(env, "impersonation_rejected")).map((r) => ({
    accountId: r.accountId,
    actorAccountId: r.actorAccountId,
    success: r.success,
    metadata: r.metadata,
  }));
}

describe("switched on and signed in", () => {
  it("with impersonation not configured, startImpersonation is a 403 IMPERSONATION_DISABLED", async () => {
    const config = env.config();
    await register(config, ADMIN, PASSWORD);
    await register(config, BOB, PASSWORD);
    await addRoleForUserBy(config, { email: ADMIN }, AuthRole.Admin);
    const t = createTestApp(config);
    const { agent } = await signIn(t, ADMIN, PASSWORD);
    expectClientError(await call(agent, "startImpersonation", { email: BOB }), 403, "IMPERSONATION_DISABLED");
    expect(await emailOf(agent)).toBe(ADMIN);
  });

  it.each([
    ["enabled: false", false],
    ['enabled: "true" (a string, not true)', "true"],
    ["enabled: 1", 1],
  ])("with %s it is a 403 IMPERSONATION_DISABLED and nothing is audited", async (_label, enabled) => {
    const w = await world(env, { impersonation: { enabled: enabled as boolean } });
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }), 403, "IMPERSONATION_DISABLED");
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });

  it("an anonymous request is a 401 NOT_LOGGED_IN", async () => {
    const w = await world(env);
    const res = await call(w.t.agent(), "startImpersonation", { email: BOB });
    expectClientError(res, 401, "NOT_LOGGED_IN");
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });
});

describe("AZ-04: deny by default", () => {
  it("AZ-04: without canImpersonate every attempt is refused (403) and audited as denied", async () => {
    const w = await world(env, { impersonation: { canImpersonate: undefined } });
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await rejections()).toEqual([
      {
        accountId: w.adminId,
        actorAccountId: w.adminId,
        success: false,
        metadata: { reason: "denied", targetAccountId: w.bobId },
      },
    ]);
  });

  it.each([
    ["false", () => false],
    ["undefined", () => undefined],
    ['"yes" (truthy but not true)', () => "yes"],
    ["1", () => 1],
    ["a promise of false", async () => false],
  ])("AZ-04: a policy returning %s refuses", async (_label, policy) => {
    const w = await world(env, { impersonation: { canImpersonate: policy as () => boolean } });
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect((await rejections()).map((r) => r.metadata)).toEqual([{ reason: "denied", targetAccountId: w.bobId }]);
  });

  it("a policy returning a promise of true allows", async () => {
    const w = await world(env, { impersonation: { canImpersonate: async () => true } });
    await start(w.agent);
    expect(await emailOf(w.agent)).toBe(BOB);
  });

  it("the policy gets the actor and the target as fresh accounts, without any password hash", async () => {
    const seen: [AuthAccount, AuthAccount][] = [];
    const w = await world(env, {
      impersonation: {
        canImpersonate: (actor, target) => {
          seen.push([actor, target]);
          return target.email === BOB;
        },
      },
    });
    await start(w.agent);
    expect(seen).toHaveLength(1);
    const [actor, target] = seen[0]!;
    expect(actor).toMatchObject({ id: w.adminId, email: ADMIN, rolemask: AuthRole.Admin, status: AuthStatus.Normal });
    expect(target).toMatchObject({ id: w.bobId, email: BOB, rolemask: 0, hasPassword: true });
    for (const account of [actor, target]) {
      expect(account).not.toHaveProperty("password");
      expect(JSON.stringify(account)).not.toContain("$argon2");
    }
  });

  it("the policy decides per target: Bob allowed, Carol denied", async () => {
    const w = await world(env, { impersonation: { canImpersonate: (_a, target) => target.email === BOB } });
    const other = await signIn(w.t, ADMIN, PASSWORD);
    expectRefused(await call(other.agent, "startImpersonation", { email: CAROL }));
    await start(w.agent);
    expect(await emailOf(w.agent)).toBe(BOB);
    expect(await emailOf(other.agent)).toBe(ADMIN);
  });
});

describe("AZ-04: the policy hook fails closed", () => {
  it("AZ-04: a throwing canImpersonate → 403, audited as policy_error without the error's message", async () => {
    const w = await world(env, {
      impersonation: {
        canImpersonate: () => {
          throw new Error("db password hunter2 leaked in a stack trace");
        },
      },
    });
    const res = await call(w.agent, "startImpersonation", { email: BOB }, { reason: "check" });
    expectRefused(res);
    expect(JSON.stringify(res.body)).not.toContain("hunter2");
    expect(await emailOf(w.agent)).toBe(ADMIN);
    expect(await rejections()).toEqual([
      {
        accountId: w.adminId,
        actorAccountId: w.adminId,
        success: false,
        metadata: { reason: "policy_error", targetAccountId: w.bobId },
      },
    ]);
    const all = await activityOf(env, "impersonation_rejected");
    expect(JSON.stringify(all)).not.toContain("hunter2");
    expect(w.t.errors).toEqual([]);
  });

  it("AZ-04: a rejected policy promise (or a thrown non-Error) is a policy_error too", async () => {
    const w = await world(env, {
      impersonation: {
        canImpersonate: (_actor, target) =>
          target.email === BOB ? Promise.reject(new Error("policy service down")) : Promise.reject("a string"),
      },
    });
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expectRefused(await call(w.agent, "startImpersonation", { email: CAROL }));
    expect((await rejections()).map((r) => r.metadata)).toEqual([
      { reason: "policy_error", targetAccountId: w.bobId },
      { reason: "policy_error", targetAccountId: w.carolId },
    ]);
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });
});

describe("AZ-04: never self, never nested", () => {
  it("AZ-04: impersonating oneself → 403, audited as self_impersonation (even with requireLowerPrivilege off)", async () => {
    const w = await world(env, { impersonation: { requireLowerPrivilege: false } });
    expectRefused(await call(w.agent, "startImpersonation", { email: ADMIN }));
    expectRefused(await call(w.agent, "startImpersonation", { accountId: w.adminId }));
    expect(await rejections()).toEqual([
      {
        accountId: w.adminId,
        actorAccountId: w.adminId,
        success: false,
        metadata: { reason: "self_impersonation", targetAccountId: w.adminId },
      },
      {
        accountId: w.adminId,
        actorAccountId: w.adminId,
        success: false,
        metadata: { reason: "self_impersonation", targetAccountId: w.adminId },
      },
    ]);
    expect(await call(w.agent, "isImpersonating").then((r) => r.body.result)).toBe(false);
  });

  it("AZ-04: impersonating while impersonating → 409 ALREADY_IMPERSONATING; the first one goes on", async () => {
    const w = await world(env);
    await start(w.agent);
    const nested = await call(w.agent, "startImpersonation", { email: CAROL });
    expectClientError(nested, 409, "ALREADY_IMPERSONATING");
    // Also when "returning" to the actor itself or targeting the current target again.
    expectClientError(await call(w.agent, "startImpersonation", { email: ADMIN }), 409, "ALREADY_IMPERSONATING");
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }), 409, "ALREADY_IMPERSONATING");
    expect(await emailOf(w.agent)).toBe(BOB);
    expect((await infoOf(w.agent))!.actorId).toBe(w.adminId);
    expect(await activityOf(env, "impersonation_started")).toHaveLength(1);
  });
});

describe("AZ-04: the target", () => {
  it("an unknown target → 404 USER_NOT_FOUND after the actor's checks, audited as target_not_found", async () => {
    const w = await world(env);
    for (const identifier of [
      { email: "nobody@example.test" },
      { accountId: 999_999 },
      { userId: "no-such-user" },
      {},
    ]) {
      const res = await call(w.agent, "startImpersonation", identifier);
      expectClientError(res, 404, "USER_NOT_FOUND");
    }
    expect((await rejections()).map((r) => r.metadata)).toEqual(
      Array(4).fill({ reason: "target_not_found", targetAccountId: null }),
    );
    expect(await emailOf(w.agent)).toBe(ADMIN);
  });

  it.each([
    ["Banned", AuthStatus.Banned],
    ["Locked", AuthStatus.Locked],
    ["Suspended", AuthStatus.Suspended],
    ["Archived", AuthStatus.Archived],
    ["PendingReview", AuthStatus.PendingReview],
  ])("a %s target → 403, audited as target_inactive", async (_name, status) => {
    const w = await world(env);
    await setStatusForUserBy(w.config, { email: BOB }, status);
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect((await rejections()).map((r) => r.metadata)).toEqual([
      { reason: "target_inactive", targetAccountId: w.bobId },
    ]);
  });

  it("an unverified target can be impersonated (only the status matters)", async () => {
    const w = await world(env);
    await register(w.config, "unverified@example.test", PASSWORD, undefined, () => {});
    await start(w.agent, { email: "unverified@example.test" });
    expect(await emailOf(w.agent)).toBe("unverified@example.test");
  });
});

describe("AZ-04: privilege (requireLowerPrivilege, on by default)", () => {
  it("AZ-04: an admin impersonating another admin → 403, audited as privilege", async () => {
    const w = await world(env);
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.Admin);
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect(await rejections()).toEqual([
      {
        accountId: w.adminId,
        actorAccountId: w.adminId,
        success: false,
        metadata: { reason: "privilege", targetAccountId: w.bobId },
      },
    ]);
  });

  it("AZ-04: an admin impersonating a super-admin → 403 privilege", async () => {
    const w = await world(env);
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.SuperAdmin);
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    await addRoleForUserBy(w.config, { email: CAROL }, AuthRole.Admin | AuthRole.SuperAdmin);
    expectRefused(await call(w.agent, "startImpersonation", { email: CAROL }));
    expect((await rejections()).map((r) => r.metadata!.reason)).toEqual(["privilege", "privilege"]);
  });

  it("AZ-04: a target holding a role the actor lacks is refused, even with fewer roles in number", async () => {
    const w = await world(env);
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.Editor);
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect((await rejections()).map((r) => r.metadata!.reason)).toEqual(["privilege"]);
  });

  it("an actor holding every role of the target and more may impersonate it", async () => {
    const w = await world(env, { adminRoles: AuthRole.Admin | AuthRole.Editor });
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.Editor);
    await start(w.agent);
    expect((await call(w.agent, "getRoleNames")).body.result).toEqual(["Editor"]);
  });

  it("a super-admin (SuperAdmin | Admin) may impersonate an admin", async () => {
    const w = await world(env, { adminRoles: AuthRole.Admin | AuthRole.SuperAdmin });
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.Admin);
    await start(w.agent);
    expect(await emailOf(w.agent)).toBe(BOB);
  });

  it("AZ-04: two plain users (no roles) cannot impersonate each other even with a permissive policy", async () => {
    const w = await world(env);
    const bob = await signIn(w.t, BOB, PASSWORD);
    expectRefused(await call(bob.agent, "startImpersonation", { email: CAROL }));
    expect(await rejections()).toEqual([
      {
        accountId: w.bobId,
        actorAccountId: w.bobId,
        success: false,
        metadata: { reason: "privilege", targetAccountId: w.carolId },
      },
    ]);
    expect(await emailOf(bob.agent)).toBe(BOB);
  });

  it("with requireLowerPrivilege: false the policy alone decides (an admin may impersonate an admin)", async () => {
    const w = await world(env, { impersonation: { requireLowerPrivilege: false } });
    await addRoleForUserBy(w.config, { email: BOB }, AuthRole.Admin | AuthRole.SuperAdmin);
    await start(w.agent);
    expect(await emailOf(w.agent)).toBe(BOB);
  });

  it("the privilege check reads the actor's roles from the database, not from the session", async () => {
    const w = await world(env);
    // The admin's session still says Admin (no resync yet), but the row no longer does.
    await behindTheLibrarysBack(env, w.adminId, { rolemask: 0 });
    expect((await call(w.agent, "getRoleNames")).body.result).toEqual(["Admin"]);
    expectRefused(await call(w.agent, "startImpersonation", { email: BOB }));
    expect((await rejections()).map((r) => r.metadata!.reason)).toEqual(["privilege"]);
  });
});

describe("AZ-04: the actor must be Normal and not force-logged-out", () => {
  it("AZ-04: an actor banned since its last resync → 403 USER_INACTIVE and the session ends", async () => {
    const w = await world(env);
    // A status change made behind the library's back: the session row survives, only a check can tell.
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    expect(await emailOf(w.agent)).toBe(ADMIN); // within resyncInterval: the session does not know yet
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }), 403, "USER_INACTIVE");
    expect(await emailOf(w.agent)).toBeNull();
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });

  it.each([
    ["Locked", AuthStatus.Locked],
    ["Suspended", AuthStatus.Suspended],
  ])("AZ-04: a %s actor cannot start", async (_name, status) => {
    const w = await world(env);
    await behindTheLibrarysBack(env, w.adminId, { status });
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }), 403, "USER_INACTIVE");
    expect(await emailOf(w.agent)).toBeNull();
  });

  it("AZ-04: an actor force-logged-out since its last resync → 403 USER_INACTIVE and the session ends", async () => {
    const w = await world(env);
    await behindTheLibrarysBack(env, w.adminId, { forceLogout: 5 });
    expectClientError(await call(w.agent, "startImpersonation", { email: BOB }), 403, "USER_INACTIVE");
    expect(await emailOf(w.agent)).toBeNull();
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });

  it("an actor deleted meanwhile cannot start (a client error, nobody impersonated)", async () => {
    const w = await world(env);
    // The cascade removes the session row too, so the request is anonymous.
    await env.db.db.delete(authSchema.accounts).where(eq(authSchema.accounts.id, w.adminId));
    const res = await call(w.agent, "startImpersonation", { email: BOB });
    expectClientError(res);
    expect(await emailOf(w.agent)).toBeNull();
    expect(await activityOf(env, "impersonation_started")).toHaveLength(0);
  });
});
