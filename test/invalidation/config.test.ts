import { describe, expect, it } from "vitest";
import { authSchema, createAuthSchema } from "../../schema/index.js";
import { getAuthContext } from "../../src/core/context.js";
import { createAuthMiddleware } from "../../src/express/middleware.js";
import { AuthConfigError } from "../../src/index.js";
import { quoteChannel } from "../../src/invalidation/channel.js";
import { resolveInvalidation } from "../../src/invalidation/options.js";
import { useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();

describe("invalidation config", () => {
  it.each([
    ["upper case", "Auth_Invalidate"],
    ["a quote", 'auth"; drop table x; --'],
    ["a semicolon", "a;b"],
    ["a space", "auth invalidate"],
    ["a hyphen", "auth-invalidate"],
    ["a leading digit", "1auth"],
    ["the empty string", ""],
    ["64 characters", "a".repeat(64)],
    ["non-ASCII", "authé"],
    ["a number", 42],
  ])("refuses a channel with %s when the middleware is created", (_label, channel) => {
    const config = env.config({ invalidation: { listen: true, channel: channel as string } });
    expect(() => createAuthMiddleware(config)).toThrow(AuthConfigError);
    expect(() => createAuthMiddleware(config)).toThrow(/invalidation\.channel/);
  });

  it("refuses a bad channel even with listen off (the typo would surface only when turned on)", () => {
    expect(() => resolveInvalidation({ listen: false, channel: "Bad-Name" }, authSchema)).toThrow(AuthConfigError);
  });

  it.each([
    ["a string listen flag", { listen: "yes" }],
    ["an array", [true]],
    ["a string", "listen"],
  ])("refuses %s", (_label, invalidation) => {
    expect(() => resolveInvalidation(invalidation, authSchema)).toThrow(AuthConfigError);
  });

  it("accepts a 63-character channel of lower-case letters, digits and underscores", () => {
    const channel = `_${"a1".repeat(31)}`;
    expect(resolveInvalidation({ listen: true, channel }, authSchema)).toEqual({ channel });
  });

  it("is off without the option or without listen: true", () => {
    expect(resolveInvalidation(undefined, authSchema)).toBeNull();
    expect(resolveInvalidation({}, authSchema)).toBeNull();
    expect(resolveInvalidation({ listen: false, channel: "custom" }, authSchema)).toBeNull();
  });

  it("derives the default channel from the table prefix and schema", () => {
    expect(resolveInvalidation({ listen: true }, authSchema)).toEqual({ channel: "auth_invalidate" });
    expect(resolveInvalidation({ listen: true }, createAuthSchema({ prefix: "shop_" }))).toEqual({
      channel: "shop_invalidate",
    });
    expect(resolveInvalidation({ listen: true }, createAuthSchema({ pgSchema: "identity" }))).toEqual({
      channel: "identity_auth_invalidate",
    });
  });

  it("asks for a channel when the default would exceed 63 bytes", () => {
    const tables = createAuthSchema({ prefix: `${"p".repeat(30)}_`, pgSchema: "s".repeat(31) });
    expect(() => resolveInvalidation({ listen: true }, tables)).toThrow(/invalidation\.channel must be given/);
    expect(resolveInvalidation({ listen: true, channel: "short" }, tables)).toEqual({ channel: "short" });
  });

  it("creates no listener when invalidation is off", async () => {
    expect((await getAuthContext(env.config())).invalidation).toBeUndefined();
    expect((await getAuthContext(env.config({ invalidation: { listen: false } }))).invalidation).toBeUndefined();
  });

  it("quotes a channel as an identifier and refuses to quote an unchecked one", () => {
    expect(quoteChannel("auth_invalidate")).toBe('"auth_invalidate"');
    expect(() => quoteChannel('x" ; select 1; --')).toThrow(TypeError);
  });
});
