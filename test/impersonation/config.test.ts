/** `config.impersonation` is validated when the config is first used; bad values name the option. */
import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/config.js";
import { resolveImpersonation } from "../../src/impersonation/options.js";
import { AuthConfigError, createAuthMiddleware, resolveAuthConfig } from "../../src/index.js";
import { useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

function configError(impersonation: unknown): AuthConfigError | null {
  try {
    createAuthMiddleware(env.config({ impersonation: impersonation as AuthConfig["impersonation"] }));
    return null;
  } catch (err) {
    if (err instanceof AuthConfigError) return err;
    throw err;
  }
}

describe("invalid impersonation options fail at createAuthMiddleware()", () => {
  it.each<[string, unknown, string]>([
    ['defaultTtl "abc"', { defaultTtl: "abc" }, "impersonation.defaultTtl"],
    ['defaultTtl "3 fortnights"', { defaultTtl: "3 fortnights" }, "impersonation.defaultTtl"],
    ["defaultTtl 0", { defaultTtl: 0 }, "impersonation.defaultTtl"],
    ["defaultTtl -5", { defaultTtl: -5 }, "impersonation.defaultTtl"],
    ["defaultTtl NaN", { defaultTtl: Number.NaN }, "impersonation.defaultTtl"],
    ["defaultTtl Infinity", { defaultTtl: Number.POSITIVE_INFINITY }, "impersonation.defaultTtl"],
    ["defaultTtl {}", { defaultTtl: {} }, "impersonation.defaultTtl"],
    ['maxTtl "soon"', { maxTtl: "soon" }, "impersonation.maxTtl"],
    ['maxTtl "0s"', { maxTtl: "0s" }, "impersonation.maxTtl"],
    ["maxTtl true", { maxTtl: true }, "impersonation.maxTtl"],
    ['canImpersonate "yes"', { canImpersonate: "yes" }, "impersonation.canImpersonate"],
    ["canImpersonate true", { canImpersonate: true }, "impersonation.canImpersonate"],
    ["canImpersonate {}", { canImpersonate: {} }, "impersonation.canImpersonate"],
    ['mayImpersonate "admins"', { mayImpersonate: "admins" }, "impersonation.mayImpersonate"],
    ["mayImpersonate true", { mayImpersonate: true }, "impersonation.mayImpersonate"],
    ['requireLowerPrivilege "false"', { requireLowerPrivilege: "false" }, "impersonation.requireLowerPrivilege"],
    ["requireLowerPrivilege 0", { requireLowerPrivilege: 0 }, "impersonation.requireLowerPrivilege"],
    ['impersonation "on"', "on", "impersonation"],
    ["impersonation true", true, "impersonation"],
    ["impersonation null", null, "impersonation"],
  ])("%s → INVALID_CONFIG naming the option", (_label, impersonation, option) => {
    const err = configError(impersonation);
    expect(err, "no error thrown").not.toBeNull();
    expect(err!.code).toBe("INVALID_CONFIG");
    expect(err!.message).toContain(option);
  });

  // BUG (src/impersonation/options.ts:47): `fail("", "an object")` builds the message from
  // `impersonation.${option}` with an empty option, giving "impersonation. must be an object".
  it("a non-object impersonation option gets a well-formed message (no stray dot)", () => {
    const err = configError("on");
    expect(err!.message).toBe("Invalid auth config: impersonation must be an object");
  });

  it("the check also runs in resolveAuthConfig", () => {
    expect(() => resolveAuthConfig(env.config({ impersonation: { maxTtl: "forever" } }))).toThrow(AuthConfigError);
  });
});

describe("valid impersonation options", () => {
  it("absent: disabled, 30m/1h, no policy, requireLowerPrivilege on", () => {
    expect(resolveImpersonation(undefined)).toEqual({
      enabled: false,
      defaultTtlMs: 30 * 60_000,
      maxTtlMs: 60 * 60_000,
      canImpersonate: null,
      mayImpersonate: null,
      requireLowerPrivilege: true,
    });
    expect(configError(undefined)).toBeNull();
  });

  it("enabled only when exactly true", () => {
    expect(resolveImpersonation({ enabled: true }).enabled).toBe(true);
    expect(resolveImpersonation({ enabled: "true" as unknown as boolean }).enabled).toBe(false);
    expect(resolveImpersonation({ enabled: 1 as unknown as boolean }).enabled).toBe(false);
  });

  it("durations as strings or milliseconds; defaultTtl is capped by maxTtl", () => {
    const policy = () => true;
    expect(resolveImpersonation({ enabled: true, defaultTtl: "10m", maxTtl: 900_000, canImpersonate: policy })).toEqual(
      {
        enabled: true,
        defaultTtlMs: 10 * 60_000,
        maxTtlMs: 15 * 60_000,
        canImpersonate: policy,
        mayImpersonate: null,
        requireLowerPrivilege: true,
      },
    );
    expect(resolveImpersonation({ defaultTtl: "2h" }).defaultTtlMs).toBe(60 * 60_000);
    expect(resolveImpersonation({ maxTtl: "5m" }).defaultTtlMs).toBe(5 * 60_000);
    expect(resolveImpersonation({ requireLowerPrivilege: false }).requireLowerPrivilege).toBe(false);
  });

  it("an async policy is accepted as a function", () => {
    expect(configError({ enabled: true, canImpersonate: async () => true })).toBeNull();
  });
});
