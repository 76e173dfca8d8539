import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { register } from "../../src/index.js";
import { type TestApp, createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

/** Every `Set-Cookie` line of a response. */
function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const header = res.headers["set-cookie"] as string | string[] | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}
const { accounts, activityLog } = authSchema;

type Res = { status: number; body: unknown; text: string };

/** An error body is `{ error, message }` with nothing that looks like a stack trace, SQL or a table name. */
function expectCleanErrorBody(res: Res) {
  const body = res.body as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["error", "message"]);
  expect(res.text).not.toMatch(/\bat \S+ \(|\.ts:\d|node_modules|\bselect\b|\binsert\b|\bauth_|argon2|constraint/i);
}

function expectNoUnexpectedErrors(t: TestApp) {
  expect(t.errors).toEqual([]);
}

async function accountCount() {
  return (await env.db.db.select().from(accounts)).length;
}

const BAD_EMAILS: [string, unknown][] = [
  ["an array", ["alice@example.test"]],
  ["an operator object", { $ne: null }],
  ["a number", 12345],
  ["null", null],
  ["a boolean", true],
  ["an empty object", {}],
  ["missing", undefined],
];

const BAD_PASSWORDS: [string, unknown][] = [
  ["a number", 12345678901234],
  ["an array", ["x"]],
  ["an operator object", { $gt: "" }],
  ["null", null],
  ["a boolean", false],
  ["missing", undefined],
];

describe("wrong types on /register and /login (IN-01)", () => {
  for (const [label, email] of BAD_EMAILS) {
    it(`\`/register\` answers 400 INVALID_EMAIL when the email is ${label} (IN-01)`, async () => {
      const t = createTestApp(env.config());
      const res = await t.agent().post("/register").send({ email, password: PASSWORD });
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toBe("INVALID_EMAIL");
      expectCleanErrorBody(res);
      expect(await accountCount()).toBe(0);
      expectNoUnexpectedErrors(t);
    });

    it(`\`/login\` answers 400 INVALID_EMAIL when the email is ${label} (IN-01)`, async () => {
      const t = createTestApp(env.config());
      await register(env.config(), "alice@example.test", PASSWORD);
      const res = await t.agent().post("/login").send({ email, password: PASSWORD });
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toBe("INVALID_EMAIL");
      expect(res.headers["set-cookie"]).toBeUndefined();
      expectCleanErrorBody(res);
      expectNoUnexpectedErrors(t);
    });
  }

  for (const [label, password] of BAD_PASSWORDS) {
    it(`\`/register\` answers 400 INVALID_PASSWORD when the password is ${label} (IN-01)`, async () => {
      const t = createTestApp(env.config());
      const res = await t.agent().post("/register").send({ email: "alice@example.test", password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "INVALID_PASSWORD" });
      expectCleanErrorBody(res);
      expect(await accountCount()).toBe(0);
      expectNoUnexpectedErrors(t);
    });

    it(`\`/login\` answers 400 INVALID_PASSWORD when the password is ${label} (IN-01)`, async () => {
      const t = createTestApp(env.config());
      await register(env.config(), "alice@example.test", PASSWORD);
      const res = await t.agent().post("/login").send({ email: "alice@example.test", password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "INVALID_PASSWORD" });
      expect(res.headers["set-cookie"]).toBeUndefined();
      expectCleanErrorBody(res);
      expectNoUnexpectedErrors(t);
    });
  }

  it("`/login` with a JSON array as the whole body answers 400 (IN-01)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/login")
      .send([{ email: "alice@example.test", password: PASSWORD }]);
    expect(res.status).toBe(400);
    expectCleanErrorBody(res);
    expectNoUnexpectedErrors(t);
  });

  it("`/login` ignores a non-boolean `remember` and sets no remember-me cookie (IN-01)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    for (const remember of [{ $ne: null }, ["true"], 1, "yes"]) {
      const res = await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD, remember });
      expect(res.status).toBe(200);
      expect(setCookies(res).some((c: string) => c.startsWith("remember_token="))).toBe(false);
    }
    expect(await env.db.db.select().from(authSchema.remembers)).toEqual([]);
  });

  it("a `__proto__` key in a /register body pollutes no prototype (IN-01)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/register")
      .set("Content-Type", "application/json")
      .send(
        `{"__proto__":{"isAdmin":true,"rolemask":1},"constructor":{"prototype":{"isAdmin":true}},"email":"alice@example.test","password":"${PASSWORD}"}`,
      );
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).rolemask).toBeUndefined();
    const [row] = await env.db.db.select().from(accounts);
    expect(row!.rolemask).toBe(0);
    expectNoUnexpectedErrors(t);
  });

  it("a `__proto__` key in a /login body pollutes no prototype and grants nothing (IN-01)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    const agent = t.agent();
    await agent
      .post("/login")
      .set("Content-Type", "application/json")
      .send(`{"email":"alice@example.test","password":"${PASSWORD}","__proto__":{"isAdmin":true}}`)
      .expect(200);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const admin = await agent.post("/call/isAdmin").send({ args: [] }).expect(200);
    expect(admin.body.result).toBe(false);
  });

  it("an identifier `{ __proto__: { accountId } }` does not resolve to that account (IN-01)", async () => {
    const t = createTestApp(env.config());
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    const res = await t
      .agent()
      .post("/call/addRoleForUserBy")
      .set("Content-Type", "application/json")
      .send(`{"args":[{"__proto__":{"accountId":${account.id}}},1]}`);
    expect(res.status).toBe(404);
    expect((res.body as { error: string }).error).toBe("USER_NOT_FOUND");
    const [row] = await env.db.db.select().from(accounts);
    expect(row!.rolemask).toBe(0);
    expect(({} as Record<string, unknown>).accountId).toBeUndefined();
  });
});

describe("wrong types on req.auth methods (IN-01)", () => {
  const cases: [string, unknown[], number, string][] = [
    ["confirmEmail", [123], 400, "CONFIRMATION_NOT_FOUND"],
    ["confirmEmail", [null], 400, "CONFIRMATION_NOT_FOUND"],
    ["confirmEmail", [{ $ne: null }], 400, "CONFIRMATION_NOT_FOUND"],
    ["confirmEmail", [["a.b"]], 400, "CONFIRMATION_NOT_FOUND"],
    ["confirmEmailAndLogin", [{ $gt: "" }, true], 400, "CONFIRMATION_NOT_FOUND"],
    ["confirmResetPassword", [{ $ne: null }, PASSWORD], 400, "RESET_NOT_FOUND"],
    ["confirmResetPassword", [true, PASSWORD], 400, "RESET_NOT_FOUND"],
    ["resetPassword", [["alice@example.test"], null, null, "$callback"], 400, "INVALID_EMAIL"],
    ["resetPassword", [{ $ne: null }, null, null, "$callback"], 400, "INVALID_EMAIL"],
    ["resetPassword", ["alice@example.test", { ms: 1 }, null, "$callback"], 400, "INVALID_INPUT"],
    ["resetPassword", ["alice@example.test", "abc", null, "$callback"], 400, "INVALID_INPUT"],
    ["resetPassword", ["alice@example.test", null, "2", "$callback"], 400, "INVALID_INPUT"],
    ["resetPassword", ["alice@example.test", null, null, 42], 400, "INVALID_INPUT"],
    ["resendConfirmation", [{ $ne: null }, "$callback"], 400, "INVALID_EMAIL"],
    ["resendConfirmation", ["alice@example.test", "not a function"], 400, "INVALID_INPUT"],
    ["register", [["alice@example.test"], PASSWORD], 400, "INVALID_EMAIL"],
    ["register", ["new@example.test", PASSWORD, { $ne: null }], 400, "INVALID_INPUT"],
    ["register", ["new@example.test", PASSWORD, null, 42], 400, "INVALID_INPUT"],
    ["login", [{ $ne: null }, PASSWORD], 400, "INVALID_EMAIL"],
    ["login", ["alice@example.test", { $ne: null }], 400, "INVALID_PASSWORD"],
    ["createUser", [null], 400, "INVALID_INPUT"],
    ["createUser", ["alice@example.test"], 400, "INVALID_INPUT"],
    ["createUser", [{ email: 1, password: PASSWORD }], 400, "INVALID_EMAIL"],
    ["addRoleForUserBy", [null, 1], 400, "INVALID_INPUT"],
    ["addRoleForUserBy", [{ accountId: "1" }, 1], 400, "INVALID_INPUT"],
    ["addRoleForUserBy", [{ accountId: 1 }, "1"], 400, "INVALID_INPUT"],
    ["addRoleForUserBy", [{ accountId: 1 }, 1e20], 400, "INVALID_INPUT"],
    ["removeRoleForUserBy", [{ accountId: -1 }, 1], 400, "INVALID_INPUT"],
    ["hasRoleForUserBy", [{ userId: { $ne: null } }, 1], 400, "INVALID_INPUT"],
    ["setStatusForUserBy", [{ accountId: 1 }, "2"], 400, "INVALID_INPUT"],
    ["setStatusForUserBy", [{ accountId: 1 }, 99], 400, "INVALID_INPUT"],
    ["changePasswordForUserBy", [{ accountId: 1 }, ["x"]], 400, "INVALID_PASSWORD"],
    ["deleteUserBy", [{ email: { $ne: null } }], 400, "INVALID_EMAIL"],
    ["deleteUserBy", [{ accountId: 1.5 }], 400, "INVALID_INPUT"],
    ["forceLogoutForUserBy", [{ userId: "" }], 400, "INVALID_INPUT"],
    ["forceLogoutForUserBy", [{ userId: "u".repeat(300) }], 400, "INVALID_INPUT"],
    ["initiatePasswordResetForUserBy", [{ accountId: 1 }, [], "$callback"], 400, "INVALID_INPUT"],
    ["userExistsByEmail", [123], 400, "INVALID_EMAIL"],
    ["loginAsUserBy", [{ accountId: 0 }], 400, "INVALID_INPUT"],
    ["changeEmail", [{ $ne: null }, "$callback"], 401, "NOT_LOGGED_IN"],
    ["verifyPassword", [{ $ne: null }], 401, "NOT_LOGGED_IN"],
    ["revokeSession", [{ $ne: null }], 401, "NOT_LOGGED_IN"],
  ];

  for (const [method, args, status, code] of cases) {
    it(`\`${method}(${JSON.stringify(args).slice(1, -1).slice(0, 60)})\` answers ${status} ${code} (IN-01)`, async () => {
      const t = createTestApp(env.config());
      await register(env.config(), "alice@example.test", PASSWORD);
      const before = await env.db.db.select().from(accounts);
      const res = await t.agent().post(`/call/${method}`).send({ args });
      expect(res.status).toBe(status);
      expect((res.body as { error: string }).error).toBe(code);
      expectCleanErrorBody(res);
      expect(await env.db.db.select().from(accounts)).toEqual(before);
      expect(t.outbox).toEqual([]);
      expectNoUnexpectedErrors(t);
    });
  }

  it("`hasRole()` answers false for arguments of the wrong type, even for an admin (IN-01)", async () => {
    const t = createTestApp(env.config());
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    await env.db.db.update(accounts).set({ rolemask: 0x7fffffff });
    expect(account.rolemask).toBe(0);
    const agent = t.agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    for (const arg of ["1", null, { $ne: null }, [1], true]) {
      const has = await agent
        .post("/call/hasRole")
        .send({ args: [arg] })
        .expect(200);
      expect(has.body.result).toBe(false);
    }
    expectNoUnexpectedErrors(t);
  });

  it("`hasRole()` and `getRoleNames()` never coerce a deeply nested array (IN-01: a 500 before)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    const agent = t.agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const deep = `{"args":[${"[".repeat(5000)}1${"]".repeat(5000)}]}`;
    for (const method of ["hasRole", "getRoleNames"]) {
      const res = await agent.post(`/call/${method}`).set("Content-Type", "application/json").send(deep);
      expect(res.status, method).toBe(200);
    }
    expectNoUnexpectedErrors(t);
  });

  it("`getRoleNames()` answers a list of names for arguments of the wrong type, never an error (IN-01)", async () => {
    const t = createTestApp(env.config());
    for (const arg of ["1", null, { $ne: null }, [1], true, "x"]) {
      const names = await t
        .agent()
        .post("/call/getRoleNames")
        .send({ args: [arg] })
        .expect(200);
      expect(Array.isArray(names.body.result)).toBe(true);
    }
    expectNoUnexpectedErrors(t);
  });

  it("signed-in methods reject a wrong-typed password without a 500 (IN-01)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    const agent = t.agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    for (const [method, args] of [
      ["verifyPassword", [{ $ne: null }]],
      ["changePassword", [["x"], PASSWORD]],
      ["changePassword", [PASSWORD, { $ne: null }]],
    ] as const) {
      const res = await agent.post(`/call/${method}`).send({ args });
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toBe("INVALID_PASSWORD");
    }
    const revoked = await agent
      .post("/call/revokeSession")
      .send({ args: [{ $ne: null }] })
      .expect(200);
    expect(revoked.body.result).toBe(false);
    await agent.get("/me").expect(200);
    expectNoUnexpectedErrors(t);
  });
});

describe("oversized input (IN-02)", () => {
  async function timed(run: () => PromiseLike<Res>) {
    const start = performance.now();
    const res = await run();
    return { res, ms: performance.now() - start };
  }

  it("a 10 KB email on /register answers 400 INVALID_EMAIL quickly, without creating an account (IN-02)", async () => {
    const t = createTestApp(env.config());
    const email = `${"a".repeat(10_240)}@example.test`;
    const { res, ms } = await timed(() => t.agent().post("/register").send({ email, password: PASSWORD }));
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("INVALID_EMAIL");
    expect(ms).toBeLessThan(2000);
    expect(await accountCount()).toBe(0);
    expectNoUnexpectedErrors(t);
  });

  it("a 10 KB email on /login answers 400 INVALID_EMAIL and writes no audit row (IN-02)", async () => {
    const t = createTestApp(env.config());
    const email = `${"a".repeat(10_240)}@example.test`;
    const res = await t.agent().post("/login").send({ email, password: PASSWORD });
    expect(res.status).toBe(400);
    expect(await env.db.db.select().from(activityLog)).toEqual([]);
    expectNoUnexpectedErrors(t);
  });

  it("a 10 KB password on /register answers 400 INVALID_PASSWORD (too_long) quickly (IN-02)", async () => {
    const t = createTestApp(env.config());
    const password = "correct horse ".repeat(800);
    const { res, ms } = await timed(() => t.agent().post("/register").send({ email: "alice@example.test", password }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "INVALID_PASSWORD", message: "Invalid password" });
    expect(ms).toBeLessThan(2000);
    expect(await accountCount()).toBe(0);
  });

  it("a 10 KB password on /login answers 400 INVALID_PASSWORD quickly (IN-02)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    const password = "x".repeat(10_240);
    const { res, ms } = await timed(() => t.agent().post("/login").send({ email: "alice@example.test", password }));
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("INVALID_PASSWORD");
    expect(ms).toBeLessThan(2000);
    expectNoUnexpectedErrors(t);
  });

  it("a password of 4,000 three-byte characters (12 KB of UTF-8) is refused as too long (IN-02)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/register")
      .send({ email: "alice@example.test", password: "€".repeat(4000) });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("INVALID_PASSWORD");
  });

  it("a 100 KB password answers 413 PAYLOAD_TOO_LARGE quickly (IN-02)", async () => {
    const t = createTestApp(env.config());
    const password = "x".repeat(100 * 1024);
    const { res, ms } = await timed(() => t.agent().post("/register").send({ email: "alice@example.test", password }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: "PAYLOAD_TOO_LARGE", message: "Malformed request" });
    expect(ms).toBeLessThan(2000);
    expect(await accountCount()).toBe(0);
    expectNoUnexpectedErrors(t);
  });

  it("a body just over the 16 KB JSON limit answers 413 on /login (IN-02)", async () => {
    const t = createTestApp(env.config());
    const body = JSON.stringify({ email: "alice@example.test", password: "x".repeat(16 * 1024) });
    expect(body.length).toBeGreaterThan(16 * 1024);
    const res = await t.agent().post("/login").set("Content-Type", "application/json").send(body);
    expect(res.status).toBe(413);
    expectCleanErrorBody(res);
    expectNoUnexpectedErrors(t);
  });

  it("a 10 KB token answers 400 CONFIRMATION_NOT_FOUND (IN-02)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/call/confirmEmail")
      .send({ args: [`${"a".repeat(16)}.${"b".repeat(10_000)}`] });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("CONFIRMATION_NOT_FOUND");
    expectNoUnexpectedErrors(t);
  });

  it("a 10 KB userId answers 400 INVALID_INPUT (IN-02)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/call/register")
      .send({ args: ["alice@example.test", PASSWORD, "u".repeat(10_240)] });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toBe("INVALID_INPUT");
    expect(await accountCount()).toBe(0);
  });
});

describe("malformed bodies (IN-01, IN-05)", () => {
  const bodies: [string, string, string][] = [
    ["truncated JSON", "application/json", '{"email": "alice@example.test", "password": '],
    ["a trailing comma", "application/json", '{"email":"alice@example.test",}'],
    ["single quotes", "application/json", "{'email':'alice@example.test'}"],
    ["a bare string", "application/json", '"alice@example.test"'],
    ["a bare null", "application/json", "null"],
    ["an unsupported charset", "application/json; charset=klingon", '{"email":"alice@example.test"}'],
  ];

  for (const [label, type, body] of bodies) {
    it(`\`/register\` with ${label} answers a 4xx JSON error (IN-05)`, async () => {
      const t = createTestApp(env.config());
      const res = await t.agent().post("/register").set("Content-Type", type).send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectCleanErrorBody(res);
      expect(await accountCount()).toBe(0);
      expectNoUnexpectedErrors(t);
    });
  }

  it("malformed JSON answers 400 BAD_REQUEST on /login (IN-05)", async () => {
    const t = createTestApp(env.config());
    const res = await t.agent().post("/login").set("Content-Type", "application/json").send("{not json");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "BAD_REQUEST", message: "Malformed request" });
    expectNoUnexpectedErrors(t);
  });

  it("a gzip body that is not gzip answers a 4xx (IN-05)", async () => {
    const t = createTestApp(env.config());
    const res = await t
      .agent()
      .post("/login")
      .set("Content-Type", "application/json")
      .set("Content-Encoding", "gzip")
      .send('{"email":"alice@example.test"}');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectNoUnexpectedErrors(t);
  });

  it("a non-JSON body on `/call/*` is treated as no arguments (IN-05)", async () => {
    const t = createTestApp(env.config());
    const res = await t.agent().post("/call/isLoggedIn").set("Content-Type", "text/plain").send("args=1");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: false });
    expectNoUnexpectedErrors(t);
  });
});

describe("malformed cookies (IN-05)", () => {
  const cookies: [string, string][] = [
    ["a garbage session id", "connect.sid=garbage"],
    ["a session id with a bad signature", "connect.sid=s%3Aabcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a session id with invalid percent-encoding", "connect.sid=%E0%A4%A"],
    ["a 4 KB session id", `connect.sid=s%3A${"a".repeat(4096)}`],
    ["two session ids", "connect.sid=one; connect.sid=two"],
    ["a garbage remember-me token", "remember_token=garbage"],
    ["a remember-me token with invalid percent-encoding", "remember_token=%E0%A4%A"],
    ["a 4 KB remember-me token", `remember_token=${"r".repeat(4096)}`],
    ["a well-formed but unknown remember-me token", `remember_token=${"A".repeat(16)}.${"B".repeat(43)}`],
    ["a quoted remember-me token", `remember_token="${"A".repeat(16)}.${"B".repeat(43)}"`],
    ["a remember-me token with extra dots", `remember_token=${"A".repeat(16)}.${"B".repeat(21)}.${"C".repeat(21)}`],
    ["a cookie header of separators", "=;;==; ;remember_token;connect.sid"],
    ["many cookies", Array.from({ length: 300 }, (_, i) => `c${i}=${i}`).join("; ")],
  ];

  for (const [label, cookie] of cookies) {
    it(`a request with ${label} is anonymous, never a 500 (IN-05)`, async () => {
      const t = createTestApp(env.config());
      await register(env.config(), "alice@example.test", PASSWORD);
      const res = await t.agent().get("/me").set("Cookie", cookie);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "not logged in" });
      expectNoUnexpectedErrors(t);
    });
  }

  it("a garbage remember-me cookie is cleared in the response (IN-05)", async () => {
    const t = createTestApp(env.config());
    const res = await t.agent().get("/me").set("Cookie", "remember_token=garbage").expect(401);
    const cleared = setCookies(res).find((c: string) => c.startsWith("remember_token="));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it("a signed-in session with an extra garbage remember-me cookie stays signed in (IN-05)", async () => {
    const t = createTestApp(env.config());
    await register(env.config(), "alice@example.test", PASSWORD);
    const agent = t.agent();
    const login = await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const sid = setCookies(login)[0]!.split(";")[0]!;
    const res = await t.agent().get("/me").set("Cookie", `${sid}; remember_token=%E0%A4%A`);
    expect(res.status).toBe(200);
    expectNoUnexpectedErrors(t);
  });
});

describe("unexpected errors (IN-05)", () => {
  let cleanup: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it("a database error during /register becomes a bare 500 without SQL or constraint names (IN-05)", async () => {
    const db = env.db.db;
    await db.execute(
      sql.raw(`create or replace function bad_input_test_fail() returns trigger language plpgsql as $$
        begin raise exception 'insert into auth_accounts violates "auth_accounts_email_key" (SELECT secret)'; end $$`),
    );
    await db.execute(
      sql.raw(
        "create trigger bad_input_test_fail before insert on auth_accounts for each row execute function bad_input_test_fail()",
      ),
    );
    cleanup = async () => {
      await db.execute(sql.raw("drop trigger if exists bad_input_test_fail on auth_accounts"));
      await db.execute(sql.raw("drop function if exists bad_input_test_fail()"));
    };
    const t = createTestApp(env.config());
    const res = await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: "INTERNAL_ERROR", message: "Internal error" });
    expectCleanErrorBody(res);
    expect(t.errors).toHaveLength(1);
    await cleanup();
    cleanup = undefined;
    await t.agent().post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
  });
});
