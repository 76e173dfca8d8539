/**
 * `authenticateRequest` (the Express-less check used by WebSocket upgrades and plain servers) on a browser
 * that is impersonating: it must not see someone other than `req.auth` does.
 */
import { describe, expect, it } from "vitest";
import { authenticateRequest } from "../../src/admin/authenticate-request.js";
import { cookiePair } from "../helpers/cookies.js";
import { useTestEnv } from "../helpers/setup.js";
import { AuthStatus } from "../../src/index.js";
import { behindTheLibrarysBack, start, stop, world } from "./helpers.js";

const env = useTestEnv();
const SECRET = "test session secret that is long enough"; // createTestApp's session secret

async function accountFor(config: Parameters<typeof authenticateRequest>[0], cookie: string) {
  return authenticateRequest(config, { headers: { cookie } }, { secret: SECRET });
}

describe("authenticateRequest during an impersonation", () => {
  it("with only the impersonating session cookie it resolves the target, as req.auth does", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    const account = await accountFor(w.config, cookiePair(started, "connect.sid")!);
    expect(account?.id).toBe(w.bobId);
  });

  // Regression: the impersonation's session row is stored under the actor's id while `auth.accountId` is
  // the target's; a check of `auth.accountId === row.id` rejected the session and fell back to the
  // remember-me cookie, i.e. to the admin, while every Express route saw Bob.
  it("with the session cookie and the actor's remember-me cookie it resolves the target, not the actor", async () => {
    const w = await world(env, { remember: true });
    const started = await start(w.agent);
    const cookie = `${cookiePair(started, "connect.sid")!}; ${w.admin.rememberCookie!}`;
    expect((await w.agent.get("/me")).body.id).toBe(w.bobId); // what Express sees
    const account = await accountFor(w.config, cookie);
    expect(account?.id).toBe(w.bobId);
  });

  it("once the actor is banned (behind the library's back) the impersonating session resolves nobody", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    await behindTheLibrarysBack(env, w.adminId, { status: AuthStatus.Banned });
    expect(await accountFor(w.config, cookiePair(started, "connect.sid")!)).toBeNull();
  });

  it("once the actor's force_logout moved past the session's, the impersonating session resolves nobody", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    await behindTheLibrarysBack(env, w.adminId, { forceLogout: 7 });
    expect(await accountFor(w.config, cookiePair(started, "connect.sid")!)).toBeNull();
  });

  it("the target's own force-logout does not matter; the target banned does", async () => {
    const w = await world(env);
    const started = await start(w.agent);
    const cookie = cookiePair(started, "connect.sid")!;
    await behindTheLibrarysBack(env, w.bobId, { forceLogout: 7 });
    expect((await accountFor(w.config, cookie))?.id).toBe(w.bobId);
    await behindTheLibrarysBack(env, w.bobId, { status: AuthStatus.Banned });
    expect(await accountFor(w.config, cookie)).toBeNull();
  });

  it("past its expiry the impersonating session no longer resolves the target", async () => {
    const w = await world(env);
    const started = await start(w.agent, undefined, { ttl: "5m" });
    env.clock.advance(5 * 60_000);
    expect((await accountFor(w.config, cookiePair(started, "connect.sid")!))?.id ?? null).not.toBe(w.bobId);
  });

  it("after the stop, the actor's new session cookie resolves the actor", async () => {
    const w = await world(env);
    await start(w.agent);
    const stopped = await stop(w.agent);
    const account = await accountFor(w.config, cookiePair(stopped, "connect.sid")!);
    expect(account?.id).toBe(w.adminId);
  });
});
