/**
 * Session row writes carry their notification in the same statement (AZ-03): another instance hears
 * of every set and destroy, the writer never hears of its own, and a write that changed nothing
 * notifies nobody.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { type AuthContext, closeAuth, getAuthContext } from "../../src/core/context.js";
import { sessionKey } from "../../src/core/session-records.js";
import { deleteSessionRow, readSessionRow, writeSessionRow } from "../../src/sessions/session-rows.js";
import { useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const opened: AuthConfig[] = [];
afterEach(async () => void (await Promise.all(opened.splice(0).map((c) => closeAuth(c)))));

async function instance(listen: boolean): Promise<{ ctx: AuthContext; heard: string[] }> {
  const config = env.config(listen ? { invalidation: { listen: true } } : {});
  opened.push(config);
  const ctx = await getAuthContext(config);
  if (listen) expect(await ctx.invalidation!.ready).toBe(true);
  const heard: string[] = [];
  ctx.invalidation?.subscribeSessions((key) => heard.push(key));
  return { ctx, heard };
}

function values(ctx: AuthContext, sess: object) {
  const now = ctx.now();
  return { sess: JSON.stringify(sess), expires: new Date(now.getTime() + 60_000), accountId: null, updatedAt: now, ipAddress: null, userAgent: null };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("session rows", () => {
  it("a set and a destroy on one instance are heard by the other, never by the writer", async () => {
    const a = await instance(true);
    const b = await instance(true);
    const key = sessionKey("sid-1");
    expect(await writeSessionRow(a.ctx, key, values(a.ctx, { cart: 1 }), false)).toBe(true);
    await until(() => b.heard.length === 1);
    expect(b.heard).toEqual([key]);
    expect(JSON.parse((await readSessionRow(b.ctx, key))!.sess)).toEqual({ cart: 1 });
    await deleteSessionRow(a.ctx, key);
    await until(() => b.heard.length === 2);
    expect(b.heard).toEqual([key, key]);
    expect(await readSessionRow(b.ctx, key)).toBeNull();
    expect(a.heard).toEqual([]);
  });

  it("an update-only write of a deleted row writes nothing and notifies nobody", async () => {
    const a = await instance(true);
    const b = await instance(true);
    const key = sessionKey("sid-gone");
    expect(await writeSessionRow(a.ctx, key, values(a.ctx, {}), true)).toBe(false);
    expect(await readSessionRow(a.ctx, key)).toBeNull();
    // A write that does notify, after it: only that one arrives.
    const other = sessionKey("sid-2");
    await writeSessionRow(a.ctx, other, values(a.ctx, {}), false);
    await until(() => b.heard.length > 0);
    expect(b.heard).toEqual([other]);
  });

  it("without LISTEN the same writes work and send nothing", async () => {
    const a = await instance(false);
    const key = sessionKey("sid-3");
    expect(await writeSessionRow(a.ctx, key, values(a.ctx, { n: 1 }), false)).toBe(true);
    expect(await writeSessionRow(a.ctx, key, values(a.ctx, { n: 2 }), true)).toBe(true);
    expect(JSON.parse((await readSessionRow(a.ctx, key))!.sess)).toEqual({ n: 2 });
  });
});
