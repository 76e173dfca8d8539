import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import type { AdminContext } from "../../src/admin/admin-context.js";
import { TwoFactorMechanism } from "../../src/core/activity-actions.js";
import { AuthRole, defineRoles } from "../../src/primitives/roles.js";
import { AuthStatus } from "../../src/primitives/status.js";
import { register, setStatusForUserBy } from "../../src/standalone.js";
import { AuthConfigError } from "../../src/errors.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { auditRows, auditRowsOf, expectCode, t } from "./helpers.js";

const env = useTestEnv();
const ACTOR_IP = "203.0.113.7";
const ACTOR_UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";

/** An admin account (the actor), a target account, and a context acting as the admin. */
async function adminAndTarget(config: AuthConfig) {
  const admin = await register(config, "admin@example.test", PASSWORD);
  const target = await register(config, "target@example.test", PASSWORD);
  const ctx = createAuthContext(config, { actor: { accountId: admin.id, ip: ACTOR_IP, userAgent: ACTOR_UA } });
  return { admin, target, ctx };
}

type Mutation = [name: string, action: string, run: (ctx: AdminContext, targetId: number) => Promise<unknown>];

const mutations: Mutation[] = [
  ["addRoleForUserBy", "role_changed", (c, id) => c.addRoleForUserBy({ accountId: id }, AuthRole.Editor)],
  ["removeRoleForUserBy", "role_changed", (c, id) => c.removeRoleForUserBy({ accountId: id }, AuthRole.Editor)],
  ["setStatusForUserBy", "status_changed", (c, id) => c.setStatusForUserBy({ accountId: id }, AuthStatus.Locked)],
  [
    "changePasswordForUserBy",
    "password_changed",
    (c, id) => c.changePasswordForUserBy({ accountId: id }, NEW_PASSWORD),
  ],
  ["forceLogoutForUserBy", "force_logout", (c, id) => c.forceLogoutForUserBy({ accountId: id })],
  [
    "initiatePasswordResetForUserBy",
    "password_reset_requested",
    (c, id) => c.initiatePasswordResetForUserBy({ accountId: id }, null, () => {}),
  ],
  ["resetPassword", "password_reset_requested", (c) => c.resetPassword("target@example.test", null, null, () => {})],
];

describe("createAuthContext(): audit of mutations (AZ-02)", () => {
  for (const [name, action, run] of mutations) {
    it(`AZ-02: \`${name}()\` writes one \`${action}\` row with the actor's id, IP and user agent`, async () => {
      const config = env.config();
      const { admin, target, ctx } = await adminAndTarget(config);
      await run(ctx, target.id);
      const rows = (await auditRowsOf(env, action)).filter((r) => r.accountId === target.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actorAccountId: admin.id, ipAddress: ACTOR_IP, userAgent: ACTOR_UA });
    });
  }

  it("AZ-02: `deleteUserBy()` writes `account_deleted` with the actor, and the target is gone", async () => {
    const config = env.config();
    const { admin, target, ctx } = await adminAndTarget(config);
    await ctx.deleteUserBy({ accountId: target.id });
    const rows = await auditRowsOf(env, "account_deleted");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorAccountId: admin.id, metadata: { accountId: target.id } });
    expect(await env.db.db.select().from(t.accounts).where(eq(t.accounts.id, target.id))).toEqual([]);
  });

  it("AZ-02: `createUser()` and `register()` write `register` rows with the actor", async () => {
    const config = env.config();
    const { admin, ctx } = await adminAndTarget(config);
    const a = await ctx.createUser({ email: "new1@example.test", password: PASSWORD });
    const b = await ctx.register("new2@example.test", PASSWORD);
    const rows = (await auditRowsOf(env, "register")).filter((r) => r.accountId === a.id || r.accountId === b.id);
    expect(rows.map((r) => r.actorAccountId)).toEqual([admin.id, admin.id]);
  });

  it("AZ-02: `confirmResetPassword()` writes `password_reset_completed` with the actor", async () => {
    const config = env.config();
    const { admin, target, ctx } = await adminAndTarget(config);
    let token = "";
    await ctx.initiatePasswordResetForUserBy({ accountId: target.id }, null, (x) => void (token = x));
    expect(await ctx.confirmResetPassword(token, NEW_PASSWORD)).toEqual({
      accountId: target.id,
      email: "target@example.test",
    });
    const rows = await auditRowsOf(env, "password_reset_completed");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorAccountId).toBe(admin.id);
  });

  it("a context without an actor records a NULL actor and no IP", async () => {
    const config = env.config();
    const target = await register(config, "target@example.test", PASSWORD);
    await createAuthContext(config).addRoleForUserBy({ accountId: target.id }, AuthRole.Editor);
    const [row] = await auditRowsOf(env, "role_changed");
    expect(row).toMatchObject({ actorAccountId: null, ipAddress: null, userAgent: null });
  });

  it("read-only members write no audit rows", async () => {
    const config = env.config();
    const { target, ctx } = await adminAndTarget(config);
    const before = (await auditRows(env)).length;
    await ctx.hasRoleForUserBy({ accountId: target.id }, AuthRole.Editor);
    await ctx.userExistsByEmail("target@example.test");
    await ctx.listAccounts({ search: "t" });
    await ctx.getAccount({ accountId: target.id });
    await ctx.getRecentActivity();
    await ctx.getActivityStats();
    await ctx.getStats();
    await ctx.listSessions({ accountId: target.id });
    expect((await auditRows(env)).length).toBe(before);
  });
});

describe("createAuthContext(): actor and config", () => {
  it("an actor id that matches no account fails the mutation with INVALID_INPUT and changes nothing", async () => {
    const config = env.config();
    const target = await register(config, "target@example.test", PASSWORD);
    const ctx = createAuthContext(config, { actor: { accountId: 999_999 } });
    await expectCode(ctx.setStatusForUserBy({ accountId: target.id }, AuthStatus.Banned), "INVALID_INPUT");
    const [row] = await env.db.db.select().from(t.accounts).where(eq(t.accounts.id, target.id));
    expect(row!.status).toBe(AuthStatus.Normal);
    expect(await auditRowsOf(env, "status_changed")).toEqual([]);
  });

  const badActors: [string, unknown][] = [
    ["a string", "admin"],
    ["an array", [1]],
    ["a string accountId", { accountId: "1" }],
    ["a fractional accountId", { accountId: 1.5 }],
    ["a negative accountId", { accountId: -1 }],
    ["a numeric ip", { ip: 127001 }],
    ["an over-long ip", { ip: "1".repeat(65) }],
    ["an object userAgent", { userAgent: { toString: () => "x" } }],
    ["a 1 MB userAgent", { userAgent: "x".repeat(1 << 20) }],
  ];
  for (const [label, actor] of badActors) {
    it(`IN-01: \`createAuthContext()\` refuses ${label} as actor with INVALID_INPUT`, async () => {
      expect(() => createAuthContext(env.config(), { actor: actor as never })).toThrow(
        expect.objectContaining({ code: "INVALID_INPUT" }),
      );
    });
  }

  it("`actor` echoes the checked actor, and is null without one", () => {
    const config = env.config();
    expect(createAuthContext(config).actor).toBeNull();
    expect(createAuthContext(config, { actor: { accountId: 7, ip: ACTOR_IP } }).actor).toEqual({
      accountId: 7,
      ip: ACTOR_IP,
      userAgent: null,
    });
  });

  it("`createAuthContext()` validates the config at once (INVALID_CONFIG)", () => {
    expect(() => createAuthContext({ db: env.db.db, minPasswordLength: 3 })).toThrow(AuthConfigError);
  });

  it("`getRoles()` returns the configured role set itself, or AuthRole", () => {
    const roles = defineRoles("owner", "editor");
    expect(createAuthContext(env.config({ roles })).getRoles()).toBe(roles);
    expect(createAuthContext(env.config()).getRoles()).toBe(AuthRole);
  });

  it("`getStatuses()` and `getMechanisms()` return the enums themselves", () => {
    const ctx = createAuthContext(env.config());
    expect(ctx.getStatuses()).toBe(AuthStatus);
    expect(ctx.getMechanisms()).toBe(TwoFactorMechanism);
  });

  it("`getStats()` counts the auth tables", async () => {
    const config = env.config();
    await adminAndTarget(config);
    expect(await createAuthContext(config).getStats()).toMatchObject({ accounts: 2, sessions: 0 });
  });

  it("the control actions keep the standalone errors: unknown account → USER_NOT_FOUND", async () => {
    const ctx = createAuthContext(env.config());
    await expectCode(ctx.forceLogoutForUserBy({ accountId: 12345 }), "USER_NOT_FOUND");
    await expectCode(ctx.setStatusForUserBy({ email: "nobody@example.test" }, AuthStatus.Banned), "USER_NOT_FOUND");
  });

  it("`hasRoleForUserBy()` and `userExistsByEmail()` answer through the context", async () => {
    const config = env.config();
    const { target, ctx } = await adminAndTarget(config);
    await ctx.addRoleForUserBy({ email: "TARGET@example.test" }, AuthRole.Editor);
    expect(await ctx.hasRoleForUserBy({ accountId: target.id }, AuthRole.Editor)).toBe(true);
    expect(await ctx.hasRoleForUserBy({ accountId: target.id }, AuthRole.Admin)).toBe(false);
    expect(await ctx.userExistsByEmail("Target@Example.test")).toBe(true);
    expect(await ctx.userExistsByEmail("other@example.test")).toBe(false);
  });

  it("a status set through the context is what `getAccount()` reports", async () => {
    const config = env.config();
    const { target, ctx } = await adminAndTarget(config);
    await setStatusForUserBy(config, { accountId: target.id }, AuthStatus.Suspended);
    expect((await ctx.getAccount({ accountId: target.id })).status).toBe(AuthStatus.Suspended);
  });
});
