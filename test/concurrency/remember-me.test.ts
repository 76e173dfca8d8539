/**
 * RM-02 / RM-03 / DB-03: a remember-me validator is rotated once, however many restores race with it. Within the
 * bounded grace window RM-02 allows (30 s, for parallel tabs), the racers that lost the rotation are still
 * signed in but get no cookie of their own, so the series never forks.
 */
import { eq } from "drizzle-orm";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { register } from "../../src/index.js";
import { createTestApp } from "../helpers/app.js";
import { cookieValue, sha256, signIn } from "../helpers/cookies.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { RACERS, race } from "./race.js";

const env = useTestEnv();
const ALICE = "alice@example.test";
const GRACE_MS = 30_000;
const { remembers, sessions } = authSchema;

/** Alice, signed in with remember-me: the app, her account id and the `remember_token=…` cookie. */
async function remembered() {
  const config = env.config();
  const account = await register(config, ALICE, PASSWORD);
  const t = createTestApp(config);
  const { rememberCookie } = await signIn(t, ALICE, PASSWORD, { remember: true });
  return { t, accountId: account.id, cookie: rememberCookie! };
}

const validatorOf = (token: string) => token.split(".")[1]!;

describe("RM-02 one remember-me cookie, many parallel restores", () => {
  it(`RM-02: ${RACERS} parallel restores with one cookie rotate the validator exactly once`, async () => {
    const { t, accountId, cookie } = await remembered();
    const responses = await race(() => request(t.app).get("/me").set("Cookie", cookie));
    expect(responses.map((r) => r.status)).toEqual(Array(RACERS).fill(200));
    const issued = responses.flatMap((r) => cookieValue(r, "remember_token") ?? []);
    expect(issued).toHaveLength(1);
    const rows = await env.db.db.select().from(remembers).where(eq(remembers.accountId, accountId));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.validatorHash).toBe(sha256(validatorOf(issued[0]!)));
    expect(rows[0]!.previousHash).toBe(sha256(validatorOf(decodeURIComponent(cookie.split("=")[1]!))));
    env.clock.advance(GRACE_MS + 1);
    const next = await request(t.app)
      .get("/me")
      .set("Cookie", `remember_token=${encodeURIComponent(issued[0]!)}`);
    expect(next.status, next.text).toBe(200);
    expect(t.errors).toEqual([]);
  });

  it(`RM-03: ${RACERS} parallel restores with a superseded cookie after the grace window sign nobody in`, async () => {
    const { t, accountId, cookie } = await remembered();
    await request(t.app).get("/me").set("Cookie", cookie).expect(200);
    env.clock.advance(GRACE_MS + 1);
    const responses = await race(() => request(t.app).get("/me").set("Cookie", cookie));
    expect(responses.map((r) => r.status)).toEqual(Array(RACERS).fill(401));
    expect(await env.db.db.select().from(remembers).where(eq(remembers.accountId, accountId))).toEqual([]);
    expect(await env.db.db.select().from(sessions).where(eq(sessions.accountId, accountId))).toEqual([]);
    expect(t.errors).toEqual([]);
  });
});
