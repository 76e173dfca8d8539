import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { generateTotpKey, matchTotp, totpCode, totpStep, totpUri } from "../../src/two-factor/totp.js";

/** RFC 4226 / RFC 6238 SHA-1 seed: the ASCII string "12345678901234567890". */
const SEED = new TextEncoder().encode("12345678901234567890");
const SEED_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/** RFC 4226 Appendix D (security checklist §2.1): counter → 6-digit HOTP. */
const HOTP_TABLE = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];

/** RFC 6238 Appendix B, SHA-1 column (security checklist §2.2): Unix time → 8-digit TOTP. */
const TOTP_TABLE: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const at = (seconds: number) => new Date(seconds * 1000);

describe("TOTP primitive (RFC 6238)", () => {
  it("round-trips the RFC seed through base32 (MF-01)", () => {
    expect(encodeBase32UpperCaseNoPadding(SEED)).toBe(SEED_BASE32);
    expect(decodeBase32IgnorePadding(SEED_BASE32)).toEqual(SEED);
  });

  it.each(HOTP_TABLE.map((code, counter) => [counter, code] as const))(
    "matches the RFC 4226 HOTP value for counter %i (MF-01)",
    (counter, code) => {
      expect(totpCode(SEED, counter)).toBe(code);
    },
  );

  it.each(TOTP_TABLE)("matches the RFC 6238 SHA-1 8-digit vector at t=%i (MF-01)", (seconds, code) => {
    expect(totpCode(SEED, totpStep(at(seconds)), 8)).toBe(code);
  });

  it.each(TOTP_TABLE)("matches the 6-digit form of the RFC 6238 SHA-1 vector at t=%i (MF-01)", (seconds, code) => {
    expect(totpCode(SEED, totpStep(at(seconds)))).toBe(code.slice(-6));
    expect(matchTotp(SEED, code.slice(-6), at(seconds), 0)).toBe(totpStep(at(seconds)));
  });

  it("uses 30-second steps from the Unix epoch (MF-01)", () => {
    expect(totpStep(at(0))).toBe(0);
    expect(totpStep(at(29))).toBe(0);
    expect(totpStep(at(30))).toBe(1);
    expect(totpStep(at(59))).toBe(1);
    expect(totpStep(at(60))).toBe(2);
  });

  it("accepts the codes of steps 1, 2 and 3 at t=75 with a ±1 window and returns their step (MF-02)", () => {
    expect(matchTotp(SEED, "287082", at(75), 1)).toBe(1);
    expect(matchTotp(SEED, "359152", at(75), 1)).toBe(2);
    expect(matchTotp(SEED, "969429", at(75), 1)).toBe(3);
  });

  it("rejects the codes of steps 0 and 4 at t=75 with a ±1 window (MF-02)", () => {
    expect(matchTotp(SEED, "755224", at(75), 1)).toBeNull();
    expect(matchTotp(SEED, "338314", at(75), 1)).toBeNull();
  });

  it("accepts only the current step with a window of 0 (MF-02)", () => {
    expect(matchTotp(SEED, "359152", at(75), 0)).toBe(2);
    expect(matchTotp(SEED, "287082", at(75), 0)).toBeNull();
    expect(matchTotp(SEED, "969429", at(75), 0)).toBeNull();
  });

  it("never looks before step 0", () => {
    expect(matchTotp(SEED, "755224", at(10), 1)).toBe(0);
    expect(matchTotp(SEED, "287082", at(10), 1)).toBe(1);
  });

  it.each(["28708", "2870820", "28708a", "", " 287082", "287 082", "２８７０８２"])(
    "rejects the malformed code %j",
    (code) => {
      expect(matchTotp(SEED, code, at(45), 1)).toBeNull();
    },
  );

  it("generates 160-bit keys that differ each time (MF-04)", () => {
    const a = generateTotpKey();
    const b = generateTotpKey();
    expect(a).toHaveLength(20);
    expect(b).toHaveLength(20);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("builds an otpauth URI with issuer, account, secret, SHA1, 6 digits and 30 s", () => {
    const uri = new URL(totpUri("Example Co", "alice@example.test", SEED));
    expect(uri.protocol).toBe("otpauth:");
    expect(decodeURIComponent(uri.pathname)).toContain("Example Co:alice@example.test");
    expect(uri.searchParams.get("secret")).toBe(SEED_BASE32);
    expect(uri.searchParams.get("issuer")).toBe("Example Co");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
  });
});
