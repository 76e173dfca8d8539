/**
 * The registered sign-in methods. Adding one means writing its verifier (see `verifier.ts`) and listing
 * it here; `req.auth.signIn(method, input)` and every caller of the use case reach it with no other
 * change.
 */
import { InvalidInputError } from "../errors.js";
import { oauthVerifier } from "./oauth.js";
import { passwordVerifier } from "./password.js";
import type { SignInVerifier } from "./verifier.js";

const VERIFIERS = {
  password: passwordVerifier,
  oauth: oauthVerifier,
} as const satisfies Record<string, SignInVerifier>;

/** The name of a registered sign-in method. */
export type SignInMethod = keyof typeof VERIFIERS;

/** The names of the registered sign-in methods. */
export const SIGN_IN_METHODS = Object.freeze(Object.keys(VERIFIERS) as SignInMethod[]);

/**
 * The verifier of `method`. Untrusted callers (input from a request) reach only methods that accept it.
 * @throws {InvalidInputError} (INVALID_INPUT, field `method`) for anything but such a method's name
 */
export function verifierFor(method: unknown, trusted: boolean): SignInVerifier {
  if (typeof method !== "string" || !Object.hasOwn(VERIFIERS, method)) throw new InvalidInputError("method");
  const verifier: SignInVerifier = VERIFIERS[method as SignInMethod];
  if (!trusted && !verifier.acceptsRequestInput) throw new InvalidInputError("method");
  return verifier;
}
