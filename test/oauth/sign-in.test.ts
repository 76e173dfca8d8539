import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { authSchema } from "../../schema/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { startMockIdp, type MockIdp } from "../providers/mock-idp.js";
import { githubUser, oauthApp, providersFor, signInWith } from "./helpers.js";

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp();
});
afterAll(() => idp.close());
const env = useTestEnv();

describe("OAuth sign-in over HTTP", () => {
  it("a new GitHub user gets a verified, password-less account and a signed-in session", async () => {
    githubUser(idp, { id: 101, login: "octo", email: "Octo@Example.com" });
    const app = oauthApp(env.config({ providers: providersFor(idp) }));
    const agent = app.agent();
    const res = await signInWith(agent, "github");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ isNewUser: true });
    const me = await agent.get("/me");
    expect(me.body).toMatchObject({ email: "octo@example.com" });
    const [account] = await env.db.db
      .select()
      .from(authSchema.accounts)
      .where(eq(authSchema.accounts.email, "octo@example.com"));
    expect(account).toMatchObject({ verified: true, password: null });
    const again = await signInWith(app.agent(), "github");
    expect(again.body).toEqual({ isNewUser: false });
  });
});
