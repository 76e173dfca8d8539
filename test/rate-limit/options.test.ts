import { describe, expect, it } from "vitest";
import { AuthConfigError, resolveAuthConfig } from "../../src/index.js";
import { type RateLimitOptions, resolveRateLimits } from "../../src/rate-limit/options.js";
import { useTestEnv } from "../helpers/setup.js";
import { HOUR, MINUTE } from "./helpers.js";

const env = useTestEnv();

/** The error `resolveRateLimits` throws for `options` (fails the test when it does not throw). */
function configError(options: unknown): AuthConfigError {
  try {
    resolveRateLimits(options as RateLimitOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(AuthConfigError);
    return err as AuthConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe("resolveRateLimits()", () => {
  it("applies the documented defaults when `rateLimits` is not given", () => {
    expect(resolveRateLimits(undefined)).toEqual({
      login: { perAccount: null, perIp: 100, windowMs: 15 * MINUTE },
      twoFactor: { perAccount: null, perIp: 50, windowMs: 15 * MINUTE },
      passwordReset: { perAccount: 5, perIp: 20, windowMs: HOUR },
      confirmationResend: { perAccount: 5, perIp: 20, windowMs: HOUR },
      register: { perAccount: null, perIp: 10, windowMs: HOUR },
    });
    expect(resolveRateLimits({})).toEqual(resolveRateLimits(undefined));
  });

  it("`rateLimits: false` turns every action off", () => {
    expect(resolveRateLimits(false)).toEqual({
      login: null,
      twoFactor: null,
      passwordReset: null,
      confirmationResend: null,
      register: null,
    });
  });

  it("`<action>: false` turns one action off and leaves the others at their defaults", () => {
    const resolved = resolveRateLimits({ passwordReset: false });
    expect(resolved.passwordReset).toBeNull();
    expect(resolved.confirmationResend).toEqual({ perAccount: 5, perIp: 20, windowMs: HOUR });
    expect(resolved.login).toEqual({ perAccount: null, perIp: 100, windowMs: 15 * MINUTE });
  });

  it("`perIp: false` / `perAccount: false` turn one side off; both off turns the action off", () => {
    expect(resolveRateLimits({ passwordReset: { perIp: false } }).passwordReset).toEqual({
      perAccount: 5,
      perIp: null,
      windowMs: HOUR,
    });
    expect(resolveRateLimits({ confirmationResend: { perAccount: false } }).confirmationResend).toEqual({
      perAccount: null,
      perIp: 20,
      windowMs: HOUR,
    });
    expect(resolveRateLimits({ passwordReset: { perIp: false, perAccount: false } }).passwordReset).toBeNull();
    expect(resolveRateLimits({ login: { perIp: false } }).login).toBeNull();
  });

  it("merges a partial rule with the action's defaults", () => {
    expect(resolveRateLimits({ login: { perIp: 3 } }).login).toEqual({
      perAccount: null,
      perIp: 3,
      windowMs: 15 * MINUTE,
    });
    expect(resolveRateLimits({ passwordReset: { window: "10m" } }).passwordReset).toEqual({
      perAccount: 5,
      perIp: 20,
      windowMs: 10 * MINUTE,
    });
    expect(resolveRateLimits({ twoFactor: { window: 90_000 } }).twoFactor!.windowMs).toBe(90_000);
  });

  it.each([
    [null, "rateLimits"],
    ["on", "rateLimits"],
    [true, "rateLimits"],
    [5, "rateLimits"],
    [{ login: null }, "rateLimits.login"],
    [{ login: true }, "rateLimits.login"],
    [{ twoFactor: "strict" }, "rateLimits.twoFactor"],
    [{ passwordReset: 5 }, "rateLimits.passwordReset"],
    [{ login: { perIp: 0 } }, "rateLimits.login.perIp"],
    [{ login: { perIp: -1 } }, "rateLimits.login.perIp"],
    [{ login: { perIp: 1.5 } }, "rateLimits.login.perIp"],
    [{ login: { perIp: "10" } }, "rateLimits.login.perIp"],
    [{ login: { perIp: Number.NaN } }, "rateLimits.login.perIp"],
    [{ login: { perIp: Number.POSITIVE_INFINITY } }, "rateLimits.login.perIp"],
    [{ login: { perIp: 1_000_001 } }, "rateLimits.login.perIp"],
    [{ login: { perIp: true } }, "rateLimits.login.perIp"],
    [{ login: { perIp: null } }, "rateLimits.login.perIp"],
    [{ passwordReset: { perAccount: 0 } }, "rateLimits.passwordReset.perAccount"],
    [{ confirmationResend: { perAccount: "5" } }, "rateLimits.confirmationResend.perAccount"],
    [{ passwordReset: { window: "soon" } }, "rateLimits.passwordReset.window"],
    [{ passwordReset: { window: 0 } }, "rateLimits.passwordReset.window"],
    [{ passwordReset: { window: -5 } }, "rateLimits.passwordReset.window"],
    [{ twoFactor: { window: "" } }, "rateLimits.twoFactor.window"],
  ])("refuses %j with an AuthConfigError naming %s", (options, option) => {
    const err = configError(options);
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.message).toContain(`${option} must be`);
  });

  it.each([[1e16], ["100000000w"]])(
    "refuses a window no timestamp can hold (%j): each request would otherwise fail with a 500",
    (window) => {
      // `new Date(now + windowMs)` is an Invalid Date beyond 8.64e15 ms; countEvents() then throws a RangeError.
      const err = configError({ passwordReset: { window } });
      expect(err.message).toContain("rateLimits.passwordReset.window must be");
    },
  );

  it("accepts the bounds 1 and 1000000", () => {
    expect(resolveRateLimits({ login: { perIp: 1 } }).login!.perIp).toBe(1);
    expect(resolveRateLimits({ login: { perIp: 1_000_000 } }).login!.perIp).toBe(1_000_000);
  });
});

describe("resolveAuthConfig(): rateLimits and limiter", () => {
  it("validates `rateLimits` at startup and names the option", () => {
    expect(() => resolveAuthConfig(env.config({ rateLimits: { login: { perIp: 0 } } }))).toThrow(
      /rateLimits\.login\.perIp must be/,
    );
    expect(() => resolveAuthConfig(env.config({ rateLimits: "off" as never }))).toThrow(AuthConfigError);
  });

  it("resolves the defaults and `false`", () => {
    expect(resolveAuthConfig(env.config()).rateLimits).toEqual(resolveRateLimits(undefined));
    expect(resolveAuthConfig(env.config({ rateLimits: false })).rateLimits).toEqual(resolveRateLimits(false));
  });

  it.each([[{}], [{ take: 1 }], [{ limit: () => ({ allowed: true }) }], [null], ["redis"]])(
    "refuses the limiter %j with an AuthConfigError naming `limiter`",
    (limiter) => {
      expect(() => resolveAuthConfig(env.config({ limiter: limiter as never }))).toThrow(/limiter must be/);
    },
  );

  it.each(["take", "hit", "drip", "consume", "check"])("accepts a limiter with `%s`", (method) => {
    const limiter = { [method]: () => ({ allowed: true }) } as never;
    expect(resolveAuthConfig(env.config({ limiter })).limiter).toBe(limiter);
  });
});
