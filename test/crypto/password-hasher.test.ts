import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import {
  createPasswordHasher,
  DEFAULT_THREAD_PRIORITY,
  defaultMaxConcurrent,
} from "../../src/crypto/password-hasher.js";

/** Nice values of this process's threads (Linux). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      // Fields after "(comm) ": state is the 1st, nice the 17th.
      return [Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

describe("createPasswordHasher() scheduling", () => {
  it("defaults to one hash per core, on threads below normal priority", () => {
    expect(defaultMaxConcurrent()).toBe(availableParallelism());
    expect(DEFAULT_THREAD_PRIORITY).toBe(10);
  });

  it("refuses a threadPriority outside 0..19", () => {
    for (const threadPriority of [-1, 20, 1.5, Number.NaN])
      expect(() => createPasswordHasher({ threadPriority })).toThrow(/threadPriority/);
    expect(() => createPasswordHasher({ threadPriority: 0 })).not.toThrow();
    expect(() => createPasswordHasher({ threadPriority: 19 })).not.toThrow();
  });

  it("runs more hashes than slots, each verifying, and reports a hash the worker cannot parse as false", async () => {
    const hasher = createPasswordHasher({ maxConcurrent: 2 });
    const passwords = Array.from({ length: 5 }, (_, i) => `correct horse battery staple ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    expect(new Set(hashes).size).toBe(5);
    const checks = await Promise.all(hashes.map((h, i) => hasher.verify(h, passwords[(i + 1) % 5]!)));
    expect(checks).toEqual([false, false, false, false, false]);
    expect(await hasher.verify(hashes[3]!, passwords[3]!)).toBe(true);
    // PHC-shaped, so it reaches argon2, whose verify throws on the 3-byte salt.
    expect(await hasher.verify("$argon2id$v=19$m=19456,t=2,p=1$AAAA$AAAA", "x")).toBe(false);
    await expect(hasher.verifyDummy("whatever it is")).resolves.toBeUndefined();
  });

  it.runIf(process.platform === "linux")("hashes on threads with the configured nice value", async () => {
    // 7 is used by no other test, so a thread at 7 is this hasher's.
    expect(threadNiceValues()).not.toContain(7);
    const hasher = createPasswordHasher({ threadPriority: 7 });
    await hasher.hash("correct horse battery staple");
    // One hashing thread stays (idle, unref'd) after its hash.
    expect(threadNiceValues()).toContain(7);
    expect(threadNiceValues()).toContain(0); // the event loop keeps its priority
  });
});
