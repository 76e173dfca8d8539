import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "../../src/crypto/secret-box.js";

const SECRET = "an application secret of at least thirty-two characters";
const OTHER = "another application secret, also thirty-two characters";
const KEY = new Uint8Array(Array.from({ length: 20 }, (_, i) => i + 1));

/** Flips one bit of byte `index` of the sealed value's ciphertext part. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const data = decodeBase64urlIgnorePadding(parts[3]!);
  data[index] = data[index]! ^ 0x01;
  parts[3] = encodeBase64urlNoPadding(data);
  return parts.join(".");
}

describe("secret box (AES-256-GCM for TOTP keys)", () => {
  it("opens what it sealed", () => {
    const box = createSecretBox(SECRET);
    expect(box.open(box.seal(KEY))).toEqual(KEY);
  });

  it("names the version and key and uses a fresh IV for each seal (MF-04)", () => {
    const box = createSecretBox(SECRET);
    const a = box.seal(KEY);
    const b = box.seal(KEY);
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a.split(".")[1]).toBe(b.split(".")[1]);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(a).not.toBe(b);
  });

  it("does not hold the plaintext in the sealed value (MF-04)", () => {
    const sealed = createSecretBox(SECRET).seal(KEY);
    const hex = Buffer.from(KEY).toString("hex");
    expect(sealed).not.toContain(encodeBase64urlNoPadding(KEY).slice(0, 12));
    expect(Buffer.from(decodeBase64urlIgnorePadding(sealed.split(".")[3]!)).toString("hex")).not.toContain(hex);
  });

  it("fails closed when any ciphertext or tag byte is flipped (MF-04)", () => {
    const box = createSecretBox(SECRET);
    const sealed = box.seal(KEY);
    const length = decodeBase64urlIgnorePadding(sealed.split(".")[3]!).length;
    for (let i = 0; i < length; i++) expect(box.open(tamper(sealed, i))).toBeNull();
  });

  it("fails closed when the IV is changed (MF-04)", () => {
    const box = createSecretBox(SECRET);
    const parts = box.seal(KEY).split(".");
    const iv = decodeBase64urlIgnorePadding(parts[2]!);
    iv[0] = iv[0]! ^ 0x80;
    parts[2] = encodeBase64urlNoPadding(iv);
    expect(box.open(parts.join("."))).toBeNull();
  });

  it("does not open a value sealed under another secret", () => {
    expect(createSecretBox(SECRET).open(createSecretBox(OTHER).seal(KEY))).toBeNull();
  });

  it("opens values sealed under a previous secret after rotation, and seals under the new one", () => {
    const old = createSecretBox(OTHER).seal(KEY);
    const rotated = createSecretBox(SECRET, [OTHER]);
    expect(rotated.open(old)).toEqual(KEY);
    const fresh = rotated.seal(KEY);
    expect(fresh.split(".")[1]).not.toBe(old.split(".")[1]);
    expect(createSecretBox(SECRET).open(fresh)).toEqual(KEY);
  });

  it("refuses a value whose key id is swapped for another known key", () => {
    const rotated = createSecretBox(SECRET, [OTHER]);
    const sealed = rotated.seal(KEY).split(".");
    sealed[1] = createSecretBox(OTHER).seal(KEY).split(".")[1]!;
    expect(rotated.open(sealed.join("."))).toBeNull();
  });

  it.each(["", "v1", "v1.x.y.z", "v2.a.b.c", "v1...", "not sealed at all", "v1.a.b.c.d"])(
    "returns null for the malformed value %j",
    (value) => {
      expect(createSecretBox(SECRET).open(value)).toBeNull();
    },
  );

  it("returns null when the version or an extra part is added to a genuine value", () => {
    const box = createSecretBox(SECRET);
    const sealed = box.seal(KEY);
    expect(box.open(sealed.replace(/^v1/, "v2"))).toBeNull();
    expect(box.open(`${sealed}.extra`)).toBeNull();
    expect(box.open(sealed.slice(0, -4))).toBeNull();
  });
});
