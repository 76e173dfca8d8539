import { beforeEach } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { type TestClock, createClock } from "./clock.js";
import { type TestDb, getTestDb } from "./db.js";

/** What most tests need: the worker database (emptied before each test), a clock, and a config factory. */
export interface TestEnv {
  db: TestDb;
  clock: TestClock;
  /** A fresh config on the test database and clock, with overrides. */
  config(overrides?: Partial<AuthConfig>): AuthConfig;
}

/** Registers a `beforeEach` that empties the database and resets the clock; returns the live environment. */
export function useTestEnv(): TestEnv {
  const env = { clock: createClock() } as TestEnv;
  beforeEach(async () => {
    env.db = await getTestDb();
    await env.db.reset();
    env.clock = createClock();
    env.config = (overrides = {}) => ({ db: env.db.db, now: () => env.clock.now(), ...overrides });
  });
  return env;
}

/** A password that satisfies the default policy. */
export const PASSWORD = "correct horse battery staple";
/** Another one, for password changes. */
export const NEW_PASSWORD = "tangerine submarine orchestra";
