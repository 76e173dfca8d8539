import { describe, expect, it } from "vitest";
import { createCodeHasher, generateBackupCode, normalizeBackupCode, randomDigits } from "../../src/two-factor/codes.js";
import { isPhoneNumber, maskEmail, maskPhone } from "../../src/two-factor/masking.js";

const CROCKFORD_GROUPS = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

describe("backup code format", () => {
  it("is 16 Crockford base32 characters (80 bits) in four dash-separated groups (MF-07)", () => {
    for (let i = 0; i < 200; i++) expect(generateBackupCode()).toMatch(CROCKFORD_GROUPS);
  });

  it("does not repeat across many draws (MF-07)", () => {
    const codes = new Set(Array.from({ length: 2000 }, generateBackupCode));
    expect(codes.size).toBe(2000);
  });

  it("uses every symbol of the alphabet", () => {
    const seen = new Set(Array.from({ length: 400 }, generateBackupCode).join("").replace(/-/g, ""));
    expect(seen.size).toBe(32);
  });
});

describe("backup code normalisation", () => {
  const code = "ABCD-EFGH-JKMN-PQRS";

  it.each([
    ["the shown form", code],
    ["lower case", "abcd-efgh-jkmn-pqrs"],
    ["no dashes", "ABCDEFGHJKMNPQRS"],
    ["spaces instead of dashes", "ABCD EFGH JKMN PQRS"],
    ["surrounding and inner whitespace", "  abcd efgh\tjkmn-pqrs \n"],
  ])("accepts %s", (_, input) => {
    expect(normalizeBackupCode(input)).toBe("ABCDEFGHJKMNPQRS");
  });

  it("folds the Crockford look-alikes I and L to 1 and O to 0", () => {
    expect(normalizeBackupCode("1111-0000-2222-3333")).toBe("1111000022223333");
    expect(normalizeBackupCode("IiLl-OoOo-2222-3333")).toBe("1111000022223333");
  });

  it.each([
    ["too short", "ABCD-EFGH-JKMN-PQR"],
    ["too long", "ABCD-EFGH-JKMN-PQRST"],
    ["a U, which is not in the alphabet", "ABCD-EFGH-JKMN-PQRU"],
    ["punctuation", "ABCD.EFGH.JKMN.PQRS"],
    ["over 64 characters", `${"A".repeat(16)}${" ".repeat(60)}`],
    ["a number", 1234567890123456],
    ["an array", ["ABCD-EFGH-JKMN-PQRS"]],
    ["an object", { code: "ABCD-EFGH-JKMN-PQRS" }],
    ["null", null],
  ])("returns null for %s", (_, input) => {
    expect(normalizeBackupCode(input)).toBeNull();
  });
});

describe("email and SMS code digits", () => {
  it.each([6, 8, 10])("draws exactly %i decimal digits", (n) => {
    for (let i = 0; i < 50; i++) expect(randomDigits(n)).toMatch(new RegExp(`^\\d{${n}}$`));
  });

  it("draws digits without modulo bias", () => {
    const n = 300_000;
    const digits = randomDigits(n);
    const counts = new Array(10).fill(0) as number[];
    for (const d of digits) counts[Number(d)]! += 1;
    // Uniform: 0–5 make up 60 % (σ ≈ 0.09 % at this size). `byte % 10` would give 156/256 ≈ 60.94 %.
    const low = counts.slice(0, 6).reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(low - 0.6)).toBeLessThan(0.0047);
    for (const c of counts) expect(Math.abs(c / n - 0.1)).toBeLessThan(0.004);
  });
});

describe("code hashing", () => {
  it("is keyed by the app secret and bound to a purpose", () => {
    const a = createCodeHasher("an application secret of at least thirty-two characters");
    const b = createCodeHasher("another application secret, also thirty-two characters");
    expect(a.hash("backup", "CODE")).toBe(a.hash("backup", "CODE"));
    expect(a.hash("backup", "CODE")).not.toBe(b.hash("backup", "CODE"));
    expect(a.hash("backup", "CODE")).not.toBe(a.hash("otp", "CODE"));
    expect(a.hash("backup", "CODE")).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("contact masking", () => {
  it.each([
    ["alice@example.test", "a***e@example.test"],
    ["bo@example.test", "b***@example.test"],
    ["b@example.test", "b***@example.test"],
  ])("masks the email %s as %s", (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it("masks a phone number keeping the first two and last two characters", () => {
    expect(maskPhone("+15551234567")).toBe("+1********67");
    expect(maskPhone("+15551234567")).toHaveLength("+15551234567".length);
  });

  it.each(["+15551234567", "+447700900123", "+3312345"])("accepts the E.164 number %s", (phone) => {
    expect(isPhoneNumber(phone)).toBe(true);
  });

  it.each(["15551234567", "+0123456789", "+1 555 123 4567", "+1234", "+1234567890123456", 15551234567, null])(
    "refuses %j as a phone number",
    (phone) => {
      expect(isPhoneNumber(phone)).toBe(false);
    },
  );
});
