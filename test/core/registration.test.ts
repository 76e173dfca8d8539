import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import {
  EmailTakenError,
  InvalidEmailError,
  InvalidInputError,
  InvalidPasswordError,
  UserIdTakenError,
  register,
} from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

describe("register()", () => {
  it("stores an argon2id PHC hash, never the password (PW-07)", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    const [row] = await env.db.db.select().from(authSchema.accounts).where(eq(authSchema.accounts.id, account.id));
    expect(row!.password).toMatch(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
    expect(row!.password).not.toContain(PASSWORD);
    expect(account).not.toHaveProperty("password");
  });

  it("canonicalises the email so case variants are one account (IN-03)", async () => {
    const config = env.config();
    await register(config, "Alice@Example.TEST", PASSWORD);
    await expect(register(config, "alice@example.test", PASSWORD)).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("rejects a password shorter than the minimum (PW-01)", async () => {
    await expect(register(env.config(), "bob@example.test", "short")).rejects.toMatchObject({
      reason: "too_short",
      code: "INVALID_PASSWORD",
    });
  });

  it("rejects malformed emails with InvalidEmailError", async () => {
    await expect(register(env.config(), "not an email", PASSWORD)).rejects.toBeInstanceOf(InvalidEmailError);
    await expect(register(env.config(), 42 as never, PASSWORD)).rejects.toBeInstanceOf(InvalidEmailError);
  });

  it("rejects a blocklisted password", async () => {
    await expect(register(env.config(), "carol@example.test", "password123456789")).rejects.toBeInstanceOf(
      InvalidPasswordError,
    );
  });
});

const { accounts, confirmations, activityLog } = authSchema;

async function accountRows() {
  return env.db.db.select().from(accounts);
}

describe("concurrent registration (DB-02)", () => {
  const variants = [
    "race@example.test",
    "RACE@example.test",
    "Race@Example.Test",
    "race\uff20example.test",
    " race@example.test ",
    "\uff52\uff41\uff43\uff45@example.test",
  ];

  it("20 concurrent `register()` calls for one email in different forms create exactly one account (DB-02)", async () => {
    const config = env.config();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => register(config, variants[i % variants.length]!, PASSWORD)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EmailTakenError);
    const rows = await accountRows();
    expect(rows.map((r) => r.email)).toEqual(["race@example.test"]);
  });

  it("20 concurrent `POST /register` for one email answer one 200 and nineteen 409 EMAIL_TAKEN, never a 500 (DB-02)", async () => {
    // All 20 come from one address: the per-IP sign-up limit (10 an hour) is off so the race is the subject.
    const t = createTestApp(env.config({ rateLimits: { register: false } }));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .agent()
          .post("/register")
          .send({ email: variants[i % variants.length], password: PASSWORD }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of responses.filter((r) => r.status === 409)) {
      expect(r.body).toEqual({ error: "EMAIL_TAKEN", message: "Email address is already in use" });
    }
    expect(t.errors).toEqual([]);
    expect(await accountRows()).toHaveLength(1);
  });

  it("concurrent registrations on two connection pools still create one account (DB-02)", async () => {
    const first = env.config();
    const second = env.config({ db: env.db.connect() });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => register(i % 2 ? first : second, variants[i % variants.length]!, PASSWORD)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(EmailTakenError);
    expect(await accountRows()).toHaveLength(1);
  });

  it("the losers of a registration race write no `register` audit row (DB-02)", async () => {
    const config = env.config();
    await Promise.allSettled(Array.from({ length: 10 }, () => register(config, "race@example.test", PASSWORD)));
    const rows = await env.db.db.select().from(activityLog);
    expect(rows.filter((r) => r.action === "register")).toHaveLength(1);
  });
});

describe("atomic registration (DB-01)", () => {
  let dropTrigger: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dropTrigger?.();
    dropTrigger = undefined;
  });

  /** Makes every insert into the audit log fail until dropped. */
  async function breakAuditLog() {
    const db = env.db.db;
    await db.execute(
      sql.raw(`create or replace function registration_test_fail() returns trigger language plpgsql as $$
        begin raise exception 'audit log unavailable'; end $$`),
    );
    await db.execute(
      sql.raw(
        "create trigger registration_test_fail before insert on auth_activity_log for each row execute function registration_test_fail()",
      ),
    );
    dropTrigger = async () => {
      await db.execute(sql.raw("drop trigger if exists registration_test_fail on auth_activity_log"));
      await db.execute(sql.raw("drop function if exists registration_test_fail()"));
    };
  }

  it("a registration whose audit insert fails leaves no account row (DB-01)", async () => {
    await breakAuditLog();
    await expect(register(env.config(), "alice@example.test", PASSWORD)).rejects.toThrow();
    expect(await accountRows()).toEqual([]);
  });

  it("a registration with confirmation whose audit insert fails leaves no account and no confirmation (DB-01)", async () => {
    await breakAuditLog();
    const tokens: string[] = [];
    await expect(
      register(env.config(), "alice@example.test", PASSWORD, undefined, (token) => void tokens.push(token)),
    ).rejects.toThrow();
    expect(await accountRows()).toEqual([]);
    expect(await env.db.db.select().from(confirmations)).toEqual([]);
    expect(tokens).toEqual([]);
  });

  it("a failed registration over HTTP answers a bare 500 and a retry succeeds (DB-01)", async () => {
    await breakAuditLog();
    const t = createTestApp(env.config());
    const failed = await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: "INTERNAL_ERROR", message: "Internal error" });
    expect(failed.text).not.toContain("audit log unavailable");
    await dropTrigger!();
    dropTrigger = undefined;
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect(await accountRows()).toHaveLength(1);
  });

  it("a registration with the audit log disabled by config writes no audit row but still creates the account", async () => {
    const account = await register(env.config({ activityLog: { enabled: false } }), "alice@example.test", PASSWORD);
    expect((await accountRows()).map((r) => r.id)).toEqual([account.id]);
    expect(await env.db.db.select().from(activityLog)).toEqual([]);
  });
});

describe("user ids", () => {
  it("`register()` with a userId already linked throws UserIdTakenError (USER_ID_TAKEN)", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD, "app-user-1");
    await expect(register(config, "bob@example.test", PASSWORD, "app-user-1")).rejects.toMatchObject({
      code: "USER_ID_TAKEN",
    });
    await expect(register(config, "bob@example.test", PASSWORD, "app-user-1")).rejects.toBeInstanceOf(UserIdTakenError);
    expect((await accountRows()).map((r) => r.email)).toEqual(["alice@example.test"]);
  });

  it('`register()` treats the numeric userId 42 and the string "42" as the same id', async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD, 42);
    expect(account.userId).toBe("42");
    await expect(register(config, "bob@example.test", PASSWORD, "42")).rejects.toBeInstanceOf(UserIdTakenError);
  });

  it("`POST /call/register` with a taken userId answers 409 USER_ID_TAKEN", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD, "app-user-1");
    const t = createTestApp(config);
    const res = await t
      .agent()
      .post("/call/register")
      .send({ args: ["bob@example.test", PASSWORD, "app-user-1"] });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe("USER_ID_TAKEN");
    expect(t.errors).toEqual([]);
  });

  it("`register()` without a userId generates a distinct UUID per account", async () => {
    const config = env.config();
    const a = await register(config, "alice@example.test", PASSWORD);
    const b = await register(config, "bob@example.test", PASSWORD);
    expect(a.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.userId).not.toBe(a.userId);
  });

  it("`register()` rejects an empty, over-long or object userId with InvalidInputError", async () => {
    for (const bad of ["", "u".repeat(256), { id: 1 }, 1.5, true]) {
      await expect(register(env.config(), "alice@example.test", PASSWORD, bad as never)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect(await accountRows()).toEqual([]);
  });
});

describe("email vectors (IN-03, checklist §2.5)", () => {
  const rejected: [string, string][] = [
    ["a fullwidth @ followed by a real @", "attacker\uff20evil.test@victim.test"],
    ["a comma-separated list", "attacker@evil.test,victim@victim.test"],
    ["a quoted local part", '"e@attacker.test"@victim.test'],
    ["a display name", "Victim <victim@victim.test>"],
    ["a CRLF header injection", "a@x.test\r\nBcc: z@evil.test"],
    ["a NUL byte", "a\u0000@x.test"],
    ["a semicolon list", "a@x.test;b@y.test"],
    ["two @ signs", "a@b@x.test"],
    ["inner whitespace", "a b@x.test"],
    ["no domain dot", "a@localhost"],
    ["an empty string", ""],
    ["only spaces", "   "],
    ["255 characters", `${"a".repeat(245)}@x.test.io`],
    ["a trailing tab", "a@x.test\t"],
    ["a line separator", "a\u2028@x.test"],
  ];

  for (const [label, email] of rejected) {
    it(`\`register()\` rejects ${label} with InvalidEmailError (IN-03)`, async () => {
      await expect(register(env.config(), email, PASSWORD)).rejects.toBeInstanceOf(InvalidEmailError);
      expect(await accountRows()).toEqual([]);
    });
  }

  const canonicalised: [string, string, string][] = [
    ["a fullwidth @", "victim\uff20example.test", "victim@example.test"],
    ["upper case", "Victim@EXAMPLE.test", "victim@example.test"],
    ["surrounding spaces", "  victim@example.test  ", "victim@example.test"],
    ["a Kelvin sign", "\u212Aelvin@example.test", "kelvin@example.test"],
    ["fullwidth letters", "\uff56\uff49\uff43\uff54\uff49\uff4d@example.test", "victim@example.test"],
  ];

  for (const [label, email, canonical] of canonicalised) {
    it(`\`register()\` canonicalises ${label} to \`${canonical}\` (IN-03)`, async () => {
      const account = await register(env.config(), email, PASSWORD);
      expect(account.email).toBe(canonical);
      expect((await accountRows()).map((r) => r.email)).toEqual([canonical]);
    });
  }

  it("`register()` treats a Kelvin-sign address and its ASCII form as one account (IN-03)", async () => {
    const config = env.config();
    await register(config, "\u212Aelvin@example.test", PASSWORD);
    await expect(register(config, "kelvin@example.test", PASSWORD)).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("`register()` accepts an address of exactly 254 characters", async () => {
    const email = `${"a".repeat(244)}@x.test.io`;
    expect(email).toHaveLength(254);
    const account = await register(env.config(), email, PASSWORD);
    expect(account.email).toBe(email);
  });

  it("`register()` keeps a dotless-ı address distinct from the ASCII one instead of folding it onto it (IN-03)", async () => {
    const config = env.config();
    await register(config, "mike@example.test", PASSWORD);
    const other = await register(config, "m\u0131ke@example.test", PASSWORD);
    expect(other.email).toBe("m\u0131ke@example.test");
    expect((await accountRows()).map((r) => r.email).sort()).toEqual(["mike@example.test", "m\u0131ke@example.test"]);
  });
});
