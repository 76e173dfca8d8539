import { eq, sql } from "drizzle-orm";
import { authSchema } from "../../schema/index.js";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { closeAuth, getAuthContext } from "../../src/core/context.js";
import { AuthRole, addRoleForUserBy, register } from "../../src/index.js";
import { formatPayload, formatProbe, parsePayload } from "../../src/invalidation/payload.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { createInstance, nextInvalidation } from "./instances.js";

const env = useTestEnv();
const opened: AuthConfig[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((config) => closeAuth(config)));
});

const MALFORMED = [
  "1",
  "roles",
  "roles:",
  "roles:0",
  "roles:-1",
  "roles:01",
  "roles: 1",
  "roles:1 ",
  "roles:1.0",
  "roles:1e3",
  "roles:0x1",
  "roles:2147483648",
  "roles:99999999999999999999",
  "ROLES:1",
  "admin:1",
  "roles:1;status:1",
  "roles:1\nroles:1",
  '{"kind":"roles","accountId":1}',
  "probe:xyz",
  "probe:0123456789ABCDEF",
  `roles:1${" ".repeat(100)}`,
  "",
];

describe("payloads", () => {
  it.each(MALFORMED)("parses %j as nothing", (payload) => {
    expect(parsePayload(payload)).toBeNull();
  });

  it("round-trips every kind and the largest account id", () => {
    for (const kind of ["revoked", "status", "roles", "email", "password", "deleted", "session"] as const)
      expect(parsePayload(formatPayload(kind, 2_147_483_647))).toEqual({
        type: "account",
        kind,
        accountId: 2_147_483_647,
      });
    expect(parsePayload(formatProbe("0123456789abcdef"))).toEqual({ type: "probe", nonce: "0123456789abcdef" });
    expect(() => formatPayload("roles", 0)).toThrow(TypeError);
  });

  it("ignores malformed notifications on the channel and acts on the valid one after them", async () => {
    const config = env.config({ invalidation: { listen: true }, resyncInterval: "1h" });
    opened.push(config);
    const ctx = await getAuthContext(config);
    const hub = ctx.invalidation!;
    expect(await hub.ready).toBe(true);
    env.clock.advance(10_000);
    const alice = await register(config, "alice@example.test", PASSWORD);
    const a = createInstance("A", config);
    const cookie = await a.login("alice@example.test", PASSWORD);
    env.clock.advance(1_000);
    const since = env.clock.now().getTime() - 1_000;
    // The malformed payloads above name account 1; sent here, they name alice instead.
    for (const payload of MALFORMED.map((p) => p.replaceAll("1", String(alice.id))))
      await env.db.db.execute(sql`select pg_notify(${hub.channel}, ${payload})`);
    const received = nextInvalidation(hub, alice.id, "roles");
    // Bypasses the library's write for the role itself, so only the valid notification can reveal it.
    await env.db.db
      .update(authSchema.accounts)
      .set({ rolemask: AuthRole.Editor })
      .where(eq(authSchema.accounts.id, alice.id));
    expect((await a.me(cookie)).body.roles).toEqual([]);
    await env.db.db.execute(sql`select pg_notify(${hub.channel}, ${`roles:${alice.id}`})`);
    await received;
    expect(hub.stats).toEqual({ received: 1, ignored: MALFORMED.length, marked: 1 });
    expect(hub.invalidatedSince(alice.id, since)).toBe(true);
    expect((await a.me(cookie)).body.roles).toEqual(["Editor"]);
  });

  it("does not mark an account for a malformed payload naming it", async () => {
    const config = env.config({ invalidation: { listen: true }, resyncInterval: "1h" });
    opened.push(config);
    const hub = (await getAuthContext(config)).invalidation!;
    expect(await hub.ready).toBe(true);
    env.clock.advance(10_000);
    const alice = await register(config, "alice@example.test", PASSWORD);
    const bob = await register(config, "bob@example.test", PASSWORD);
    const since = env.clock.now().getTime() - 1;
    await env.db.db.execute(sql`select pg_notify(${hub.channel}, ${`ROLES:${alice.id}`})`);
    const received = nextInvalidation(hub, bob.id, "roles");
    await addRoleForUserBy(config, { accountId: bob.id }, AuthRole.Editor);
    await received;
    expect(hub.invalidatedSince(alice.id, since)).toBe(false);
    expect(hub.invalidatedSince(bob.id, since)).toBe(true);
  });
});
