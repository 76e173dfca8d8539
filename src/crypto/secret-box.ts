/**
 * Encryption of secrets at rest (TOTP keys): AES-256-GCM with a key derived by HKDF-SHA256 from
 * `config.secret`. The ciphertext names its key (`v1.<keyId>.<iv>.<data>`), so a new secret can be
 * introduced while values written under `previousSecrets` still decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { sha256Hex } from "./tokens.js";

interface Key {
  id: string;
  bytes: Buffer;
}

/** Encrypts and decrypts small secrets. */
export interface SecretBox {
  seal(plaintext: Uint8Array): string;
  /** Returns null for anything that does not decrypt and authenticate (tampered, unknown key, malformed). */
  open(sealed: string): Uint8Array | null;
}

function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync("sha256", secret, "express-drizzle-auth", "secret-box:v1", 32));
  return { id: sha256Hex(bytes.toString("hex")).slice(0, 8), bytes };
}

/** Creates a box from the current secret and any previous ones (decrypt only). */
export function createSecretBox(secret: string, previousSecrets: readonly string[] = []): SecretBox {
  const current = deriveKey(secret);
  const keys = new Map([current, ...previousSecrets.map(deriveKey)].map((k) => [k.id, k]));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
      const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return `v1.${current.id}.${encodeBase64urlNoPadding(iv)}.${encodeBase64urlNoPadding(data)}`;
    },
    open(sealed) {
      const [version, id, ivText, dataText, extra] = sealed.split(".");
      const key = id === undefined ? undefined : keys.get(id);
      if (version !== "v1" || !key || !ivText || !dataText || extra !== undefined) return null;
      try {
        const iv = decodeBase64urlIgnorePadding(ivText);
        const data = decodeBase64urlIgnorePadding(dataText);
        if (iv.length !== 12 || data.length < 17) return null;
        const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv);
        decipher.setAuthTag(data.subarray(data.length - 16));
        return new Uint8Array(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]));
      } catch {
        return null;
      }
    },
  };
}
