/**
 * What an authenticated request costs with the session cache, and what bad input does to it. Runs on
 * both databases: PGlite listens in process, PostgreSQL over a LISTEN connection.
 */
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext } from "../../src/core/context.js";
import { register } from "../../src/standalone.js";
import { getSession } from "../../src/rest/session-view.js";
import { countingConfig } from "../admin/helpers.js";
import { createTestApp } from "../helpers/app.js";
import { signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const opened: AuthConfig[] = [];
afterEach(async () => void (await Promise.all(opened.splice(0).map((c) => closeAuth(c)))));

async function app(overrides: Partial<AuthConfig> = {}) {
  const counted = countingConfig(env, { invalidation: { listen: true }, ...overrides });
  opened.push(counted.config);
  const ctx = await getAuthContext(counted.config);
  if (ctx.invalidation) expect(await ctx.invalidation.ready).toBe(true);
  // Sessions resynced within the clock-skew allowance of the listener's connect count as invalidated.
  env.clock.advance(2_000);
  await register(counted.config, ALICE, PASSWORD);
  const t = createTestApp(counted.config, {
    routes: (a) => a.get("/view", async (req, res) => void res.json(await getSession(req, counted.config))),
  });
  const signedIn = await signIn(t, ALICE, PASSWORD);
  return { ...counted, ctx, t, ...signedIn };
}

async function cost(statements: unknown[], request: () => Promise<unknown>): Promise<number> {
  const before = statements.length;
  await request();
  return statements.length - before;
}

describe("the session cache", () => {
  it("an authenticated GET makes no SQL statement in steady state with LISTEN", async () => {
    const a = await app();
    await a.agent.get("/me").expect(200);
    for (let i = 0; i < 3; i++) expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(0);
    expect(a.ctx.sessionCache!.size).toBe(1);
  });

  it("getSession on a loaded session makes no statement either", async () => {
    const a = await app();
    await a.agent.get("/me").expect(200);
    const res = await a.agent.get("/view");
    expect(res.body.user.email).toBe(ALICE);
    expect(await cost(a.statements, () => a.agent.get("/view").expect(200))).toBe(0);
  });

  it("without LISTEN the cache is off: every authenticated GET reads its row", async () => {
    const a = await app({ invalidation: undefined });
    expect(a.ctx.sessionCache).toBeUndefined();
    for (let i = 0; i < 2; i++) expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(1);
  });

  it("without LISTEN a TTL opts into the cache, bounded by that TTL", async () => {
    const a = await app({ invalidation: undefined, sessionCache: { ttl: "5s" } });
    await a.agent.get("/me").expect(200);
    expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(0);
    env.clock.advance(5_000);
    expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBeGreaterThanOrEqual(1);
  });

  it("sessionCache: false turns it off even with LISTEN", async () => {
    const a = await app({ sessionCache: false });
    expect(a.ctx.sessionCache).toBeUndefined();
    expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(1);
  });

  it("CS-05: a corrupt sess JSON in a row is neither served nor cached, and never a 500", async () => {
    const a = await app();
    await a.agent.get("/me").expect(200);
    a.ctx.sessionCache!.clear();
    await env.db.db.update(authSchema.sessions).set({ sess: '{"auth":{"loggedIn":true,' });
    await a.agent.get("/me").expect(401);
    expect(a.ctx.sessionCache!.size).toBe(0);
    await env.db.db.update(authSchema.sessions).set({ sess: `${"[".repeat(3000)}${"]".repeat(3000)}` });
    await a.agent.get("/me").expect(401);
    expect(a.ctx.sessionCache!.size).toBe(0);
  });

  it("CS-05: a forged or oversized session cookie reaches neither the cache nor a 500", async () => {
    const a = await app();
    const forged = a.sessionCookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    for (const cookie of [forged, `connect.sid=s%3A${"x".repeat(5000)}.sig`, "connect.sid=%E0%A4%A"]) {
      const res = await a.t.agent().get("/me").set("Cookie", cookie);
      expect(res.status).toBe(401);
    }
    expect(a.ctx.sessionCache!.size).toBeLessThanOrEqual(1);
  });

  it("another application's payloads on the channel change nothing, and the cache keeps serving", async () => {
    const a = await app();
    await a.agent.get("/me").expect(200);
    const channel = a.ctx.invalidation!.channel;
    for (const payload of ["sid:zz", `sid:${"a".repeat(64)}`, `sid:${"a".repeat(64)}:nothex`, "hello", "x".repeat(200)])
      await env.db.db.execute(sql`select pg_notify(${channel}, ${payload})`);
    await new Promise((r) => setTimeout(r, 50));
    expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(0);
  });

  it("serves nothing once the listener is closed (no confirmed LISTEN), and reads the row instead", async () => {
    const a = await app();
    await a.agent.get("/me").expect(200);
    await a.ctx.invalidation!.close();
    expect(await cost(a.statements, () => a.agent.get("/me").expect(200))).toBe(1);
    expect(a.ctx.sessionCache!.size).toBe(0);
  });
});
