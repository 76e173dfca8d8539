/**
 * The app's database connections are terminated (`pg_terminate_backend`) while register, login, password
 * reset (request and confirm), email confirmation and a session save are in flight, through `req.auth`
 * routes with `authErrorHandler()` and through the REST router. Every request must get an HTTP answer
 * (a success, or 503 `DATABASE_UNAVAILABLE` with no detail), leave no half-written state, and the next
 * request must succeed without a restart. Assertions are invariants, not which requests failed.
 */
import type { Test } from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/app.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { COOKIE, csrfOf, restApp } from "../rest/helpers.js";
import { type Input, type Scenario, invariants, runScenario } from "./killed-connection-checks.js";
import { type KillablePool, answerAfterKill, killablePool, sessionRowKey } from "./killed-connection-helpers.js";

const env = useTestEnv();
const check = invariants(env);
let pool: KillablePool;

beforeEach(async () => {
  pool = await killablePool(env);
});
afterEach(async () => pool.end());

/** One test per scenario: rounds of parallel requests while the backends die, then one with none dying. */
function runs(name: string, scenario: () => Scenario) {
  it(`${name}: every request is answered, nothing is half-written, the next request succeeds`, async () => {
    await runScenario(pool, scenario(), { rounds: 3, parallel: 5 });
  }, 180_000);
}

describe("req.auth routes with authErrorHandler()", () => {
  const app = () =>
    createTestApp(
      { ...env.config(), db: pool.db, rateLimits: false, loginLockout: false },
      {
        routes: (a) =>
          a.post("/bump", async (req, res) => {
            (req.session as unknown as Record<string, unknown>).bump = req.body?.n;
            // Answer right after a kill: the session write then races the pool noticing its dead clients.
            await pool.nextKill();
            res.json({ n: req.body?.n });
          }),
      },
    );
  const call = (t: ReturnType<typeof app>, method: string, args: unknown[]) =>
    t.agent().post(`/call/${method}`).send({ args });

  runs("register", () => {
    const t = app();
    return {
      prepare: async (n, round) => Array.from({ length: n }, (_, i) => ({ email: `r${round}-${i}@example.test` })),
      send: (x) => t.agent().post("/register").send({ email: x.email, password: PASSWORD }),
      async check(results) {
        for (const { input, ok } of results) if (ok) expect(await check.accountOf(input.email)).toBeDefined();
        await check.expectEveryAccountAudited();
      },
    };
  });

  runs("login", () => {
    const t = app();
    return {
      prepare: (n, round) => check.verifiedAccounts(n, `l${round}`),
      send: (x) => t.agent().post("/login").send({ email: x.email, password: PASSWORD }),
      ...check.loginChecks("connect.sid"),
    };
  });

  runs("password reset request", () => {
    const t = app();
    return {
      prepare: (n, round) => check.verifiedAccounts(n, `p${round}`),
      send: (x) => call(t, "resetPassword", [x.email, null, null, "$callback"]),
      check: check.resetRequestCheck,
    };
  });

  runs("password reset confirm", () => {
    const t = app();
    return {
      async prepare(n, round) {
        const inputs = await check.verifiedAccounts(n, `c${round}`);
        for (const x of inputs) {
          expect((await call(t, "resetPassword", [x.email, null, null, "$callback"])).status).toBe(200);
          Object.assign(x, { token: t.lastToken("resetPassword"), hash: (await check.accountOf(x.email))!.password });
        }
        return inputs;
      },
      send: (x) => call(t, "confirmResetPassword", [x.token, NEW_PASSWORD]),
      check: check.resetCheck,
    };
  });

  runs("email confirmation", () => {
    const t = app();
    return {
      async prepare(n, round) {
        const inputs = Array.from({ length: n }, (_, i) => ({ email: `e${round}-${i}@example.test` }) as Input);
        for (const x of inputs) {
          expect((await call(t, "register", [x.email, PASSWORD, null, "$callback"])).status).toBe(200);
          x.token = t.lastToken("register");
        }
        return inputs;
      },
      send: (x) => call(t, "confirmEmail", [x.token]),
      check: check.confirmationCheck,
    };
  });

  runs("session save of a signed-in request", () => {
    const t = app();
    return {
      async prepare(n, round) {
        const inputs = await check.verifiedAccounts(n, `s${round}`);
        for (const [i, x] of inputs.entries()) {
          const agent = t.agent();
          expect((await agent.post("/login").send({ email: x.email, password: PASSWORD })).status).toBe(200);
          Object.assign(x, { agent, token: String(round * 100 + i) });
        }
        return inputs;
      },
      send: (x) => x.agent!.post("/bump").send({ n: Number(x.token) }),
      async check(results) {
        for (const { input, res, ok } of results) {
          const me = await input.agent!.get("/me");
          expect(me.status, "the session did not survive a failed save").toBe(200);
          const key = sessionRowKey(res, "connect.sid") ?? (await check.sessionOfAccount(input.email));
          const stored = JSON.parse((await check.sessionRow(key))!.sess);
          expect(stored.auth?.loggedIn).toBe(true);
          expect(stored.bump === Number(input.token), "a failed save was stored, or a success was not").toBe(ok);
        }
      },
    };
  });
});

describe("the REST router (ExpressAuth)", () => {
  const rest = () =>
    restApp(env, {
      config: { db: pool.db, rateLimits: false, loginLockout: false },
      // Every answer goes out right after a kill, so the session write races the pool noticing it.
      before: (app) => app.use(answerAfterKill(pool)),
    });
  /** A JSON POST from a fresh agent whose CSRF token was fetched before the killing. */
  async function poster(r: ReturnType<typeof rest>, path: string, body: Record<string, unknown>) {
    const agent = r.agent();
    const csrfToken = await csrfOf(agent);
    return () =>
      agent
        .post(path)
        .set("Accept", "application/json")
        .send({ ...body, csrfToken });
  }
  const withPosts = async (inputs: Input[], make: (x: Input) => Promise<() => Test>) => {
    for (const x of inputs) x.send = await make(x);
    return inputs;
  };

  runs("register", () => {
    const r = rest();
    return {
      prepare: async (n, round) =>
        withPosts(
          Array.from({ length: n }, (_, i) => ({ email: `rr${round}-${i}@example.test` })),
          (x) => poster(r, "/auth/register", { email: x.email, password: PASSWORD }),
        ),
      send: (x) => x.send!(),
      check: async () => check.expectEveryAccountAudited(),
    };
  });

  runs("sign-in", () => {
    const r = rest();
    return {
      prepare: async (n, round) =>
        withPosts(await check.verifiedAccounts(n, `rl${round}`), (x) =>
          poster(r, "/auth/signin/credentials", { email: x.email, password: PASSWORD }),
        ),
      send: (x) => x.send!(),
      ...check.loginChecks(COOKIE),
    };
  });

  runs("forgotten password", () => {
    const r = rest();
    return {
      prepare: async (n, round) =>
        withPosts(await check.verifiedAccounts(n, `rp${round}`), (x) =>
          poster(r, "/auth/password/forgot", { email: x.email }),
        ),
      send: (x) => x.send!(),
      check: check.resetRequestCheck,
    };
  });

  runs("password reset", () => {
    const r = rest();
    return {
      async prepare(n, round) {
        const inputs = await check.verifiedAccounts(n, `rc${round}`);
        for (const x of inputs) {
          expect((await (await poster(r, "/auth/password/forgot", { email: x.email }))()).status).toBe(200);
          Object.assign(x, { token: r.mail.resets.at(-1)!.token, hash: (await check.accountOf(x.email))!.password });
        }
        return withPosts(inputs, (x) => poster(r, "/auth/password/reset", { token: x.token, password: NEW_PASSWORD }));
      },
      send: (x) => x.send!(),
      check: check.resetCheck,
    };
  });

  runs("email verification", () => {
    const r = rest();
    return {
      async prepare(n, round) {
        const inputs = Array.from({ length: n }, (_, i) => ({ email: `rv${round}-${i}@example.test` }) as Input);
        for (const x of inputs) {
          expect((await (await poster(r, "/auth/register", { email: x.email, password: PASSWORD }))()).status).toBe(
            200,
          );
          x.token = r.mail.verifications.at(-1)!.token;
        }
        return withPosts(inputs, (x) => poster(r, "/auth/verify-email", { token: x.token }));
      },
      send: (x) => x.send!(),
      check: check.confirmationCheck,
    };
  });

  runs("session save of a new session (GET /csrf)", () => {
    const r = rest();
    return {
      prepare: async (n, round) => Array.from({ length: n }, (_, i) => ({ email: `rs${round}-${i}` })),
      send: () => r.agent().get("/auth/csrf"),
      async check(results) {
        for (const { res, ok } of results) {
          const row = await check.sessionRow(sessionRowKey(res, COOKIE));
          if (ok)
            expect(row && JSON.parse(row.sess).csrfToken, "an answer whose session was not stored").toBe(
              res.body.csrfToken,
            );
          else expect(row, "a session stored for a failed answer").toBeUndefined();
        }
      },
    };
  });
});
