import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { EmailTakenError, InvalidEmailError, InvalidPasswordError, register } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

describe("register()", () => {
  it("stores an argon2id PHC hash, never the password (PW-07)", async () => {
    const config = env.config();
    const account = await register(config, "alice@example.test", PASSWORD);
    const [row] = await env.db.db.select().from(authSchema.accounts).where(eq(authSchema.accounts.id, account.id));
    expect(row!.password).toMatch(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
    expect(row!.password).not.toContain(PASSWORD);
    expect(account).not.toHaveProperty("password");
  });

  it("canonicalises the email so case variants are one account (IN-03)", async () => {
    const config = env.config();
    await register(config, "Alice@Example.TEST", PASSWORD);
    await expect(register(config, "alice@example.test", PASSWORD)).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("rejects a password shorter than the minimum (PW-01)", async () => {
    await expect(register(env.config(), "bob@example.test", "short")).rejects.toMatchObject({ reason: "too_short", code: "INVALID_PASSWORD" });
  });

  it("rejects malformed emails with InvalidEmailError", async () => {
    await expect(register(env.config(), "not an email", PASSWORD)).rejects.toBeInstanceOf(InvalidEmailError);
    await expect(register(env.config(), 42 as never, PASSWORD)).rejects.toBeInstanceOf(InvalidEmailError);
  });

  it("rejects a blocklisted password", async () => {
    await expect(register(env.config(), "carol@example.test", "password123456789")).rejects.toBeInstanceOf(InvalidPasswordError);
  });
});
