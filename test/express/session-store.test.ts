import { eq } from "drizzle-orm";
import type session from "express-session";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthConfigError, createSessionStore, register } from "../../src/index.js";
import type { DrizzleSessionStore, SessionStoreOptions } from "../../src/express/session-store.js";
import { sha256 } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const MINUTE = 60_000;
const { sessions } = authSchema;

type Data = session.SessionData & Record<string, unknown>;

/** A store on the test database with background pruning off, and promise forms of its callback API. */
function openStore(options: SessionStoreOptions = {}) {
  const store: DrizzleSessionStore = createSessionStore(env.config(), { pruneInterval: false, ...options });
  const p = <T>(fn: (cb: (err?: unknown, value?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
  return {
    store,
    set: (sid: string, data: Data) => p<unknown>((cb) => store.set(sid, data, cb)),
    get: (sid: string) => p<session.SessionData | null>((cb) => store.get(sid, cb)),
    destroy: (sid: string) => p<unknown>((cb) => store.destroy(sid, cb)),
    touch: (sid: string, data: Data) => p<unknown>((cb) => store.touch(sid, data, cb)),
    all: () => p<session.SessionData[]>((cb) => store.all!(cb)),
    length: () => p<number>((cb) => store.length!(cb)),
    clear: () => p<unknown>((cb) => store.clear!(cb)),
  };
}

/** Session data as express-session hands it to a store (a cookie without maxAge: the store's ttl applies). */
function data(extra: Record<string, unknown> = {}, cookie: Partial<session.Cookie> = {}): Data {
  return { cookie: { originalMaxAge: null, httpOnly: true, path: "/", ...cookie } as session.Cookie, ...extra };
}

async function row(sid: string) {
  const [r] = await env.db.db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sha256(sid)));
  return r;
}

describe("DrizzleSessionStore", () => {
  it("`set()` then `get()` returns the same session data", async () => {
    const s = openStore();
    const value = data({ visits: 3, nested: { list: [1, "two"], flag: true } });
    await s.set("sid-round-trip", value);
    expect(await s.get("sid-round-trip")).toEqual(value);
  });

  it("`set()` keys the row by SHA-256 of the session id and stores the raw id nowhere", async () => {
    const s = openStore();
    const sid = "raw-session-id-4f2a9c1e7b";
    await s.set(sid, data({ note: "hello" }));
    const rows = await env.db.db.select().from(sessions);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(sha256(sid));
    expect(JSON.stringify(rows)).not.toContain(sid);
  });

  it("`set()` of an existing id updates the row in place, keeping created_at", async () => {
    const s = openStore();
    await s.set("sid-upsert", data({ n: 1 }));
    const created = (await row("sid-upsert"))!.createdAt.getTime();
    env.clock.advance(MINUTE);
    await s.set("sid-upsert", data({ n: 2 }));
    const rows = await env.db.db.select().from(sessions);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.createdAt.getTime()).toBe(created);
    expect(rows[0]!.updatedAt.getTime()).toBe(env.clock.now().getTime());
    expect(await s.get("sid-upsert")).toMatchObject({ n: 2 });
  });

  it("`set()` expires a session without a cookie expiry after the ttl (30 minutes by default)", async () => {
    const s = openStore();
    await s.set("sid-ttl", data());
    expect((await row("sid-ttl"))!.expires.getTime()).toBe(env.clock.now().getTime() + 30 * MINUTE);
  });

  it("`set()` honours a custom ttl", async () => {
    const s = openStore({ ttl: "5m" });
    await s.set("sid-ttl5", data());
    expect((await row("sid-ttl5"))!.expires.getTime()).toBe(env.clock.now().getTime() + 5 * MINUTE);
  });

  it("`set()` uses the cookie's expiry when the cookie has one", async () => {
    const s = openStore();
    const expires = new Date(env.clock.now().getTime() + 2 * 86_400_000);
    await s.set("sid-cookie", data({}, { expires, originalMaxAge: 2 * 86_400_000 }));
    expect((await row("sid-cookie"))!.expires.getTime()).toBe(expires.getTime());
  });

  it("`set()` of a session read from the store does not recreate its row once it was deleted", async () => {
    const s = openStore();
    await s.set("sid-loaded", data({ n: 1 }));
    const loaded = (await s.get("sid-loaded"))!;
    const sess = s.store.createSession({ sessionID: "sid-loaded" } as never, loaded) as unknown as Data;
    await env.db.db.delete(sessions).where(eq(sessions.id, sha256("sid-loaded")));
    sess.n = 2;
    await s.set("sid-loaded", sess);
    expect(await env.db.db.select().from(sessions)).toHaveLength(0);
  });

  it("`set()` of a session read from the store updates its row", async () => {
    const s = openStore();
    await s.set("sid-loaded", data({ n: 1 }));
    const loaded = (await s.get("sid-loaded"))!;
    const sess = s.store.createSession({ sessionID: "sid-loaded" } as never, loaded) as unknown as Data;
    sess.n = 2;
    await s.set("sid-loaded", sess);
    expect(await s.get("sid-loaded")).toMatchObject({ n: 2 });
  });

  it("`get()` of an unknown id returns null", async () => {
    const s = openStore();
    expect(await s.get("never-stored")).toBeNull();
  });

  it("`get()` of an expired row returns null", async () => {
    const s = openStore();
    await s.set("sid-expired", data({ n: 1 }));
    env.clock.advance(30 * MINUTE);
    expect(await s.get("sid-expired")).toBeNull();
  });

  it("`get()` of a row just before its expiry returns the session", async () => {
    const s = openStore();
    await s.set("sid-almost", data({ n: 1 }));
    env.clock.advance(30 * MINUTE - 1);
    expect(await s.get("sid-almost")).toMatchObject({ n: 1 });
  });

  it("`get()` of a row holding malformed JSON returns null instead of failing", async () => {
    const s = openStore();
    await s.set("sid-corrupt", data());
    await env.db.db
      .update(sessions)
      .set({ sess: "{not json" })
      .where(eq(sessions.id, sha256("sid-corrupt")));
    expect(await s.get("sid-corrupt")).toBeNull();
  });

  it("`destroy()` deletes the row and `get()` then returns null", async () => {
    const s = openStore();
    await s.set("sid-a", data());
    await s.set("sid-b", data());
    await s.destroy("sid-a");
    expect(await row("sid-a")).toBeUndefined();
    expect(await s.get("sid-a")).toBeNull();
    expect(await row("sid-b")).toBeDefined();
  });

  it("`destroy()` of an unknown id succeeds", async () => {
    const s = openStore();
    await expect(s.destroy("never-stored")).resolves.toBeUndefined();
  });

  it("`touch()` skips the write when the expiry moved by less than touchInterval", async () => {
    const s = openStore();
    await s.set("sid-touch", data());
    const before = (await row("sid-touch"))!;
    env.clock.advance(30_000);
    await s.touch("sid-touch", data());
    const after = (await row("sid-touch"))!;
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.expires.getTime()).toBe(before.expires.getTime());
  });

  it("`touch()` writes the new expiry and updated_at once it moved by more than touchInterval", async () => {
    const s = openStore();
    await s.set("sid-touch", data());
    env.clock.advance(61_000);
    await s.touch("sid-touch", data());
    const after = (await row("sid-touch"))!;
    expect(after.updatedAt.getTime()).toBe(env.clock.now().getTime());
    expect(after.expires.getTime()).toBe(env.clock.now().getTime() + 30 * MINUTE);
  });

  it("`touch()` counts from the last write, not from the last touch", async () => {
    const s = openStore();
    await s.set("sid-touch", data());
    env.clock.advance(61_000);
    await s.touch("sid-touch", data());
    env.clock.advance(30_000);
    await s.touch("sid-touch", data());
    const after = (await row("sid-touch"))!;
    expect(after.updatedAt.getTime()).toBe(env.clock.now().getTime() - 30_000);
  });

  it("`touch()` honours a custom touchInterval", async () => {
    const s = openStore({ touchInterval: "5s" });
    await s.set("sid-touch", data());
    env.clock.advance(6_000);
    await s.touch("sid-touch", data());
    expect((await row("sid-touch"))!.updatedAt.getTime()).toBe(env.clock.now().getTime());
  });

  it("`touch()` writes when this store instance has not seen the session yet", async () => {
    await openStore().set("sid-touch", data());
    env.clock.advance(1_000);
    const other = openStore();
    await other.touch("sid-touch", data());
    expect((await row("sid-touch"))!.updatedAt.getTime()).toBe(env.clock.now().getTime());
  });

  it("`touch()` keeps a session alive past its original expiry", async () => {
    const s = openStore();
    await s.set("sid-alive", data({ n: 1 }));
    env.clock.advance(20 * MINUTE);
    await s.touch("sid-alive", data({ n: 1 }));
    env.clock.advance(20 * MINUTE);
    expect(await s.get("sid-alive")).toMatchObject({ n: 1 });
  });

  it("`touch()` does not recreate a destroyed session", async () => {
    const s = openStore();
    await s.set("sid-gone", data());
    await s.destroy("sid-gone");
    env.clock.advance(2 * MINUTE);
    await s.touch("sid-gone", data());
    expect(await env.db.db.select().from(sessions)).toHaveLength(0);
  });

  it("`all()` returns the unexpired sessions", async () => {
    const s = openStore();
    await s.set("sid-old", data({ n: 0 }));
    env.clock.advance(20 * MINUTE);
    await s.set("sid-1", data({ n: 1 }));
    await s.set("sid-2", data({ n: 2 }));
    env.clock.advance(15 * MINUTE);
    const all = await s.all();
    expect(all!.map((d) => (d as Data).n).sort()).toEqual([1, 2]);
  });

  it("`length()` counts the unexpired sessions", async () => {
    const s = openStore();
    await s.set("sid-old", data());
    env.clock.advance(20 * MINUTE);
    await s.set("sid-1", data());
    await s.set("sid-2", data());
    expect(await s.length()).toBe(3);
    env.clock.advance(15 * MINUTE);
    expect(await s.length()).toBe(2);
  });

  it("`clear()` deletes every session", async () => {
    const s = openStore();
    await s.set("sid-1", data());
    await s.set("sid-2", data());
    await s.clear();
    expect(await s.length()).toBe(0);
    expect(await env.db.db.select().from(sessions)).toHaveLength(0);
  });

  it("`prune()` deletes the expired rows and returns how many", async () => {
    const s = openStore();
    await s.set("sid-old-1", data());
    await s.set("sid-old-2", data());
    env.clock.advance(20 * MINUTE);
    await s.set("sid-live", data());
    env.clock.advance(15 * MINUTE);
    expect(await s.store.prune()).toBe(2);
    const rows = await env.db.db.select().from(sessions);
    expect(rows.map((r) => r.id)).toEqual([sha256("sid-live")]);
  });

  it("`set()` records account_id, client address and user agent for a signed-in session", async () => {
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    const s = openStore();
    await s.set(
      "sid-signed-in",
      data({ auth: { loggedIn: true, accountId: account.id, ipAddress: "203.0.113.9", userAgent: "store-test/1.0" } }),
    );
    expect(await row("sid-signed-in")).toMatchObject({
      accountId: account.id,
      ipAddress: "203.0.113.9",
      userAgent: "store-test/1.0",
    });
  });

  it("`set()` records a null account_id for an anonymous session", async () => {
    const s = openStore();
    await s.set("sid-anonymous", data({ visits: 1 }));
    expect((await row("sid-anonymous"))!.accountId).toBeNull();
  });

  it("`set()` records a null account_id for a session that is not fully signed in", async () => {
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    const s = openStore();
    await s.set("sid-pending", data({ auth: { loggedIn: false, accountId: account.id } }));
    expect((await row("sid-pending"))!.accountId).toBeNull();
  });

  it("`set()` clears account_id when a signed-in session signs out", async () => {
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    const s = openStore();
    await s.set("sid-flip", data({ auth: { loggedIn: true, accountId: account.id } }));
    await s.set("sid-flip", data({ visits: 1 }));
    expect((await row("sid-flip"))!.accountId).toBeNull();
  });

  it("deleting the account deletes its session rows", async () => {
    const account = await register(env.config(), "alice@example.test", PASSWORD);
    const s = openStore();
    await s.set("sid-owned", data({ auth: { loggedIn: true, accountId: account.id } }));
    await env.db.db.delete(authSchema.accounts).where(eq(authSchema.accounts.id, account.id));
    expect(await s.get("sid-owned")).toBeNull();
  });

  it.each([
    ["ttl 0", { ttl: 0 }],
    ["ttl of garbage", { ttl: "soon" }],
    ["negative touchInterval", { touchInterval: -5 }],
    ["pruneInterval 0", { pruneInterval: 0 }],
  ])("createSessionStore() refuses %s with AuthConfigError", (_case, options) => {
    expect(() => createSessionStore(env.config(), options as SessionStoreOptions)).toThrow(AuthConfigError);
  });
});
