import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import {
  AuthActivityAction,
  AuthRole,
  AuthStatus,
  TwoFactorMechanism,
  defineRoles,
  register,
  resolveAuthConfig,
  setUserRoles,
} from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

type Agent = ReturnType<TestApp["agent"]>;

function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

/** Alice with `rolemask`, signed in on an agent of an app built on `config`. */
async function signedInWith(config: AuthConfig, rolemask: number): Promise<Agent> {
  const account = await register(config, "alice@example.test", PASSWORD);
  await setUserRoles(config, { accountId: account.id }, rolemask);
  const agent = createTestApp(config).agent();
  await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  return agent;
}

async function result(agent: Agent, method: string, ...args: unknown[]) {
  const res = await call(agent, method, ...args).expect(200);
  return res.body.result;
}

describe("defineRoles()", () => {
  it("`defineRoles()` gives each name the next bit, in argument order", () => {
    expect(defineRoles("owner", "editor", "viewer")).toEqual({ owner: 1, editor: 2, viewer: 4 });
  });

  it("`defineRoles()` returns a frozen object", () => {
    const roles = defineRoles("owner", "editor");
    expect(Object.isFrozen(roles)).toBe(true);
  });

  it("`defineRoles()` accepts 31 names, the last getting bit 30", () => {
    const names = Array.from({ length: 31 }, (_, i) => `role${i}`);
    const roles = defineRoles(...names);
    expect(roles.role30).toBe(2 ** 30);
    expect(Object.values(roles).every((bit) => bit > 0)).toBe(true);
  });

  it("`defineRoles()` throws for no names", () => {
    expect(() => defineRoles()).toThrow("At least one role name is required");
  });

  it("`defineRoles()` throws for more than 31 names", () => {
    const names = Array.from({ length: 32 }, (_, i) => `role${i}`);
    expect(() => defineRoles(...names)).toThrow("Cannot define more than 31 roles (postgres INTEGER is 32-bit signed)");
  });

  it("`defineRoles()` throws for a duplicate name", () => {
    expect(() => defineRoles("owner", "editor", "owner")).toThrow("Duplicate role name: owner");
  });

  it("`defineRoles()` throws for an empty or non-string name", () => {
    expect(() => defineRoles("owner", "")).toThrow();
    expect(() => defineRoles("owner", 5 as never)).toThrow();
  });

  it("a role set from `defineRoles()` is accepted as `roles` config", () => {
    const roles = defineRoles("owner", "editor");
    expect(resolveAuthConfig(env.config({ roles })).roles).toBe(roles);
  });
});

describe("getRoleNames()", () => {
  it("`getRoleNames()` lists the built-in names of a given mask", async () => {
    const agent = createTestApp(env.config()).agent();
    expect(await result(agent, "getRoleNames", AuthRole.Admin | AuthRole.Editor)).toEqual(["Admin", "Editor"]);
  });

  it("`getRoleNames()` without an argument lists the roles of the signed-in account", async () => {
    const agent = await signedInWith(env.config(), AuthRole.Moderator | AuthRole.Member);
    expect(await result(agent, "getRoleNames")).toEqual(["Member", "Moderator"]);
    expect((await agent.get("/me").expect(200)).body.roles).toEqual(["Member", "Moderator"]);
  });

  it("`getRoleNames()` is empty for an anonymous request", async () => {
    const agent = createTestApp(env.config()).agent();
    expect(await result(agent, "getRoleNames")).toEqual([]);
  });

  it("`getRoleNames()` uses a custom role set from the config", async () => {
    const roles = defineRoles("owner", "editor", "viewer");
    const agent = createTestApp(env.config({ roles })).agent();
    expect(await result(agent, "getRoleNames", 5)).toEqual(["owner", "viewer"]);
  });
});

describe("hasRole()", () => {
  it("`hasRole(0)` is false, even for an account holding every role", async () => {
    const agent = await signedInWith(env.config(), 0x7fffffff);
    expect(await result(agent, "hasRole", 0)).toBe(false);
  });

  it("`hasRole()` is true for a held bit and false for another", async () => {
    const agent = await signedInWith(env.config(), AuthRole.Editor);
    expect(await result(agent, "hasRole", AuthRole.Editor)).toBe(true);
    expect(await result(agent, "hasRole", AuthRole.Admin)).toBe(false);
  });

  it("`hasRole()` requires every bit of a combined mask", async () => {
    const agent = await signedInWith(env.config(), AuthRole.Editor);
    expect(await result(agent, "hasRole", AuthRole.Editor | AuthRole.Admin)).toBe(false);
  });

  it("`hasRole()` is false for an anonymous request", async () => {
    const agent = createTestApp(env.config()).agent();
    expect(await result(agent, "hasRole", AuthRole.Admin)).toBe(false);
  });

  it("`hasRole()` is false for arguments that are not numbers", async () => {
    const agent = await signedInWith(env.config(), AuthRole.Admin);
    for (const bad of ["1", null, [1], { valueOf: 1 }]) expect(await result(agent, "hasRole", bad)).toBe(false);
  });
});

describe("isAdmin()", () => {
  it("`isAdmin()` is true with the built-in Admin bit", async () => {
    const agent = await signedInWith(env.config(), AuthRole.Admin | AuthRole.Editor);
    expect(await result(agent, "isAdmin")).toBe(true);
  });

  it("`isAdmin()` is false without the built-in Admin bit, SuperAdmin included", async () => {
    const agent = await signedInWith(env.config(), AuthRole.SuperAdmin | AuthRole.Editor);
    expect(await result(agent, "isAdmin")).toBe(false);
  });

  it("`isAdmin()` is false for an anonymous request", async () => {
    expect(await result(createTestApp(env.config()).agent(), "isAdmin")).toBe(false);
  });

  it('`isAdmin()` with `defineRoles("admin", "editor")` checks the `admin` bit', async () => {
    const roles = defineRoles("admin", "editor");
    expect(resolveAuthConfig(env.config({ roles })).adminRole).toBe(1);
    const config = env.config({ roles });
    const agent = await signedInWith(config, roles.admin);
    expect(await result(agent, "isAdmin")).toBe(true);
  });

  it('`isAdmin()` with `defineRoles("admin", "editor")` is false for an editor', async () => {
    const roles = defineRoles("admin", "editor");
    const agent = await signedInWith(env.config({ roles }), roles.editor);
    expect(await result(agent, "isAdmin")).toBe(false);
  });

  it('`isAdmin()` with `defineRoles("editor", "admin")` checks bit 2, not the first bit', async () => {
    const roles = defineRoles("editor", "admin");
    const config = env.config({ roles });
    expect(resolveAuthConfig(config).adminRole).toBe(2);
    const agent = await signedInWith(config, roles.editor);
    expect(await result(agent, "isAdmin")).toBe(false);
  });

  it('`isAdmin()` with `defineRoles("owner", "editor")` is false even for the first role', async () => {
    const roles = defineRoles("owner", "editor");
    const config = env.config({ roles });
    expect(resolveAuthConfig(config).adminRole).toBe(0);
    const agent = await signedInWith(config, roles.owner | roles.editor);
    expect(await result(agent, "isAdmin")).toBe(false);
  });

  it('`isAdmin()` with `defineRoles("owner", "editor")` and `adminRole: owner` is true for an owner', async () => {
    const roles = defineRoles("owner", "editor");
    const agent = await signedInWith(env.config({ roles, adminRole: roles.owner }), roles.owner);
    expect(await result(agent, "isAdmin")).toBe(true);
  });
});

describe("enums", () => {
  it("`AuthStatus` has the seed's values", () => {
    expect(AuthStatus).toEqual({ Normal: 0, Archived: 1, Banned: 2, Locked: 3, PendingReview: 4, Suspended: 5 });
    expect(Object.isFrozen(AuthStatus)).toBe(true);
  });

  it("`AuthRole` has the seed's 22 roles and bits", () => {
    expect(AuthRole).toEqual({
      Admin: 1,
      Author: 2,
      Collaborator: 4,
      Consultant: 8,
      Consumer: 16,
      Contributor: 32,
      Owner: 64,
      Creator: 128,
      Developer: 256,
      Director: 512,
      Editor: 1024,
      Employee: 2048,
      Member: 4096,
      Manager: 8192,
      Moderator: 16384,
      Publisher: 32768,
      Reviewer: 65536,
      Subscriber: 131072,
      SuperAdmin: 262144,
      SuperEditor: 524288,
      SuperModerator: 1048576,
      Translator: 2097152,
    });
    expect(Object.isFrozen(AuthRole)).toBe(true);
  });

  it("`AuthActivityAction` keeps every string of the seed", () => {
    expect(AuthActivityAction).toMatchObject({
      Login: "login",
      Logout: "logout",
      FailedLogin: "failed_login",
      Register: "register",
      EmailConfirmed: "email_confirmed",
      PasswordResetRequested: "password_reset_requested",
      PasswordResetCompleted: "password_reset_completed",
      PasswordChanged: "password_changed",
      EmailChanged: "email_changed",
      RoleChanged: "role_changed",
      StatusChanged: "status_changed",
      ForceLogout: "force_logout",
      OAuthConnected: "oauth_connected",
      RememberTokenCreated: "remember_token_created",
      TwoFactorSetup: "two_factor_setup",
      TwoFactorVerified: "two_factor_verified",
      TwoFactorFailed: "two_factor_failed",
      TwoFactorDisabled: "two_factor_disabled",
      BackupCodeUsed: "backup_code_used",
      ImpersonationStarted: "impersonation_started",
      ImpersonationStopped: "impersonation_stopped",
      ImpersonationExpired: "impersonation_expired",
      ImpersonationRejected: "impersonation_rejected",
    });
    expect(Object.isFrozen(AuthActivityAction)).toBe(true);
  });

  it("`AuthActivityAction` values are unique snake_case strings", () => {
    const values = Object.values(AuthActivityAction);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("`TwoFactorMechanism` has the seed's values", () => {
    expect(TwoFactorMechanism).toEqual({ TOTP: 1, EMAIL: 2, SMS: 3 });
  });

  it("`getStatusName()` names the status of the signed-in account", async () => {
    const agent = await signedInWith(env.config(), 0);
    expect(await result(agent, "getStatus")).toBe(AuthStatus.Normal);
    expect(await result(agent, "getStatusName")).toBe("Normal");
  });

  it("`getStatusName()` is null for an anonymous request", async () => {
    const agent = createTestApp(env.config()).agent();
    expect(await result(agent, "getStatusName")).toBeNull();
  });
});
