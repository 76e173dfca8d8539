import type { AuthContext } from "../core/context.js";
import { type SecretBox, createSecretBox } from "../crypto/secret-box.js";
import { AuthConfigError } from "../errors.js";
import { type CodeHasher, createCodeHasher } from "./codes.js";

/** The keys two-factor needs: the box for TOTP keys and the keyed hash for codes. */
export interface TwoFactorSecrets {
  box: SecretBox;
  codes: CodeHasher;
}

const cache = new WeakMap<object, TwoFactorSecrets>();

/**
 * The two-factor keys of a context, derived once from `config.secret`.
 * @throws {AuthConfigError} when no `secret` is configured
 */
export function twoFactorSecrets(ctx: AuthContext): TwoFactorSecrets {
  const existing = cache.get(ctx.config);
  if (existing) return existing;
  const { secret, previousSecrets } = ctx.config;
  if (!secret) throw new AuthConfigError("Invalid auth config: secret is required for two-factor authentication");
  const secrets = { box: createSecretBox(secret, previousSecrets), codes: createCodeHasher(secret) };
  cache.set(ctx.config, secrets);
  return secrets;
}
