import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import { register } from "../../src/standalone.js";
import { createTestApp } from "../helpers/app.js";
import { sha256, signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { auditRowsOf, expectCode, t } from "./helpers.js";

const env = useTestEnv();
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("listSessions() and revokeSession()", () => {
  it("SE-06: `listSessions()` lists an account's live sessions as opaque handles", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    const app = createTestApp(config);
    const a = await signIn(app, "alice@example.test", PASSWORD, { userAgent: FIREFOX });
    await signIn(app, "alice@example.test", PASSWORD);
    const sessions = await createAuthContext(config).listSessions({ email: "alice@example.test" });
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.id)).toContain(sha256(a.sid));
    expect(JSON.stringify(sessions)).not.toContain(a.sid);
    expect(sessions.find((s) => s.id === sha256(a.sid))).toMatchObject({ browser: "Firefox", current: false });
  });

  it("SE-06: `revokeSession()` ends exactly that session and writes `session_revoked` with the actor", async () => {
    const config = env.config();
    const alice = await register(config, "alice@example.test", PASSWORD);
    const admin = await register(config, "admin@example.test", PASSWORD);
    const app = createTestApp(config);
    const a = await signIn(app, "alice@example.test", PASSWORD);
    const b = await signIn(app, "alice@example.test", PASSWORD);
    const ctx = createAuthContext(config, { actor: { accountId: admin.id } });
    expect(await ctx.revokeSession(sha256(a.sid))).toBe(true);
    await a.agent.get("/me").expect(401);
    await b.agent.get("/me").expect(200);
    const rows = await auditRowsOf(env, "session_revoked");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ accountId: alice.id, actorAccountId: admin.id });
  });

  it("`revokeSession()` returns false for an unknown, malformed or anonymous session, deleting nothing", async () => {
    const config = env.config();
    await register(config, "alice@example.test", PASSWORD);
    const now = env.clock.now();
    const anonymous = sha256("anonymous-sid");
    await env.db.db
      .insert(t.sessions)
      .values({ id: anonymous, sess: "{}", expires: new Date(now.getTime() + 60_000), createdAt: now, updatedAt: now });
    const ctx = createAuthContext(config);
    expect(await ctx.revokeSession("0".repeat(64))).toBe(false);
    expect(await ctx.revokeSession("not-a-handle")).toBe(false);
    expect(await ctx.revokeSession(anonymous)).toBe(false);
    expect(await env.db.db.select().from(t.sessions).where(eq(t.sessions.id, anonymous))).toHaveLength(1);
    expect(await auditRowsOf(env, "session_revoked")).toEqual([]);
  });

  it("IN-01: `revokeSession()` refuses a non-string handle and `listSessions()` a bad identifier", async () => {
    const ctx = createAuthContext(env.config());
    for (const id of [1, null, ["a"], { id: "a" }]) await expectCode(ctx.revokeSession(id as never), "INVALID_INPUT");
    await expectCode(ctx.listSessions({ accountId: "1" as never }), "INVALID_INPUT");
    await expectCode(ctx.listSessions({ accountId: 77 }), "USER_NOT_FOUND");
  });
});
