import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import { escapeLikePattern } from "../../src/admin/account-list.js";
import { AuthRole } from "../../src/primitives/roles.js";
import { AuthStatus } from "../../src/primitives/status.js";
import { register, setStatusForUserBy, setUserRoles } from "../../src/standalone.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { expectCode, expectNoSecrets, insertAccounts, storedSecrets, t } from "./helpers.js";

const env = useTestEnv();

async function emails(options: Parameters<ReturnType<typeof createAuthContext>["listAccounts"]>[0]) {
  const { accounts } = await createAuthContext(env.config()).listAccounts(options);
  return accounts.map((a) => a.email);
}

describe("listAccounts(): search", () => {
  it("`listAccounts()` matches a case-insensitive prefix of the email", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    await register(config, "alfred@example.test", PASSWORD);
    await register(config, "bob@alice.test", PASSWORD);
    expect(await emails({ search: "AL" })).toEqual(["alfred@example.test", "alice@example.test"]);
    expect(await emails({ search: "Alice@" })).toEqual(["alice@example.test"]);
  });

  it("`listAccounts()` does not match in the middle of an address (prefix only)", async () => {
    await register(env.config(), "bob@alice.test", PASSWORD);
    expect(await emails({ search: "alice" })).toEqual([]);
  });

  it("`listAccounts()` normalises the search like stored emails (NFKC, trimmed)", async () => {
    await register(env.config(), "alice@example.test", PASSWORD);
    expect(await emails({ search: "  ＡＬＩＣＥ " })).toEqual(["alice@example.test"]);
  });

  it("IN-04: a search for `%` matches only emails that contain a literal `%` there", async () => {
    const config = env.config();
    await register(config, "100%sure@example.test", PASSWORD);
    await register(config, "100xsure@example.test", PASSWORD);
    expect(await emails({ search: "100%" })).toEqual(["100%sure@example.test"]);
    expect(await emails({ search: "%" })).toEqual([]);
  });

  it("IN-04: `_` in a search is a literal underscore, not any character", async () => {
    const config = env.config();
    await register(config, "a_b@example.test", PASSWORD);
    await register(config, "axb@example.test", PASSWORD);
    expect(await emails({ search: "a_" })).toEqual(["a_b@example.test"]);
  });

  it("IN-04: a backslash or SQL in a search is literal: empty result, no error, tables unchanged", async () => {
    await register(env.config(), "alice@example.test", PASSWORD);
    for (const search of ["\\", "a\\", "\\%", "' OR '1'='1", "x'); DROP TABLE auth_accounts;--"])
      expect(await emails({ search })).toEqual([]);
    expect(await env.db.db.$count(t.accounts)).toBe(1);
  });

  it("`escapeLikePattern()` escapes backslash, percent and underscore", () => {
    expect(escapeLikePattern("a\\b%c_d")).toBe("a\\\\b\\%c\\_d");
  });

  it("an empty or blank search lists everything", async () => {
    await insertAccounts(env, 3);
    expect(await emails({ search: "" })).toHaveLength(3);
    expect(await emails({ search: "   " })).toHaveLength(3);
    expect(await emails({ search: null })).toHaveLength(3);
  });
});

describe("listAccounts(): paging, order, filters", () => {
  it("`listAccounts()` orders by id descending and pages with limit and offset", async () => {
    await insertAccounts(env, 7);
    expect(await emails({ limit: 3 })).toEqual(["user7@example.test", "user6@example.test", "user5@example.test"]);
    expect(await emails({ limit: 3, offset: 6 })).toEqual(["user1@example.test"]);
  });

  it("`total` counts every match of the filter, not the page", async () => {
    await insertAccounts(env, 12);
    const result = await createAuthContext(env.config()).listAccounts({ search: "user1", limit: 2 });
    expect(result.accounts.map((a) => a.email)).toEqual(["user12@example.test", "user11@example.test"]);
    expect(result.total).toBe(4); // user1, user10, user11, user12
  });

  it("`limit` defaults to 50 and is clamped to 1..500", async () => {
    await insertAccounts(env, 520);
    expect(await emails({})).toHaveLength(50);
    expect(await emails({ limit: 10_000 })).toHaveLength(500);
    expect(await emails({ limit: 0 })).toHaveLength(1);
    expect(await emails({ limit: -5 })).toHaveLength(1);
  });

  it("an offset past the end gives an empty page and the full total", async () => {
    await insertAccounts(env, 3);
    expect(await createAuthContext(env.config()).listAccounts({ offset: 10 })).toEqual({ accounts: [], total: 3 });
  });

  it("`status` keeps only accounts in that status", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    const bob = await register(config, "bob@example.test", PASSWORD);
    await setStatusForUserBy(config, { accountId: bob.id }, AuthStatus.Banned);
    expect(await emails({ status: AuthStatus.Banned })).toEqual(["bob@example.test"]);
    expect(await emails({ status: AuthStatus.Normal })).toEqual(["alice@example.test"]);
  });

  it("`role` keeps only accounts holding every bit of the mask", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    const bob = await register(config, "bob@example.test", PASSWORD);
    await setUserRoles(config, { accountId: alice.id }, AuthRole.Admin | AuthRole.Editor);
    await setUserRoles(config, { accountId: bob.id }, AuthRole.Editor);
    expect(await emails({ role: AuthRole.Editor })).toEqual(["bob@example.test", "alice@example.test"]);
    expect(await emails({ role: AuthRole.Admin | AuthRole.Editor })).toEqual(["alice@example.test"]);
  });

  it("each account carries its verified two-factor mechanisms", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    await register(config, "bob@example.test", PASSWORD);
    const now = env.clock.now();
    await env.db.db.insert(t.twoFactorMethods).values([
      { accountId: alice.id, mechanism: 3, secret: "+15551234567", verified: true, createdAt: now },
      { accountId: alice.id, mechanism: 2, secret: "alice@example.test", verified: true, createdAt: now },
      { accountId: alice.id, mechanism: 1, secret: "sealed", verified: false, createdAt: now },
    ]);
    const { accounts } = await createAuthContext(config).listAccounts();
    expect(accounts.map((a) => [a.email, a.twoFactor])).toEqual([
      ["bob@example.test", []],
      ["alice@example.test", [2, 3]],
    ]);
  });
});

describe("listAccounts(): no secrets and bad input", () => {
  it("CS-04: listed accounts carry `hasPassword`, never the password hash", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    await insertAccounts(env, 1, "oauth");
    const { accounts } = await createAuthContext(config).listAccounts();
    expect(accounts.map((a) => [a.email, a.hasPassword])).toEqual([
      ["oauth1@example.test", false],
      ["alice@example.test", true],
    ]);
    for (const account of accounts) expect(Object.keys(account)).not.toContain("password");
    expectNoSecrets(accounts, await storedSecrets(env));
    expect(JSON.stringify(accounts)).not.toMatch(/argon2/);
  });

  const bad: [string, unknown][] = [
    ["options as a string", "alice"],
    ["options as an array", [1]],
    ["search as a number", { search: 5 }],
    ["search as an object", { search: { $ne: null } }],
    ["search as an array", { search: ["a"] }],
    ["a 300-character search", { search: "a".repeat(300) }],
    ["a 10 MB search", { search: "a".repeat(10 << 20) }],
    ["a search with a NUL byte", { search: "a\u0000b" }],
    ["limit as a string", { limit: "10" }],
    ["limit as NaN", { limit: Number.NaN }],
    ["limit as Infinity", { limit: Number.POSITIVE_INFINITY }],
    ["a fractional limit", { limit: 2.5 }],
    ["a negative offset", { offset: -1 }],
    ["offset as a string", { offset: "1; drop table" }],
    ["a huge offset", { offset: 2 ** 40 }],
    ["an unknown status", { status: 99 }],
    ["status as a string", { status: "0" }],
    ["a zero role", { role: 0 }],
    ["role as a string", { role: "1" }],
  ];
  for (const [label, options] of bad) {
    it(`IN-01: \`listAccounts()\` refuses ${label} with INVALID_INPUT`, async () => {
      await expectCode(createAuthContext(env.config()).listAccounts(options as never), "INVALID_INPUT");
    });
  }

  it("`getAccount()` returns the account without the hash, with `hasPassword` and mechanisms", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    const account = await createAuthContext(config).getAccount({ email: "ALICE@example.test" });
    expect(account).toMatchObject({ id: alice.id, email: "alice@example.test", hasPassword: true, twoFactor: [] });
    expect(Object.keys(account)).not.toContain("password");
    const [row] = await env.db.db.select().from(t.accounts).where(eq(t.accounts.id, alice.id));
    expectNoSecrets(account, [row!.password!]);
  });

  it("`getAccount()` of an unknown account throws USER_NOT_FOUND; a malformed id INVALID_INPUT", async () => {
    const ctx = createAuthContext(env.config());
    await expectCode(ctx.getAccount({ accountId: 42 }), "USER_NOT_FOUND");
    await expectCode(ctx.getAccount({ accountId: "42" as never }), "INVALID_INPUT");
    await expectCode(ctx.getAccount(null as never), "INVALID_INPUT");
    await expectCode(ctx.getAccount({ email: "x".repeat(5000) }), "INVALID_EMAIL");
  });
});
