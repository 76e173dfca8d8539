/**
 * The invariants the killed-connection tests check after each round, on the assertion pool (never the
 * killed one): no account without its `register` audit row, no session for a failed sign-in, no reset
 * or confirmation token spent without its effect (or the reverse), no reset token without its audit row.
 */
import { and, count, eq, isNotNull, notExists } from "drizzle-orm";
import type { Response, Test } from "supertest";
import { expect } from "vitest";
import { authSchema } from "../../schema/index.js";
import { AuthActivityAction, register } from "../../src/index.js";
import type { TestApp } from "../helpers/app.js";
import { PASSWORD, type TestEnv } from "../helpers/setup.js";
import { type KillablePool, expectAnswered, outcome, sessionRowKey } from "./killed-connection-helpers.js";

const { accounts, activityLog, sessions, resets, confirmations } = authSchema;

/** One operation under test: its inputs (made before the killing starts), its request, its invariants. */
export interface Scenario {
  prepare(n: number, round: number): Promise<Input[]>;
  send(input: Input): Test;
  check(results: Result[]): Promise<void>;
  /** Called after the request that follows a round succeeded. */
  recovered?(): void;
}
/** What one request of a scenario needs: the account's address, a token, the password hash before. */
export interface Input {
  email: string;
  token?: string;
  hash?: string | null;
  send?: () => Test;
  agent?: ReturnType<TestApp["agent"]>;
}

/** One result of a round: the input, the response, and whether it was a success. */
export type Result = { input: Input; res: Response; ok: boolean };

/** The checks over the worker database of `env`. */
export function invariants(env: TestEnv) {
  const db = () => env.db.db;
  const accountOf = async (email: string) =>
    (await db().select().from(accounts).where(eq(accounts.email, email)).limit(1))[0];
  const sessionRow = async (key: string | undefined) =>
    key ? (await db().select().from(sessions).where(eq(sessions.id, key)).limit(1))[0] : undefined;
  const sessionOfAccount = async (email: string) =>
    (
      await db()
        .select({ id: sessions.id })
        .from(sessions)
        .where(eq(sessions.accountId, (await accountOf(email))!.id))
    )[0]?.id;
  const countOf = async (table: typeof resets | typeof confirmations, accountId: number) =>
    (await db().select({ n: count() }).from(table).where(eq(table.accountId, accountId)))[0]!.n;

  /** Verified accounts made directly (no request), one per input. */
  async function verifiedAccounts(n: number, prefix: string): Promise<Input[]> {
    const emails = Array.from({ length: n }, (_, i) => `${prefix}-${i}@example.test`);
    for (const email of emails) await register(env.config(), email, PASSWORD);
    return emails.map((email) => ({ email }));
  }

  async function expectEveryAccountAudited(): Promise<void> {
    const orphans = await db()
      .select({ id: accounts.id })
      .from(accounts)
      .where(
        notExists(
          db()
            .select({ id: activityLog.id })
            .from(activityLog)
            .where(and(eq(activityLog.accountId, accounts.id), eq(activityLog.action, AuthActivityAction.Register))),
        ),
      );
    expect(orphans, "an account without its register audit row").toEqual([]);
  }

  /** A signed-in session row exists for a successful sign-in, and none for a failed one. */
  function loginChecks(cookie: string): Pick<Scenario, "check" | "recovered"> {
    const okSoFar = { n: 0 };
    const check = async (results: { res: Response; ok: boolean }[]) => {
      for (const { res, ok } of results) {
        const row = await sessionRow(sessionRowKey(res, cookie));
        if (ok) expect(row?.accountId, "a successful sign-in without its session").toBeTypeOf("number");
        else expect(row?.accountId ?? null, "a session for a failed sign-in").toBeNull();
        if (ok) okSoFar.n++;
      }
      const [signedIn] = await db().select({ n: count() }).from(sessions).where(isNotNull(sessions.accountId));
      expect(signedIn!.n, "signed-in sessions that no successful sign-in made").toBe(okSoFar.n);
    };
    return { check, recovered: () => void okSoFar.n++ };
  }

  async function resetCheck(results: { input: Input; ok: boolean }[]): Promise<void> {
    for (const { input, ok } of results) {
      const account = (await accountOf(input.email))!;
      const consumed = (await countOf(resets, account.id)) === 0;
      expect(consumed, "a reset token spent without the new password, or the reverse").toBe(
        account.password !== input.hash,
      );
      if (ok) expect(consumed).toBe(true);
    }
  }

  async function confirmationCheck(results: { input: Input; ok: boolean }[]): Promise<void> {
    for (const { input, ok } of results) {
      const account = (await accountOf(input.email))!;
      const consumed = (await countOf(confirmations, account.id)) === 0;
      expect(consumed, "a confirmation spent without verifying, or the reverse").toBe(account.verified);
      if (ok) expect(account.verified).toBe(true);
    }
  }

  async function resetRequestCheck(results: { input: Input; ok: boolean }[]): Promise<void> {
    for (const { input, ok } of results)
      if (ok) expect(await countOf(resets, (await accountOf(input.email))!.id)).toBe(1);
    const [issued] = await db().select({ n: count() }).from(resets);
    const [audited] = await db()
      .select({ n: count() })
      .from(activityLog)
      .where(and(eq(activityLog.action, AuthActivityAction.PasswordResetRequested), eq(activityLog.success, true)));
    expect(issued!.n, "a reset token without its audit row").toBe(audited!.n);
  }

  return {
    accountOf,
    sessionRow,
    sessionOfAccount,
    verifiedAccounts,
    expectEveryAccountAudited,
    loginChecks,
    resetCheck,
    confirmationCheck,
    resetRequestCheck,
  };
}

/**
 * Runs a scenario: each round prepares its inputs, sends `parallel` requests while the app's backends are
 * killed, checks that each got an answer and the invariants hold, then sends one more with nothing being
 * killed, which must succeed.
 */
export async function runScenario(pool: KillablePool, s: Scenario, o: { rounds: number; parallel: number }) {
  let killed = 0;
  for (let round = 0; round < o.rounds; round++) {
    const inputs = await s.prepare(o.parallel + 1, round);
    const outcomes = await pool.whileKilling(async () => {
      const sent = inputs.slice(0, o.parallel).map((input) => outcome(s.send(input)));
      killed += await pool.killAll();
      return Promise.all(sent);
    });
    const answered = expectAnswered(outcomes);
    await s.check(answered.map((a, i) => ({ ...a, input: inputs[i]! })));
    const next = await outcome(s.send(inputs[o.parallel]!));
    expect(next.res?.status, next.res?.text ?? next.error).toBe(200);
    s.recovered?.();
  }
  expect(killed, "the killer never found a backend to terminate").toBeGreaterThan(0);
}
