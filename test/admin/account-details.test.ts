import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAuthContext } from "../../src/admin/create-auth-context.js";
import { register } from "../../src/standalone.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import {
  ALICE,
  PHONE,
  enrollEmail,
  enrollSms,
  registerAndSignIn,
  totpAccount,
  twoFactorApp,
} from "../two-factor/helpers.js";
import { auditRowsOf, expectCode, expectNoSecrets, storedSecrets, t } from "./helpers.js";

const env = useTestEnv();

/** Alice with TOTP, email and SMS methods enrolled through real requests; returns the TOTP secret and codes. */
async function aliceWithEveryMethod() {
  const app = twoFactorApp(env);
  const { agent, secret, backupCodes } = await totpAccount(app, env);
  await enrollEmail(app, agent);
  await enrollSms(app, agent);
  const [alice] = await env.db.db.select().from(t.accounts).where(eq(t.accounts.email, ALICE));
  return { app, agent, config: app.config, alice: alice!, totpSecret: secret, backupCodes };
}

describe("getTwoFactorMethods()", () => {
  it("lists every method with its mechanism, verified flag and masked contact", async () => {
    const { config, alice } = await aliceWithEveryMethod();
    const methods = await createAuthContext(config).getTwoFactorMethods(alice.id);
    expect(methods.map((m) => [m.mechanismName, m.verified, m.maskedContact])).toEqual([
      ["totp", true, null],
      ["email", true, "a***e@example.test"],
      ["sms", true, "+1********67"],
    ]);
  });

  it("CS-04: returns no TOTP secret (plain or sealed), backup code, full phone number or hash", async () => {
    const { config, alice, totpSecret, backupCodes } = await aliceWithEveryMethod();
    const ctx = createAuthContext(config);
    const returned = [
      await ctx.getTwoFactorMethods(alice.id),
      await ctx.getAccount({ accountId: alice.id }),
      await ctx.listAccounts(),
    ];
    expectNoSecrets(returned, [totpSecret, ...backupCodes, PHONE, ...(await storedSecrets(env))]);
    expect(JSON.stringify(returned)).not.toMatch(/"secret"|"password"|codeHash|validator/i);
  });

  it("an account without methods, or an unknown one, has none", async () => {
    const config = env.config();
    const alice = await register(config, ALICE, PASSWORD);
    const ctx = createAuthContext(config);
    expect(await ctx.getTwoFactorMethods(alice.id)).toEqual([]);
    expect(await ctx.getTwoFactorMethods(424242)).toEqual([]);
  });

  it("IN-01: a malformed account id is INVALID_INPUT", async () => {
    const ctx = createAuthContext(env.config());
    for (const id of ["1", 1.5, -1, null, { id: 1 }, 2 ** 40])
      await expectCode(ctx.getTwoFactorMethods(id as never), "INVALID_INPUT");
  });
});

describe("removeTwoFactorMethod()", () => {
  it("removes the method by id and writes `two_factor_disabled` with the actor", async () => {
    const { config, alice } = await aliceWithEveryMethod();
    const admin = await register(config, "admin@example.test", PASSWORD);
    const ctx = createAuthContext(config, { actor: { accountId: admin.id } });
    const sms = (await ctx.getTwoFactorMethods(alice.id)).find((m) => m.mechanismName === "sms")!;
    await ctx.removeTwoFactorMethod({ accountId: alice.id }, sms.id);
    expect((await ctx.getTwoFactorMethods(alice.id)).map((m) => m.mechanismName)).toEqual(["totp", "email"]);
    const rows = (await auditRowsOf(env, "two_factor_disabled")).filter((r) => r.accountId === alice.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorAccountId: admin.id, metadata: { mechanism: "sms" } });
  });

  it("removing the last verified method also deletes the backup codes", async () => {
    const app = twoFactorApp(env);
    await totpAccount(app, env);
    const [alice] = await env.db.db.select().from(t.accounts).where(eq(t.accounts.email, ALICE));
    const ctx = createAuthContext(app.config);
    const [totp] = await ctx.getTwoFactorMethods(alice!.id);
    expect(await env.db.db.$count(t.twoFactorBackupCodes)).toBeGreaterThan(0);
    await ctx.removeTwoFactorMethod({ email: ALICE }, totp!.id);
    expect(await env.db.db.$count(t.twoFactorMethods)).toBe(0);
    expect(await env.db.db.$count(t.twoFactorBackupCodes)).toBe(0);
  });

  it("a method id of another account is TWO_FACTOR_NOT_SETUP and removes nothing", async () => {
    const { config, alice } = await aliceWithEveryMethod();
    const bob = await register(config, "bob@example.test", PASSWORD);
    const ctx = createAuthContext(config);
    const [method] = await ctx.getTwoFactorMethods(alice.id);
    await expectCode(ctx.removeTwoFactorMethod({ accountId: bob.id }, method!.id), "TWO_FACTOR_NOT_SETUP");
    expect(await ctx.getTwoFactorMethods(alice.id)).toHaveLength(3);
  });

  it("an unknown account is USER_NOT_FOUND; a malformed method id INVALID_INPUT", async () => {
    const app = twoFactorApp(env);
    await registerAndSignIn(app);
    const ctx = createAuthContext(app.config);
    await expectCode(ctx.removeTwoFactorMethod({ accountId: 999 }, 1), "USER_NOT_FOUND");
    for (const id of ["1", 0, -3, 1.5, null, [1]])
      await expectCode(ctx.removeTwoFactorMethod({ email: ALICE }, id as never), "INVALID_INPUT");
  });
});

describe("getProvidersForAccount()", () => {
  it("lists linked identities newest first, with profile fields only", async () => {
    const config = env.config();
    const alice = await register(config, ALICE, PASSWORD);
    const now = env.clock.now();
    const later = new Date(now.getTime() + 1000);
    await env.db.db.insert(t.providers).values([
      {
        accountId: alice.id,
        provider: "github",
        providerId: "1",
        providerUsername: "al",
        createdAt: now,
        updatedAt: now,
      },
      {
        accountId: alice.id,
        provider: "google",
        providerId: "g-2",
        providerEmail: ALICE,
        createdAt: later,
        updatedAt: later,
      },
    ]);
    const providers = await createAuthContext(config).getProvidersForAccount(alice.id);
    expect(providers.map((p) => [p.provider, p.providerId])).toEqual([
      ["google", "g-2"],
      ["github", "1"],
    ]);
    expect(Object.keys(providers[0]!).sort()).toEqual(
      ["avatar", "createdAt", "email", "id", "name", "provider", "providerId", "updatedAt", "username"].sort(),
    );
    expect(providers[1]).toMatchObject({ username: "al", email: null });
  });

  it("IN-01: a malformed account id is INVALID_INPUT", async () => {
    await expectCode(createAuthContext(env.config()).getProvidersForAccount("1" as never), "INVALID_INPUT");
  });
});
