import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { AuthConfigError, resolveAuthConfig } from "../../src/index.js";
import type { TwoFactorDelivery } from "../../src/options/two-factor.js";
import { useTestEnv } from "../helpers/setup.js";
import {
  type TwoFactorApp,
  SECRET,
  call as call2fa,
  codeAt,
  startLogin,
  totpAccount,
  wrongCode,
} from "../two-factor/helpers.js";
import {
  ALICE,
  BOB,
  MINUTE,
  type TrustProxy,
  bucketKeys,
  expectRateLimited,
  from,
  limiterRows,
  rateLimitApp,
} from "./helpers.js";

const env = useTestEnv();
const IP = "203.0.113.7";
const OTHER_IP = "198.51.100.20";

/** A two-factor app (TOTP; codes by email/SMS go to `deliveries`) that trusts X-Forwarded-For. */
function twoFactorApp(overrides: Partial<AuthConfig> = {}, trustProxy: TrustProxy = true): TwoFactorApp {
  const deliveries: TwoFactorDelivery[] = [];
  const config = env.config({
    secret: SECRET,
    twoFactor: { enabled: true, deliver: (m) => void deliveries.push(m) },
    ...overrides,
  });
  return {
    t: rateLimitApp(config, trustProxy),
    config,
    deliveries,
    lastCode(channel) {
      const found = [...deliveries].reverse().find((m) => m.channel === channel);
      if (!found) throw new Error(`no ${channel} code delivered`);
      return found.code;
    },
  };
}

/** Two accounts with TOTP enrolled. */
async function twoAccounts(app: TwoFactorApp) {
  const alice = await totpAccount(app, env, ALICE);
  const bob = await totpAccount(app, env, BOB);
  return { alice, bob };
}

/** A password login from `ip` that stops at the second-factor prompt. */
async function pendingFrom(app: TwoFactorApp, email: string, ip: string) {
  return (await startLogin(app, { email, agent: from(app.t, ip) })).agent;
}

describe("second factor: wrong answers per client IP (BF-02, MF-05)", () => {
  it("refuses the next answer from an IP after perIp wrong answers across accounts, even a right one (BF-02)", async () => {
    const app = twoFactorApp({ rateLimits: { twoFactor: { perIp: 3 } } });
    const { alice, bob } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, IP);
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    await call2fa(a, "twoFactor.verify.backupCode", "not-a-code").expect(401);
    const b = await pendingFrom(app, BOB, IP);
    await call2fa(b, "twoFactor.verify.totp", wrongCode(bob.secret, env.clock.now())).expect(401);
    const res = await call2fa(b, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now()));
    expect(expectRateLimited(res)).toBe(900);
    await call2fa(b, "completeTwoFactorLogin").expect(401);
    expect(app.t.errors).toEqual([]);
  });

  it("leaves other client IPs free to answer (BF-02)", async () => {
    const app = twoFactorApp({ rateLimits: { twoFactor: { perIp: 3 } } });
    const { alice, bob } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, IP);
    for (let i = 0; i < 3; i++)
      await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    const blocked = await pendingFrom(app, BOB, IP);
    expectRateLimited(await call2fa(blocked, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())));
    const b = await pendingFrom(app, BOB, OTHER_IP);
    await call2fa(b, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())).expect(200);
    await call2fa(b, "completeTwoFactorLogin").expect(200);
    expect((await b.get("/me").expect(200)).body.email).toBe(BOB);
  });

  it("lets the IP answer again once a window passes without wrong answers (BF-02)", async () => {
    const app = twoFactorApp({ rateLimits: { twoFactor: { perIp: 2, window: "10m" } } });
    const { alice } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, IP);
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    env.clock.advance(6 * MINUTE);
    const again = await pendingFrom(app, ALICE, IP);
    await call2fa(again, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    env.clock.advance(6 * MINUTE);
    // 12 minutes after the first wrong answer, 6 after the last: the sliding window still holds.
    const third = await pendingFrom(app, ALICE, IP);
    expect(
      expectRateLimited(await call2fa(third, "twoFactor.verify.totp", codeAt(alice.secret, env.clock.now()))),
    ).toBe(240);
    env.clock.advance(4 * MINUTE);
    const fourth = await pendingFrom(app, ALICE, IP);
    await call2fa(fourth, "twoFactor.verify.totp", codeAt(alice.secret, env.clock.now())).expect(200);
  });

  it("shares the budget within an IPv6 /64 (BF-02)", async () => {
    const app = twoFactorApp({ rateLimits: { twoFactor: { perIp: 2 } } });
    const { alice, bob } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, "2001:db8:7:7::1");
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    const b = await pendingFrom(app, BOB, "2001:db8:7:7::2");
    await call2fa(b, "twoFactor.verify.totp", wrongCode(bob.secret, env.clock.now())).expect(401);
    const c = await pendingFrom(app, BOB, "2001:db8:7:7:8::3");
    expectRateLimited(await call2fa(c, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())));
    const d = await pendingFrom(app, BOB, "2001:db8:7:8::3");
    await call2fa(d, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())).expect(200);
  });

  it("counts wrong answers under the default rule (per IP, 15 minutes) next to the account lockout", async () => {
    const app = twoFactorApp();
    const { alice } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, IP);
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    const [ip] = (await limiterRows(env)).filter((r) => r.key.startsWith("rl:twoFactor:ip:"));
    expect(ip).toMatchObject({ count: 1 });
    expect(ip!.key).toMatch(/^rl:twoFactor:ip:[0-9a-f]{64}$/);
    expect(ip!.resetAt.getTime()).toBe(env.clock.now().getTime() + 15 * MINUTE);
  });

  it("`rateLimits: { twoFactor: false }` leaves only the account lockout", async () => {
    const app = twoFactorApp({ rateLimits: { twoFactor: false } });
    const { alice, bob } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, IP);
    for (let i = 0; i < 4; i++)
      await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    const b = await pendingFrom(app, BOB, IP);
    await call2fa(b, "twoFactor.verify.totp", codeAt(bob.secret, env.clock.now())).expect(200);
    // The sign-ups counted in their own `rl:register:` bucket; no second-factor bucket exists.
    expect(await bucketKeys(env, "twoFactor")).toEqual([]);
  });

  it("`rateLimits.twoFactor.perAccount` is either refused at startup or enforced, never silently ignored", async () => {
    // The options type and resolveRateLimits accept `perAccount` for every action, but verification.ts
    // builds the twoFactor buckets from the client IP only, so this setting would do nothing.
    const overrides: Partial<AuthConfig> = { rateLimits: { twoFactor: { perAccount: 2, perIp: false } } };
    try {
      resolveAuthConfig(env.config(overrides));
    } catch (err) {
      expect(err).toBeInstanceOf(AuthConfigError);
      expect((err as Error).message).toContain("rateLimits.twoFactor.perAccount");
      return;
    }
    const app = twoFactorApp(overrides);
    const { alice } = await twoAccounts(app);
    const a = await pendingFrom(app, ALICE, "192.0.2.1");
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    await call2fa(a, "twoFactor.verify.totp", wrongCode(alice.secret, env.clock.now())).expect(401);
    const b = await pendingFrom(app, ALICE, "192.0.2.2");
    expectRateLimited(await call2fa(b, "twoFactor.verify.totp", codeAt(alice.secret, env.clock.now())));
  });
});
