import { describe, expect, it } from "vitest";
import { createSemaphore } from "../../src/crypto/semaphore.js";
import { createPasswordHasher } from "../../src/crypto/password-hasher.js";

describe("createSemaphore()", () => {
  it("never runs more than the limit at once, and runs every task", async () => {
    const slots = createSemaphore(2);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        slots.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("frees the slot when a task throws", async () => {
    const slots = createSemaphore(1);
    await expect(slots.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(slots.run(async () => "next")).resolves.toBe("next");
  });
});

describe("createPasswordHasher()", () => {
  it("refuses argon2 parameters below the OWASP floor (PW-07)", () => {
    expect(() => createPasswordHasher({ memoryCost: 4096, timeCost: 1 })).toThrow(/OWASP/);
    expect(() => createPasswordHasher({ maxConcurrent: 0 })).toThrow(/maxConcurrent/);
  });

  it("hashes with a unique salt and verifies across Unicode normalisation forms (PW-05)", async () => {
    const hasher = createPasswordHasher({ maxConcurrent: 1 });
    const [a, b] = await Promise.all([hasher.hash("caf\u00e9-correct-horse"), hasher.hash("caf\u00e9-correct-horse")]);
    expect(a).not.toEqual(b);
    expect(await hasher.verify(a, "cafe\u0301-correct-horse")).toBe(true);
    expect(await hasher.verify(a, "cafe-correct-horse")).toBe(false);
    expect(await hasher.verify("not a phc string", "x")).toBe(false);
  });
});
