import { is, sql } from "drizzle-orm";
import { PgDatabase } from "drizzle-orm/pg-core";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { authSchema } from "../schema/index.js";
import type { AuthConfig } from "../src/config.js";
import {
  AuthConfigError,
  AuthError,
  AuthRole,
  createAuthMiddleware,
  createSessionStore,
  register,
  resolveAuthConfig,
  setUserRoles,
} from "../src/index.js";
import { getAuthContext } from "../src/core/context.js";
import { createTestApp } from "./helpers/app.js";
import { withDatabase } from "./helpers/paths.js";
import { PASSWORD, useTestEnv } from "./helpers/setup.js";

const env = useTestEnv();

/** Asserts that creating the middleware throws an AuthConfigError whose message names `option`. */
function expectConfigError(overrides: Record<string, unknown>, option: string) {
  const config = { ...env.config(), ...overrides } as AuthConfig;
  let thrown: unknown;
  try {
    createAuthMiddleware(config);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(AuthConfigError);
  expect(thrown).toBeInstanceOf(AuthError);
  expect((thrown as AuthConfigError).code).toBe("INVALID_CONFIG");
  expect((thrown as Error).message).toContain(option);
}

describe("invalid options fail at createAuthMiddleware()", () => {
  const invalid: [string, Record<string, unknown>, string][] = [
    ["a missing db", { db: undefined }, "db"],
    ["a null db", { db: null }, "db"],
    ["a string db", { db: "postgres://localhost/app" }, "db"],
    ["an empty object db", { db: {} }, "db"],
    ["a short secret", { secret: "too short" }, "secret"],
    ["a numeric secret", { secret: 12345678901234567890123456789012345 }, "secret"],
    ["a minPasswordLength of 0", { minPasswordLength: 0 }, "minPasswordLength"],
    ["a negative minPasswordLength", { minPasswordLength: -1 }, "minPasswordLength"],
    ["a fractional minPasswordLength", { minPasswordLength: 1.5 }, "minPasswordLength"],
    ["a string minPasswordLength", { minPasswordLength: "15" }, "minPasswordLength"],
    ["a maxPasswordLength below the minimum", { minPasswordLength: 20, maxPasswordLength: 19 }, "maxPasswordLength"],
    ['a resyncInterval of "abc"', { resyncInterval: "abc" }, "resyncInterval"],
    ["a negative resyncInterval", { resyncInterval: -5 }, "resyncInterval"],
    [
      'a rememberDuration with an unknown unit ("3 fortnights")',
      { rememberDuration: "3 fortnights" },
      "rememberDuration",
    ],
    ["a sessionLifetime of 0", { sessionLifetime: 0 }, "sessionLifetime"],
    ["a confirmationExpiry of NaN", { confirmationExpiry: Number.NaN }, "confirmationExpiry"],
    ["a resetExpiry object", { resetExpiry: { minutes: 30 } }, "resetExpiry"],
    ["a maxOpenResets of 0", { maxOpenResets: 0 }, "maxOpenResets"],
    ['a tablePrefix of "bad-prefix;"', { tablePrefix: "bad-prefix;" }, "tablePrefix"],
    ["a tablePrefix with a quote", { tablePrefix: 'auth"; drop table x; --' }, "tablePrefix"],
    ["an upper-case pgSchema", { pgSchema: "Auth" }, "pgSchema"],
    ["a tables value that is not a table set", { tables: { users: {} } }, "tables"],
    ['a cookie.sameSite of "sometimes"', { cookie: { sameSite: "sometimes" } }, "cookie.sameSite"],
    ['a cookie.sameSite of "Lax" (wrong case)', { cookie: { sameSite: "Lax" } }, "cookie.sameSite"],
    ["a rememberCookieName with a separator", { rememberCookieName: "remember;token" }, "rememberCookieName"],
    ["an empty rememberCookieName", { rememberCookieName: "" }, "rememberCookieName"],
    ["a limiter without a known method", { limiter: { allow: () => true } }, "limiter"],
    ["a limiter with a non-function method", { limiter: { take: true } }, "limiter"],
    ["a roles value that is a string", { roles: "Admin" }, "roles"],
    ["a roles value with a zero bit", { roles: { admin: 0 } }, "roles"],
    ["a roles value with a string bit", { roles: { admin: "1" } }, "roles"],
    ["a roles value with a fractional bit", { roles: { admin: 1.5 } }, "roles"],
    ["a roles value with a negative bit", { roles: { admin: -1 } }, "roles"],
    ["a roles value with a bit beyond 31 bits", { roles: { admin: 2 ** 31 } }, "roles"],
    ["an adminRole that is a role name", { adminRole: "admin" }, "adminRole"],
    ["a negative adminRole", { adminRole: -1 }, "adminRole"],
    ["a loginLockout.maxFailures of 0", { loginLockout: { maxFailures: 0 } }, "loginLockout.maxFailures"],
    ["a loginLockout.maxFailures above 100", { loginLockout: { maxFailures: 101 } }, "loginLockout.maxFailures"],
    ['a loginLockout.duration of "forever"', { loginLockout: { duration: "forever" } }, "loginLockout.duration"],
    ["a now that is a Date", { now: new Date() }, "now"],
    ['an activityLog.actions of "login"', { activityLog: { actions: "login" } }, "activityLog.actions"],
    [
      "passwordHashing below the OWASP floor",
      { passwordHashing: { memoryCost: 1024, timeCost: 1 } },
      "passwordHashing",
    ],
    ["a fractional passwordHashing.timeCost", { passwordHashing: { timeCost: 2.5 } }, "passwordHashing.timeCost"],
  ];

  for (const [label, overrides, option] of invalid) {
    it(`\`createAuthMiddleware()\` throws AuthConfigError naming \`${option}\` for ${label}`, () => {
      expectConfigError(overrides, option);
    });
  }

  it("`createAuthMiddleware()` throws AuthConfigError for a config that is not an object", () => {
    for (const bad of [null, undefined, "config", 42]) {
      expect(() => createAuthMiddleware(bad as never)).toThrow(AuthConfigError);
    }
  });

  it("`createAuthMiddleware()` throws AuthConfigError for a null limiter", () => {
    expectConfigError({ limiter: null }, "limiter");
  });

  it("`createSessionStore()` throws AuthConfigError for an invalid config", () => {
    expect(() => createSessionStore({ ...env.config(), resyncInterval: "abc" })).toThrow(AuthConfigError);
  });

  it("`createSessionStore()` throws AuthConfigError naming an invalid store option", () => {
    expect(() => createSessionStore(env.config(), { ttl: "abc" })).toThrow(/ttl/);
    expect(() => createSessionStore(env.config(), { touchInterval: -1 })).toThrow(/touchInterval/);
    expect(() => createSessionStore(env.config(), { pruneInterval: 0 })).toThrow(/pruneInterval/);
  });

  it("an AuthConfigError message carries no secret value", () => {
    const secret = "short-secret-value";
    try {
      resolveAuthConfig({ ...env.config(), secret });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
      return;
    }
    throw new Error("expected an AuthConfigError");
  });
});

describe("valid options", () => {
  it("a valid config creates the middleware without touching the database", () => {
    expect(typeof createAuthMiddleware(env.config({ secret: "s".repeat(32), cookie: { sameSite: "strict" } }))).toBe(
      "function",
    );
  });

  it("`resyncInterval: 0` is honoured, not replaced by the default", () => {
    expect(resolveAuthConfig(env.config({ resyncInterval: 0 })).resyncMs).toBe(0);
    expect(resolveAuthConfig(env.config()).resyncMs).toBe(30_000);
  });

  it("`resyncInterval: 0` re-reads the account on every request", async () => {
    const config = env.config({ resyncInterval: 0 });
    const account = await register(config, "alice@example.test", PASSWORD);
    const agent = createTestApp(config).agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Editor);
    expect((await agent.get("/me").expect(200)).body.roles).toEqual(["Editor"]);
  });

  it("the default `resyncInterval` keeps the cached roles until 30 seconds have passed", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    const agent = createTestApp(config).agent();
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await setUserRoles(config, { accountId: account.id }, AuthRole.Editor);
    expect((await agent.get("/me").expect(200)).body.roles).toEqual([]);
    env.clock.advance(30_000);
    expect((await agent.get("/me").expect(200)).body.roles).toEqual(["Editor"]);
  });

  it("`loginLockout: false` is honoured: many failures never lock the login", async () => {
    const config = env.config({ loginLockout: false });
    await register(config, "alice@example.test", PASSWORD);
    const t = createTestApp(config);
    for (let i = 0; i < 12; i++) {
      await t
        .agent()
        .post("/login")
        .send({ email: "alice@example.test", password: "wrong horse battery staple" })
        .expect(401);
    }
    await t.agent().post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    // Only the per-IP limiter counted (rl:…); no per-account lockout row (login:…) exists.
    const keys = (await env.db.db.select().from(authSchema.rateLimits)).map((r) => r.key);
    expect(keys.filter((k) => !k.startsWith("rl:login:ip:"))).toEqual([]);
  });

  it("`activityLog: { enabled: false }` is honoured: nothing is written to the audit log", async () => {
    const config = env.config({ activityLog: { enabled: false } });
    await register(config, "alice@example.test", PASSWORD);
    await createTestApp(config)
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: PASSWORD })
      .expect(200);
    expect(await env.db.db.select().from(authSchema.activityLog)).toEqual([]);
  });

  it("`activityLog.actions` limits the audit log to the listed actions", async () => {
    const config = env.config({ activityLog: { actions: ["login"] } });
    await register(config, "alice@example.test", PASSWORD);
    await createTestApp(config)
      .agent()
      .post("/login")
      .send({ email: "alice@example.test", password: PASSWORD })
      .expect(200);
    const rows = await env.db.db.select().from(authSchema.activityLog);
    expect(rows.map((r) => r.action)).toEqual(["login"]);
  });

  it("`adminRole: 0` is honoured: nobody is an admin", () => {
    expect(resolveAuthConfig(env.config({ adminRole: 0 })).adminRole).toBe(0);
  });

  it("`minPasswordLength` from the config is enforced", async () => {
    const config = env.config({ minPasswordLength: 40 });
    await expect(register(config, "alice@example.test", PASSWORD)).rejects.toMatchObject({ reason: "too_short" });
  });
});

describe("raw database clients", () => {
  it("a raw PGlite instance or postgres.js `sql` as `db` is wrapped", async () => {
    // env.db.client is the PGlite instance on the pglite project and the postgres.js `sql` on postgres.
    const config = env.config({ db: env.db.client });
    const t = createTestApp(config);
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    expect((await agent.get("/me").expect(200)).body.email).toBe("alice@example.test");
    const rows = await env.db.db.select().from(authSchema.accounts);
    expect(rows.map((r) => r.email)).toEqual(["alice@example.test"]);
    expect(t.errors).toEqual([]);
  });

  it("a raw `pg.Pool` as `db` is wrapped in a Drizzle database (and on PostgreSQL it reads and writes)", async () => {
    let url = "postgres://postgres@127.0.0.1:1/unused";
    if (env.db.driver === "postgres") {
      const result = await env.db.db.execute(sql`select current_database() as name`);
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { name: string }[];
      url = withDatabase(inject("databaseUrl")!, rows[0]!.name);
    }
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const config = env.config({ db: pool });
      expect(typeof createAuthMiddleware(config)).toBe("function");
      const ctx = await getAuthContext(config);
      expect(is(ctx.db, PgDatabase)).toBe(true);
      expect(ctx.db).not.toBe(pool);
      if (env.db.driver === "postgres") {
        const account = await register(config, "alice@example.test", PASSWORD);
        const stored = await env.db.db.select().from(authSchema.accounts);
        expect(stored.map((r) => r.id)).toEqual([account.id]);
      }
    } finally {
      await pool.end();
    }
  });
});
