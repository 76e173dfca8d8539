import type { Response } from "supertest";
import { describe, expect, it } from "vitest";
import { register } from "../../src/index.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ALICE, WRONG, bucketKeys, from, login, rateLimitApp, requestReset, resend } from "./helpers.js";

const env = useTestEnv();

const FORWARDED_FOR: [string, string][] = [
  ["empty", ""],
  ["commas only", ",,,"],
  ["blanks", " ,  , "],
  ["a word", "garbage"],
  ["unknown", "unknown"],
  ["a port", "203.0.113.7:8080"],
  ["a bracketed IPv6 with port", "[2001:db8::1]:443"],
  ["an out-of-range IPv4", "999.999.999.999"],
  ["a mapped out-of-range IPv4", "::ffff:999.1.1.1"],
  ["a CIDR", "2001:db8::/32"],
  ["a long zone id", `fe80::1%${"z".repeat(200)}`],
  ["a percent sign", "%"],
  ["quotes and semicolons", `"1.2.3.4"; drop table auth_rate_limits; --`],
  ["SQL LIKE wildcards", "%_%"],
  ["JSON", '{"ip":"1.2.3.4"}'],
  ["8 KB of text", "x".repeat(8 * 1024)],
  ["8 KB of digits and dots", "1.".repeat(4 * 1024)],
  ["500 addresses", Array.from({ length: 500 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(", ")],
  ["500 commas", ",".repeat(500)],
  ["a tab-separated list", "1.2.3.4\t5.6.7.8"],
  ["a NUL escape", "1.2.3.4%00"],
];

/** Never a 5xx, never an error the handler had to log. */
function expectHandled(res: Response, allowed: number[]): void {
  expect(allowed, `${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
}

describe("malformed client addresses with `trust proxy` on (BF-02)", () => {
  it.each(FORWARDED_FOR)("X-Forwarded-For with %s never causes a 500", async (_name, header) => {
    const config = env.config({ rateLimits: { login: { perIp: 2 }, passwordReset: { perIp: 2 } } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    expectHandled(await login(from(t, header), "nobody@example.test", WRONG), [401, 429]);
    expectHandled(await login(from(t, header), ALICE, PASSWORD), [200, 429]);
    expectHandled(await requestReset(from(t, header), ALICE), [200, 429]);
    expectHandled(await requestReset(from(t, header), "nobody@example.test"), [200, 429]);
    expectHandled(await resend(from(t, header), ALICE), [200, 429]);
    expect(t.errors).toEqual([]);
  });

  it("keeps counting the account side when the address is unusable", async () => {
    const config = env.config({ rateLimits: { passwordReset: { perAccount: 2 } } });
    await register(config, ALICE, PASSWORD);
    const t = rateLimitApp(config);
    await requestReset(from(t, "garbage"), ALICE).expect(200);
    await requestReset(from(t, "unknown"), ALICE).expect(200);
    expect((await requestReset(from(t, "x".repeat(100)), ALICE)).status).toBe(429);
    expect(await bucketKeys(env, "passwordReset")).toHaveLength(1);
  });

  it("ignores non-string garbage in JSON bodies next to a forged address (400, not 500)", async () => {
    const t = rateLimitApp(env.config());
    const res = await from(t, "garbage")
      .post("/call/resetPassword")
      .send({ args: [{ $gt: "" }, null, null, "$callback"] });
    expect(res.status).toBe(400);
    expect(t.errors).toEqual([]);
  });
});
