import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { getAuthContext } from "../../src/core/context.js";
import { AuthError, register } from "../../src/index.js";
import { SIGN_IN_METHODS } from "../../src/sign-in/methods.js";
import { signIn } from "../../src/sign-in/sign-in.js";
import { createTestApp } from "../helpers/app.js";
import { recordingDb } from "../helpers/recording-db.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { call, codeAt, totpAccount, twoFactorApp } from "../two-factor/helpers.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const { accounts } = authSchema;
const MB = "x".repeat(1024 * 1024);

/** Statements of one password login over HTTP, after a warm-up login of another account on the same config. */
async function statementsOfLogin(remember: boolean) {
  const counting = recordingDb(env);
  const config = env.config({ db: counting.db });
  await register(config, ALICE, PASSWORD);
  await register(config, "bob@example.test", PASSWORD);
  const t = createTestApp(config);
  await t.agent().post("/login").send({ email: "bob@example.test", password: PASSWORD }).expect(200);
  counting.statements.length = 0;
  await t.agent().post("/login").send({ email: ALICE, password: PASSWORD, remember }).expect(200);
  return counting.statements;
}

describe("sign-in: the cost of a password login", () => {
  it("is three statements: the account read, one write for last_login with its audit row, the session row", async () => {
    const statements = await statementsOfLogin(false);
    expect(statements, statements.join("\n")).toHaveLength(3);
    expect(statements[0]).toMatch(/^select/i);
    expect(statements[1]).toMatch(/^with "logged" as \(insert into "auth_activity_log"/i);
    expect(statements[1]).toMatch(/update "auth_accounts" set "last_login"/i);
    expect(statements[2]).toMatch(/"auth_sessions"/);
  });

  it("stays three statements with remember-me: the token is inserted by the same write", async () => {
    const statements = await statementsOfLogin(true);
    expect(statements, statements.join("\n")).toHaveLength(3);
    expect(statements[1]).toMatch(/"remembered" as \(insert into "auth_remembers"/i);
  });

  it("writes the audit row, last_login and the remember-me token for real", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const agent = t.agent();
    const res = await agent.post("/login").send({ email: ALICE, password: PASSWORD, remember: true }).expect(200);
    expect(String(res.headers["set-cookie"])).toMatch(/remember/);
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.email, ALICE));
    expect(row!.lastLogin?.getTime()).toBe(env.clock.now().getTime());
    const actions = (await env.db.db.select().from(authSchema.activityLog)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["login", "remember_token_created"]));
    expect((await env.db.db.select().from(authSchema.remembers)).length).toBe(1);
    await agent.get("/me").expect(200);
  });
});

describe("sign-in: a stronger hash is written once", () => {
  /** Registers with the floor parameters, then signs in with stronger ones; returns the password writes. */
  async function passwordWrites(withTotp: boolean) {
    const counting = recordingDb(env);
    const app = twoFactorApp(env, {}, { db: counting.db });
    const secret = withTotp ? (await totpAccount(app, env)).secret : undefined;
    if (!withTotp) await register(app.config, ALICE, PASSWORD);
    const stronger = { ...app.config, passwordHashing: { memoryCost: 19456, timeCost: 3 } };
    const t = createTestApp(stronger);
    counting.statements.length = 0;
    const agent = t.agent();
    const res = await agent.post("/login").send({ email: ALICE, password: PASSWORD });
    if (withTotp) {
      expect(res.body.error).toBe("SECOND_FACTOR_REQUIRED");
      await call(agent, "twoFactor.verify.totp", codeAt(secret!, env.clock.now())).expect(200);
      await call(agent, "completeTwoFactorLogin").expect(200);
    } else expect(res.status).toBe(200);
    await agent.get("/me").expect(200);
    const writes = counting.statements.filter((s) => /update "auth_accounts" set .*"password"/i.test(s));
    const [row] = await env.db.db.select().from(accounts).where(eq(accounts.email, ALICE));
    return { writes, hash: row!.password!, agent };
  }

  it("without a second factor: in the sign-in's one write", async () => {
    const { writes, hash } = await passwordWrites(false);
    expect(writes).toHaveLength(1);
    expect(hash).toMatch(/\$m=19456,t=3,p=1\$/);
  });

  it("with a second factor: once at the first step, not again when the sign-in completes", async () => {
    const { writes, hash } = await passwordWrites(true);
    expect(writes).toHaveLength(1);
    expect(hash).toMatch(/\$m=19456,t=3,p=1\$/);
  });
});

describe("sign-in: the use case refuses bad input with a stable code, never a crash", () => {
  async function refusal(method: unknown, input: unknown): Promise<AuthError> {
    const ctx = await getAuthContext(env.config());
    const result = await signIn(ctx, { method, input, request: {} });
    expect(result.kind).toBe("refused");
    if (result.kind !== "refused") throw new Error("not refused");
    expect(result.error).toBeInstanceOf(AuthError);
    return result.error;
  }

  it.each([["nope"], [""], ["__proto__"], ["constructor"], ["toString"], [42], [null], [{}], [["password"]], [MB]])(
    "unknown method %#: INVALID_INPUT on field method",
    async (method) => {
      const error = await refusal(method, { email: ALICE, password: PASSWORD });
      expect(error.code).toBe("INVALID_INPUT");
      expect((error as AuthError & { field?: string }).field).toBe("method");
    },
  );

  it.each([[null], [undefined], [42], ["alice"], [["a", "b"]], [true]])(
    "password input of the wrong type %#: INVALID_INPUT",
    async (input) => {
      expect((await refusal("password", input)).code).toBe("INVALID_INPUT");
    },
  );

  it.each([
    [{ email: MB, password: PASSWORD }, "INVALID_EMAIL"],
    [{ email: ALICE, password: MB }, "INVALID_PASSWORD"],
    [{ email: 42, password: PASSWORD }, "INVALID_EMAIL"],
    [{ email: ALICE, password: { toString: "x" } }, "INVALID_PASSWORD"],
    [{ email: ALICE }, "INVALID_PASSWORD"],
  ])("password input %#", async (input, code) => {
    await register(env.config(), ALICE, PASSWORD);
    expect((await refusal("password", input)).code).toBe(code);
  });

  it("the OAuth method takes no input from a request: only the library's own callback reaches it", async () => {
    const profile = { id: "1", email: ALICE, emailVerified: true };
    expect((await refusal("oauth", { provider: "github", profile })).code).toBe("INVALID_INPUT");
    const config = env.config();
    const t = createTestApp(config);
    const res = await call(t.agent(), "signIn", "oauth", { provider: "github", profile });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("INVALID_INPUT");
  });

  it("over req.auth.signIn: unknown methods and junk are 4xx, the password method signs in", async () => {
    const config = env.config();
    await register(config, ALICE, PASSWORD);
    const t = createTestApp(config);
    const agent = t.agent();
    for (const args of [["nope", {}], [42, null], ["password", MB], ["password", { email: MB, password: MB }]]) {
      const res = await call(agent, "signIn", ...args);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await call(agent, "signIn", "password", { email: ALICE, password: PASSWORD }, { remember: true }).expect(200);
    expect((await agent.get("/me").expect(200)).body.remembered).toBe(false);
    expect(t.errors).toEqual([]);
  });

  it("registers exactly the password and OAuth methods", () => {
    expect([...SIGN_IN_METHODS].sort()).toEqual(["oauth", "password"]);
  });
});

describe("sign-in: the second step finishes through the same use case", () => {
  it("a correct TOTP code completes the sign-in with one login row carrying twoFactorCompleted", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const agent = app.t.agent();
    const first = await agent.post("/login").send({ email: ALICE, password: PASSWORD });
    expect(first.body.error).toBe("SECOND_FACTOR_REQUIRED");
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
    await agent.get("/me").expect(200);
    const logins = (await env.db.db.select().from(authSchema.activityLog)).filter((r) => r.action === "login");
    expect(logins.at(-1)!.metadata).toMatchObject({ email: ALICE, twoFactorCompleted: true });
  });

  it("completing without a verified factor is refused and keeps the pending step", async () => {
    const app = twoFactorApp(env);
    const { secret } = await totpAccount(app, env);
    const agent = app.t.agent();
    await agent.post("/login").send({ email: ALICE, password: PASSWORD });
    const res = await call(agent, "completeTwoFactorLogin");
    expect(res.body.error).toBe("INVALID_TWO_FACTOR_CODE");
    await call(agent, "twoFactor.verify.totp", codeAt(secret, env.clock.now())).expect(200);
    await call(agent, "completeTwoFactorLogin").expect(200);
  });
});
