import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../src/testing/index.js";
import { register, userExistsByEmail } from "../src/index.js";
import { PASSWORD } from "./helpers/setup.js";

describe("createTestDatabase()", () => {
  it("gives an in-memory database with the auth tables applied, which reset() empties", async () => {
    const testDb = await createTestDatabase();
    try {
      const config = { db: testDb.db };
      await register(config, "kit@example.test", PASSWORD);
      expect(await userExistsByEmail(config, "kit@example.test")).toBe(true);
      await testDb.reset();
      expect(await userExistsByEmail(config, "kit@example.test")).toBe(false);
    } finally {
      await testDb.close();
    }
  });

  it("gives independent databases on each call", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      await register({ db: a.db }, "only-in-a@example.test", PASSWORD);
      expect(await userExistsByEmail({ db: b.db }, "only-in-a@example.test")).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
