import { eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import {
  AuthRole,
  AuthStatus,
  EmailNotVerifiedError,
  InvalidEmailError,
  InvalidInputError,
  InvalidPasswordError,
  ResetDisabledError,
  TooManyResetsError,
  UserNotFoundError,
  addRoleForUserBy,
  addRoleToUser,
  changePasswordForUserBy,
  confirmResetPassword,
  createUser,
  deleteUserBy,
  forceLogoutForUserBy,
  getUserRoles,
  hasRoleForUserBy,
  initiatePasswordResetForUserBy,
  register,
  removeRoleForUserBy,
  removeRoleFromUser,
  setStatusForUserBy,
  setUserRoles,
  userExistsByEmail,
} from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

/** Every `Set-Cookie` line of a response. */
function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const header = res.headers["set-cookie"] as string | string[] | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}
const { accounts, sessions, remembers, activityLog, resets } = authSchema;

type Agent = ReturnType<TestApp["agent"]>;

function call(agent: Agent, method: string, ...args: unknown[]) {
  return agent.post(`/call/${method}`).send({ args });
}

async function accountById(id: number) {
  const [row] = await env.db.db.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

async function auditRows(accountId?: number) {
  const rows = await env.db.db.select().from(activityLog).orderBy(activityLog.id);
  return accountId === undefined ? rows : rows.filter((r) => r.accountId === accountId);
}

/** Signs alice in on a fresh agent, remembering the device; returns the agent. */
async function signIn(t: TestApp, email = "alice@example.test", password = PASSWORD): Promise<Agent> {
  const agent = t.agent();
  await agent.post("/login").send({ email, password, remember: true }).expect(200);
  return agent;
}

async function liveAccess(accountId: number) {
  const s = await env.db.db.select().from(sessions).where(eq(sessions.accountId, accountId));
  const r = await env.db.db.select().from(remembers).where(eq(remembers.accountId, accountId));
  return { sessions: s.length, remembers: r.length };
}

/** Alice, signed in with a remember-me cookie, and the remember-me cookie itself. */
async function aliceSignedIn(config: AuthConfig) {
  const account = await register(config, "alice@example.test", PASSWORD);
  const t = createTestApp(config);
  const agent = t.agent();
  const res = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD, remember: true });
  expect(res.status).toBe(200);
  const cookie = setCookies(res)
    .find((c: string) => c.startsWith("remember_token="))!
    .split(";")[0]!;
  return { account, t, agent, cookie };
}

describe("createUser()", () => {
  it("`createUser()` creates a verified account and writes `register`", async () => {
    const config = env.config();
    const account = await createUser(config, { email: "Alice@Example.test", password: PASSWORD });
    expect(account).toMatchObject({ email: "alice@example.test", verified: true, hasPassword: true });
    expect(account).not.toHaveProperty("password");
    const log = await auditRows(account.id);
    expect(log.map((r) => r.action)).toEqual(["register"]);
  });

  it("`createUser()` with a callback creates an unverified account and hands over a confirmation token", async () => {
    const tokens: string[] = [];
    const account = await createUser(
      env.config(),
      { email: "alice@example.test", password: PASSWORD },
      "app-user-1",
      (token) => void tokens.push(token),
    );
    expect(account).toMatchObject({ verified: false, userId: "app-user-1" });
    expect(tokens).toHaveLength(1);
  });

  it("`createUser()` rejects credentials that are not an object (InvalidInputError)", async () => {
    for (const bad of [null, "alice@example.test", 42]) {
      await expect(createUser(env.config(), bad as never)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it("`createUser()` enforces the password policy", async () => {
    await expect(createUser(env.config(), { email: "alice@example.test", password: "short" })).rejects.toMatchObject({
      code: "INVALID_PASSWORD",
      reason: "too_short",
    });
    expect(await env.db.db.select().from(accounts)).toEqual([]);
  });
});

describe("deleteUserBy()", () => {
  it("`deleteUserBy()` deletes the account with its sessions and remember-me tokens", async () => {
    const config = env.config();
    const { account, agent } = await aliceSignedIn(config);
    expect(await liveAccess(account.id)).toEqual({ sessions: 1, remembers: 1 });
    await deleteUserBy(config, { email: "alice@example.test" });
    expect(await accountById(account.id)).toBeUndefined();
    expect(await liveAccess(account.id)).toEqual({ sessions: 0, remembers: 0 });
    await agent.get("/me").expect(401);
  });

  it("`deleteUserBy()` keeps the audit history with account_id NULL and adds `account_deleted`", async () => {
    const config = env.config();
    const { account } = await aliceSignedIn(config);
    const before = (await auditRows(account.id)).map((r) => r.id);
    expect(before.length).toBeGreaterThanOrEqual(2);
    await deleteUserBy(config, { accountId: account.id });
    const orphaned = await env.db.db.select().from(activityLog).where(isNull(activityLog.accountId));
    expect(orphaned.map((r) => r.id)).toEqual(expect.arrayContaining(before));
    const deleted = orphaned.filter((r) => r.action === "account_deleted");
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.metadata).toMatchObject({ accountId: account.id, email: "alice@example.test" });
  });

  it("`deleteUserBy()` frees the email for a new registration", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await deleteUserBy(config, { accountId: account.id });
    const again = await register(config, "alice@example.test", PASSWORD);
    expect(again.id).not.toBe(account.id);
  });

  it("`deleteUserBy()` throws UserNotFoundError for an unknown account", async () => {
    await expect(deleteUserBy(env.config(), { email: "nobody@example.test" })).rejects.toBeInstanceOf(
      UserNotFoundError,
    );
  });
});

describe("role helpers", () => {
  it("`addRoleForUserBy()` adds a bit and `hasRoleForUserBy()` sees it", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor);
    expect((await accountById(account.id))!.rolemask).toBe(AuthRole.Editor);
    expect(await hasRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor)).toBe(true);
    expect(await hasRoleForUserBy(config, { accountId: account.id }, AuthRole.Admin)).toBe(false);
  });

  it("`addRoleForUserBy()` keeps the bits already held", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor);
    await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Admin);
    await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Admin);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(AuthRole.Editor | AuthRole.Admin);
  });

  it("`removeRoleForUserBy()` clears only the given bit", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Admin | AuthRole.Editor | AuthRole.Member);
    await removeRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(AuthRole.Admin | AuthRole.Member);
    await removeRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(AuthRole.Admin | AuthRole.Member);
  });

  it("`hasRoleForUserBy()` requires every bit of a combined mask", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Editor);
    expect(await hasRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor | AuthRole.Admin)).toBe(false);
    await addRoleForUserBy(config, { accountId: account.id }, AuthRole.Admin);
    expect(await hasRoleForUserBy(config, { accountId: account.id }, AuthRole.Editor | AuthRole.Admin)).toBe(true);
  });

  it("`setUserRoles()` replaces the mask, and 0 clears it", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Admin | AuthRole.Member);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Reviewer);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(AuthRole.Reviewer);
    await setUserRoles(config, { accountId: account.id }, 0);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(0);
  });

  it("`addRoleToUser()` and `removeRoleFromUser()` are the @prsm/auth aliases", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await addRoleToUser(config, { accountId: account.id }, AuthRole.Member);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(AuthRole.Member);
    await removeRoleFromUser(config, { accountId: account.id }, AuthRole.Member);
    expect(await getUserRoles(config, { accountId: account.id })).toBe(0);
  });

  it("role helpers reject a role that is not a positive 31-bit integer (InvalidInputError)", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    const id = { accountId: account.id };
    for (const bad of [0, -1, 1.5, "1", null, 2 ** 31, Number.NaN]) {
      await expect(addRoleForUserBy(config, id, bad as never)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(removeRoleForUserBy(config, id, bad as never)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(hasRoleForUserBy(config, id, bad as never)).rejects.toBeInstanceOf(InvalidInputError);
    }
    for (const bad of [-1, 1.5, "1", 2 ** 31]) {
      await expect(setUserRoles(config, id, bad as never)).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(await getUserRoles(config, id)).toBe(0);
  });

  it("role helpers throw UserNotFoundError for an unknown account", async () => {
    const config = env.config();
    const id = { email: "nobody@example.test" };
    await expect(addRoleForUserBy(config, id, 1)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(removeRoleForUserBy(config, id, 1)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(hasRoleForUserBy(config, id, 1)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(setUserRoles(config, id, 1)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(getUserRoles(config, id)).rejects.toBeInstanceOf(UserNotFoundError);
  });
});

describe("setStatusForUserBy()", () => {
  it("`setStatusForUserBy()` rejects a value that is not an AuthStatus (InvalidInputError)", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    for (const bad of [99, -1, "2", null, 1.5]) {
      await expect(setStatusForUserBy(config, { accountId: account.id }, bad as never)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect((await accountById(account.id))!.status).toBe(AuthStatus.Normal);
  });

  it("`setStatusForUserBy()` to Banned revokes every session and remember-me token (SE-05)", async () => {
    const config = env.config();
    const { account, t, agent, cookie } = await aliceSignedIn(config);
    const other = await signIn(t);
    await setStatusForUserBy(config, { accountId: account.id }, AuthStatus.Banned);
    const row = await accountById(account.id);
    expect(row).toMatchObject({ status: AuthStatus.Banned, forceLogout: 1 });
    expect(await liveAccess(account.id)).toEqual({ sessions: 0, remembers: 0 });
    await agent.get("/me").expect(401);
    await other.get("/me").expect(401);
    await t.agent().get("/me").set("Cookie", cookie).expect(401);
  });

  it("`setStatusForUserBy()` to each non-Normal status ends live sessions (SE-05)", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    const t = createTestApp(config);
    for (const status of [AuthStatus.Archived, AuthStatus.Locked, AuthStatus.PendingReview, AuthStatus.Suspended]) {
      await setStatusForUserBy(config, { accountId: account.id }, AuthStatus.Normal);
      const agent = await signIn(t);
      await setStatusForUserBy(config, { accountId: account.id }, status);
      await agent.get("/me").expect(401);
      expect(await liveAccess(account.id)).toEqual({ sessions: 0, remembers: 0 });
    }
  });

  it("`setStatusForUserBy()` back to Normal leaves live sessions alone", async () => {
    const config = env.config();
    const { account, agent } = await aliceSignedIn(config);
    await setStatusForUserBy(config, { accountId: account.id }, AuthStatus.Normal);
    expect(await liveAccess(account.id)).toEqual({ sessions: 1, remembers: 1 });
    await agent.get("/me").expect(200);
  });

  it("`setStatusForUserBy()` writes `status_changed` with the old and new values", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await setStatusForUserBy(config, { accountId: account.id }, AuthStatus.Suspended);
    const row = (await auditRows(account.id)).find((r) => r.action === "status_changed");
    expect(row!.metadata).toEqual({ from: AuthStatus.Normal, to: AuthStatus.Suspended });
  });
});

describe("changePasswordForUserBy()", () => {
  it("`changePasswordForUserBy()` sets the password and revokes sessions and remember-me tokens", async () => {
    const config = env.config();
    const { account, t, agent, cookie } = await aliceSignedIn(config);
    await changePasswordForUserBy(config, { email: "alice@example.test" }, NEW_PASSWORD);
    expect(await liveAccess(account.id)).toEqual({ sessions: 0, remembers: 0 });
    await agent.get("/me").expect(401);
    await t.agent().get("/me").set("Cookie", cookie).expect(401);
    await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(401);
    await t.agent().post("/login").send({ email: "alice@example.test", password: NEW_PASSWORD }).expect(200);
  });

  it("`changePasswordForUserBy()` enforces the password policy before looking up the account", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    await expect(changePasswordForUserBy(config, { email: "alice@example.test" }, "short")).rejects.toMatchObject({
      reason: "too_short",
    });
    await expect(
      changePasswordForUserBy(config, { email: "alice@example.test" }, "password123456789"),
    ).rejects.toMatchObject({ reason: "blocklisted" });
    await expect(changePasswordForUserBy(config, { email: "nobody@example.test" }, "short")).rejects.toBeInstanceOf(
      InvalidPasswordError,
    );
    await expect(
      changePasswordForUserBy(config, { email: "nobody@example.test" }, NEW_PASSWORD),
    ).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it("`changePasswordForUserBy()` writes `password_changed` by admin", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await changePasswordForUserBy(config, { accountId: account.id }, NEW_PASSWORD);
    const row = (await auditRows(account.id)).find((r) => r.action === "password_changed");
    expect(row!.metadata).toEqual({ by: "admin" });
  });
});

describe("initiatePasswordResetForUserBy()", () => {
  it("`initiatePasswordResetForUserBy()` hands a working reset token to the callback", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    let token = "";
    await initiatePasswordResetForUserBy(config, { accountId: account.id }, null, (tk) => void (token = tk));
    await confirmResetPassword(config, token, NEW_PASSWORD);
    const t = createTestApp(config);
    await t.agent().post("/login").send({ email: "alice@example.test", password: NEW_PASSWORD }).expect(200);
  });

  it("`initiatePasswordResetForUserBy()` throws ResetDisabledError when the account is not resettable", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await env.db.db.update(accounts).set({ resettable: false }).where(eq(accounts.id, account.id));
    await expect(
      initiatePasswordResetForUserBy(config, { accountId: account.id }, null, () => {}),
    ).rejects.toBeInstanceOf(ResetDisabledError);
    expect(await env.db.db.select().from(resets)).toEqual([]);
  });

  it("`initiatePasswordResetForUserBy()` throws EmailNotVerifiedError for an unverified account", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD, undefined, () => {});
    await expect(
      initiatePasswordResetForUserBy(config, { accountId: account.id }, null, () => {}),
    ).rejects.toBeInstanceOf(EmailNotVerifiedError);
  });

  it("`initiatePasswordResetForUserBy()` honours the open-request limit", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await initiatePasswordResetForUserBy(config, { accountId: account.id });
    await initiatePasswordResetForUserBy(config, { accountId: account.id });
    await expect(initiatePasswordResetForUserBy(config, { accountId: account.id })).rejects.toBeInstanceOf(
      TooManyResetsError,
    );
  });

  it("`initiatePasswordResetForUserBy()` honours `expiresAfter`", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await initiatePasswordResetForUserBy(config, { accountId: account.id }, "2h");
    const [row] = await env.db.db.select().from(resets);
    expect(row!.expires.getTime() - env.clock.now().getTime()).toBe(2 * 3_600_000);
  });
});

describe("userExistsByEmail()", () => {
  it("`userExistsByEmail()` compares canonical emails, ignoring case and surrounding spaces", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    expect(await userExistsByEmail(config, "ALICE@Example.Test")).toBe(true);
    expect(await userExistsByEmail(config, " alice@example.test ")).toBe(true);
    expect(await userExistsByEmail(config, "alice\uff20example.test")).toBe(true);
    expect(await userExistsByEmail(config, "bob@example.test")).toBe(false);
  });

  it("`userExistsByEmail()` throws InvalidEmailError for a malformed address", async () => {
    for (const bad of ["not an email", 42, null, "a@b.test,c@d.test"]) {
      await expect(userExistsByEmail(env.config(), bad as never)).rejects.toBeInstanceOf(InvalidEmailError);
    }
  });
});

describe("forceLogoutForUserBy()", () => {
  it("`forceLogoutForUserBy()` ends every session and remember-me token and raises force_logout", async () => {
    const config = env.config();
    const { account, t, agent, cookie } = await aliceSignedIn(config);
    const result = await forceLogoutForUserBy(config, { userId: account.userId });
    expect(result).toEqual({ accountId: account.id });
    expect((await accountById(account.id))!.forceLogout).toBe(1);
    expect(await liveAccess(account.id)).toEqual({ sessions: 0, remembers: 0 });
    await agent.get("/me").expect(401);
    await t.agent().get("/me").set("Cookie", cookie).expect(401);
  });

  it("`forceLogoutForUserBy()` leaves the account able to sign in again", async () => {
    const config = env.config();
    const { account, t } = await aliceSignedIn(config);
    await forceLogoutForUserBy(config, { accountId: account.id });
    const agent = await signIn(t);
    await agent.get("/me").expect(200);
  });

  it("`forceLogoutForUserBy()` throws UserNotFoundError for an unknown account", async () => {
    await expect(forceLogoutForUserBy(env.config(), { accountId: 999 })).rejects.toBeInstanceOf(UserNotFoundError);
  });
});

describe("account identifiers", () => {
  async function threeAccounts(config: AuthConfig) {
    const a = await register(config, "a@example.test", PASSWORD, "user-a");
    const b = await register(config, "b@example.test", PASSWORD, "user-b");
    const c = await register(config, "c@example.test", PASSWORD, "user-c");
    return { a, b, c };
  }

  it("an identifier with accountId, email and userId resolves by accountId", async () => {
    const config = env.config();
    const { a } = await threeAccounts(config);
    await addRoleForUserBy(config, { accountId: a.id, email: "b@example.test", userId: "user-c" }, AuthRole.Member);
    expect((await accountById(a.id))!.rolemask).toBe(AuthRole.Member);
    expect((await env.db.db.select().from(accounts)).filter((r) => r.rolemask !== 0)).toHaveLength(1);
  });

  it("an identifier with email and userId resolves by email", async () => {
    const config = env.config();
    const { b } = await threeAccounts(config);
    await addRoleForUserBy(config, { email: "B@Example.test", userId: "user-c" }, AuthRole.Member);
    expect((await accountById(b.id))!.rolemask).toBe(AuthRole.Member);
    expect((await env.db.db.select().from(accounts)).filter((r) => r.rolemask !== 0)).toHaveLength(1);
  });

  it("an identifier with only userId resolves by userId, numbers included", async () => {
    const config = env.config();
    const { c } = await threeAccounts(config);
    await addRoleForUserBy(config, { userId: "user-c" }, AuthRole.Member);
    expect((await accountById(c.id))!.rolemask).toBe(AuthRole.Member);
    const numeric = await register(config, "n@example.test", PASSWORD, 42);
    expect(await getUserRoles(config, { userId: 42 })).toBe(0);
    expect(await getUserRoles(config, { userId: "42" })).toBe(0);
    expect(numeric.userId).toBe("42");
  });

  it("an empty identifier `{}` throws UserNotFoundError", async () => {
    const config = env.config();
    await threeAccounts(config);
    await expect(getUserRoles(config, {})).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(addRoleForUserBy(config, {}, 1)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(deleteUserBy(config, {})).rejects.toBeInstanceOf(UserNotFoundError);
    expect(await env.db.db.select().from(accounts)).toHaveLength(3);
  });

  it("identifiers of the wrong type throw InvalidInputError or InvalidEmailError, never match an account", async () => {
    const config = env.config();
    await threeAccounts(config);
    const cases: [unknown, unknown][] = [
      [null, InvalidInputError],
      ["a@example.test", InvalidInputError],
      [{ accountId: "1" }, InvalidInputError],
      [{ accountId: 0 }, InvalidInputError],
      [{ accountId: 2 ** 40 }, InvalidInputError],
      [{ userId: "" }, InvalidInputError],
      [{ userId: { $ne: null } }, InvalidInputError],
      [{ email: { $ne: null } }, InvalidEmailError],
      [{ email: ["a@example.test"] }, InvalidEmailError],
    ];
    for (const [identifier, error] of cases) {
      await expect(getUserRoles(config, identifier as never)).rejects.toBeInstanceOf(error as never);
    }
  });
});

describe("audit rows of admin mutations", () => {
  const mutations: [string, string, (config: AuthConfig, accountId: number) => Promise<unknown>][] = [
    ["addRoleForUserBy", "role_changed", (c, id) => addRoleForUserBy(c, { accountId: id }, AuthRole.Editor)],
    ["removeRoleForUserBy", "role_changed", (c, id) => removeRoleForUserBy(c, { accountId: id }, AuthRole.Editor)],
    ["setUserRoles", "role_changed", (c, id) => setUserRoles(c, { accountId: id }, AuthRole.Member)],
    ["setStatusForUserBy", "status_changed", (c, id) => setStatusForUserBy(c, { accountId: id }, AuthStatus.Locked)],
    [
      "changePasswordForUserBy",
      "password_changed",
      (c, id) => changePasswordForUserBy(c, { accountId: id }, NEW_PASSWORD),
    ],
    [
      "initiatePasswordResetForUserBy",
      "password_reset_requested",
      (c, id) => initiatePasswordResetForUserBy(c, { accountId: id }),
    ],
    ["forceLogoutForUserBy", "force_logout", (c, id) => forceLogoutForUserBy(c, { accountId: id })],
  ];

  for (const [name, action, run] of mutations) {
    it(`\`${name}()\` writes a \`${action}\` audit row`, async () => {
      const config = env.config();
      const account = await register(config, "alice@example.test", PASSWORD);
      await run(config, account.id);
      const rows = (await auditRows(account.id)).filter((r) => r.action === action);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.success).toBe(true);
      expect(JSON.stringify(rows[0]!.metadata ?? {})).not.toMatch(/argon2|NEW_PASSWORD|tangerine/);
    });
  }

  it("`deleteUserBy()` writes an `account_deleted` audit row", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    await deleteUserBy(config, { accountId: account.id });
    const rows = (await auditRows()).filter((r) => r.action === "account_deleted");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toMatchObject({ accountId: account.id });
  });
});

describe("admin helpers on req.auth", () => {
  /** An admin signed in on an agent, and a target account. */
  async function adminAndTarget(config: AuthConfig) {
    const admin = await register(config, "admin@example.test", PASSWORD);
    await setUserRoles(config, { accountId: admin.id }, AuthRole.Admin);
    const target = await register(config, "target@example.test", PASSWORD);
    const t = createTestApp(config);
    const agent = await signIn(t, "admin@example.test");
    return { admin, target, t, agent };
  }

  const helpers: [string, string, (email: string) => unknown[]][] = [
    ["addRoleForUserBy", "role_changed", (email) => [{ email }, AuthRole.Editor]],
    ["removeRoleForUserBy", "role_changed", (email) => [{ email }, AuthRole.Editor]],
    ["setStatusForUserBy", "status_changed", (email) => [{ email }, AuthStatus.Banned]],
    ["changePasswordForUserBy", "password_changed", (email) => [{ email }, NEW_PASSWORD]],
    ["initiatePasswordResetForUserBy", "password_reset_requested", (email) => [{ email }, null, "$callback"]],
    ["forceLogoutForUserBy", "force_logout", (email) => [{ email }]],
  ];

  for (const [method, action, args] of helpers) {
    it(`\`req.auth.${method}()\` records the signed-in admin as actor_account_id`, async () => {
      const config = env.config();
      const { admin, target, agent } = await adminAndTarget(config);
      await call(agent, method, ...args("target@example.test")).expect(200);
      const rows = (await auditRows(target.id)).filter((r) => r.action === action);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.actorAccountId).toBe(admin.id);
    });
  }

  it("`req.auth.deleteUserBy()` records the signed-in admin as actor_account_id", async () => {
    const config = env.config();
    const { admin, target, agent } = await adminAndTarget(config);
    await call(agent, "deleteUserBy", { accountId: target.id }).expect(200);
    const rows = (await auditRows()).filter((r) => r.action === "account_deleted");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorAccountId).toBe(admin.id);
    expect(await accountById(target.id)).toBeUndefined();
  });

  it("`req.auth.createUser()` records the signed-in admin as actor_account_id", async () => {
    const config = env.config();
    const { admin, agent } = await adminAndTarget(config);
    const res = await call(agent, "createUser", { email: "new@example.test", password: PASSWORD }).expect(200);
    const rows = (await auditRows(res.body.result.id)).filter((r) => r.action === "register");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorAccountId).toBe(admin.id);
  });

  it("`req.auth.hasRoleForUserBy()` and `userExistsByEmail()` answer for other accounts", async () => {
    const config = env.config();
    const { target, agent } = await adminAndTarget(config);
    await addRoleForUserBy(config, { accountId: target.id }, AuthRole.Editor);
    const has = await call(agent, "hasRoleForUserBy", { accountId: target.id }, AuthRole.Editor).expect(200);
    expect(has.body.result).toBe(true);
    const exists = await call(agent, "userExistsByEmail", "TARGET@example.test").expect(200);
    expect(exists.body.result).toBe(true);
  });

  it("`req.auth.forceLogoutForUserBy()` on the admin's own account ends the current session", async () => {
    const config = env.config();
    const { admin, agent } = await adminAndTarget(config);
    await call(agent, "forceLogoutForUserBy", { accountId: admin.id }).expect(200);
    await agent.get("/me").expect(401);
  });

  it("`req.auth.deleteUserBy()` of the signed-in account leaves that agent anonymous", async () => {
    const config = env.config();
    const { admin, t, agent } = await adminAndTarget(config);
    await call(agent, "deleteUserBy", { accountId: admin.id }).expect(200);
    await agent.get("/me").expect(401);
    expect(await accountById(admin.id)).toBeUndefined();
    expect(t.errors).toEqual([]);
  });

  it("admin helpers on req.auth without a signed-in user record no actor", async () => {
    const config = env.config();
    const target = await register(config, "target@example.test", PASSWORD);
    const t = createTestApp(config);
    await call(t.agent(), "addRoleForUserBy", { accountId: target.id }, AuthRole.Editor).expect(200);
    const rows = (await auditRows(target.id)).filter((r) => r.action === "role_changed");
    expect(rows[0]!.actorAccountId).toBeNull();
  });
});
