import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { AuthConfigError } from "../errors.js";
import { normalizePassword } from "./password-policy.js";
import { createSemaphore } from "./semaphore.js";

/** argon2id cost parameters. The defaults are the OWASP minimum; lower values are refused. */
export interface PasswordHashingOptions {
  /** Memory in KiB. @default 19456 */
  memoryCost?: number;
  /** Iterations. @default 2 */
  timeCost?: number;
  /** Lanes. @default 1 */
  parallelism?: number;
  /**
   * Hashes computed at once; the rest queue. Keeps a burst of logins from taking every core away from
   * other requests. @default max(1, available cores - 1)
   */
  maxConcurrent?: number;
}

/** Hashes and verifies passwords; `hash` and `verify` run on libuv's thread pool, off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against a stored PHC string; false for a malformed hash instead of throwing. */
  verify(stored: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with weaker parameters than the configured ones. */
  needsRehash(stored: string): boolean;
  /** Verifies against a dummy hash with the same parameters, so an unknown account costs the same time. */
  verifyDummy(password: string): Promise<void>;
}

const FLOOR = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Builds the argon2id hasher, refusing parameters below the OWASP floor (m=19456 KiB, t=2, p=1). */
export function createPasswordHasher(options: PasswordHashingOptions = {}): PasswordHasher {
  const params = {
    ...FLOOR,
    memoryCost: options.memoryCost ?? FLOOR.memoryCost,
    timeCost: options.timeCost ?? FLOOR.timeCost,
    parallelism: options.parallelism ?? FLOOR.parallelism,
  };
  for (const key of ["memoryCost", "timeCost", "parallelism"] as const) {
    if (!Number.isInteger(params[key]) || params[key] < 1) {
      throw new AuthConfigError(`passwordHashing.${key} must be a positive integer`);
    }
  }
  if (params.memoryCost * params.timeCost < FLOOR.memoryCost * FLOOR.timeCost || params.memoryCost < 7168) {
    throw new AuthConfigError("passwordHashing is below the OWASP argon2id minimum (m=19456 KiB, t=2)");
  }
  const argonOptions = { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism };
  const maxConcurrent = options.maxConcurrent ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
    throw new AuthConfigError("passwordHashing.maxConcurrent must be a positive integer");
  const slots = createSemaphore(maxConcurrent);
  let dummy: Promise<string> | undefined;

  return {
    hash: (password) => slots.run(() => hash(normalizePassword(password), argonOptions)),
    async verify(stored, password) {
      if (!PHC.test(stored)) return false;
      try {
        return await slots.run(() => verify(stored, normalizePassword(password)));
      } catch {
        return false;
      }
    },
    needsRehash(stored) {
      const m = PHC.exec(stored);
      if (!m) return false;
      const [memory, time, lanes] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return memory < params.memoryCost || time < params.timeCost || lanes !== params.parallelism;
    },
    async verifyDummy(password) {
      dummy ??= hash("dummy password for timing equality", argonOptions);
      const stored = await dummy;
      await slots.run(() => verify(stored, normalizePassword(password))).catch(() => false);
    },
  };
}
