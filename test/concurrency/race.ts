/**
 * The shared shape of the exactly-once tests (DB-03): fire many uses of ONE secret at the same time and
 * check that exactly one wins and every other one fails cleanly with a stable error code.
 */
import type { Response } from "supertest";
import { expect } from "vitest";

/** How many uses of one secret each test fires at once. */
export const RACERS = 20;

/** Starts `attempt(0) … attempt(times - 1)` together (nothing awaited in between) and waits for all. */
export function race<T>(attempt: (index: number) => Promise<T>, times = RACERS): Promise<T[]> {
  return Promise.all(Array.from({ length: times }, (_, index) => attempt(index)));
}

/** The status and error code every losing response must carry (one code, or one of a few stable ones). */
export interface LoserAnswer {
  status: number;
  code: string | readonly string[];
}

/**
 * Expects exactly one 200 among the responses and `loser` (status and JSON `error` code) for all the
 * others; a 500 or any other answer fails the test. Returns the index of the winner.
 */
export function expectOneWinner(responses: Response[], loser: LoserAnswer): number {
  const answers = responses.map((r) => `${r.status} ${r.status === 200 ? "" : String(r.body?.error)}`);
  const winners = responses.flatMap((r, index) => (r.status === 200 ? [index] : []));
  expect(winners, answers.join(", ")).toHaveLength(1);
  const losers = responses.filter((r) => r.status !== 200);
  expect(losers, answers.join(", ")).toHaveLength(responses.length - 1);
  for (const r of losers) {
    expect(r.status, r.text).toBe(loser.status);
    expect(typeof loser.code === "string" ? [loser.code] : loser.code, r.text).toContain(r.body.error);
  }
  return winners[0]!;
}
