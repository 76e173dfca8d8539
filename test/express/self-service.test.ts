import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction } from "../../src/core/activity-actions.js";
import { logActivity } from "../../src/core/activity.js";
import { getAuthContext } from "../../src/core/context.js";
import { createAuthSchema, deleteUserBy, register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

describe("self-service account deletion", () => {
  it("deleteUserBy() on the signed-in account ends the session, and logout afterwards succeeds", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    const { body } = await agent
      .post("/register")
      .send({ email: "alice@example.test", password: PASSWORD })
      .expect(200);
    await agent.post("/login").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    await agent
      .post("/call/deleteUserBy")
      .send({ args: [{ accountId: body.id }] })
      .expect(200);
    await agent.get("/me").expect(401);
    await agent.post("/call/logout").send({ args: [] }).expect(200);
    expect(t.errors).toEqual([]);
  });

  it("an audit entry for an account deleted meanwhile is kept, with the id in its metadata", async () => {
    const config = env.config();
    const account = await register(config, "bob@example.test", PASSWORD);
    await deleteUserBy(config, { accountId: account.id });
    await logActivity(await getAuthContext(config), { accountId: account.id, action: AuthActivityAction.Logout });
    const log = authSchema.activityLog;
    const rows = await env.db.db.select().from(log).where(eq(log.action, "logout"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.accountId).toBeNull();
    expect(rows[0]!.metadata).toMatchObject({ deletedAccountId: account.id });
  });
});

describe("createAuthSchema()", () => {
  it("treats pgSchema 'public' as the default schema", () => {
    expect(() => createAuthSchema({ pgSchema: "public" })).not.toThrow();
  });

  it("refuses an empty or unsafe prefix", () => {
    expect(() => createAuthSchema({ prefix: "" })).toThrow();
    expect(() => createAuthSchema({ prefix: 'x"; drop table y; --' })).toThrow();
  });
});
