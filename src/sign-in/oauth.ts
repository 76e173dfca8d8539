/**
 * The OAuth verifier: a provider identity whose callback was already verified (state claimed, code
 * exchanged, profile fetched by `src/providers/`). It resolves the account the identity signs in to,
 * creating it on first use.
 */
import type { AuthContext, RequestInfo } from "../core/context.js";
import { InvalidInputError, UnknownProviderError } from "../errors.js";
import { resolveOAuthAccount } from "../oauth/resolve-account.js";
import type { ProviderProfile } from "../providers/oauth-provider.js";
import type { SignInVerifier, VerifiedCredential } from "./verifier.js";

/** The input of an OAuth sign-in: the configured provider's name and the profile it returned. */
export interface OAuthCredential {
  provider: string;
  profile: ProviderProfile;
}

function credentialOf(input: unknown): OAuthCredential {
  if (typeof input !== "object" || input === null) throw new InvalidInputError("credentials");
  const { provider, profile } = input as Record<string, unknown>;
  if (typeof provider !== "string") throw new InvalidInputError("provider");
  if (typeof profile !== "object" || profile === null || typeof (profile as ProviderProfile).id !== "string")
    throw new InvalidInputError("profile");
  return { provider, profile: profile as ProviderProfile };
}

async function verifyIdentity(ctx: AuthContext, input: unknown, request: RequestInfo): Promise<VerifiedCredential> {
  const { provider, profile } = credentialOf(input);
  const entry = ctx.config.providers.entries.get(provider);
  if (!entry) throw new UnknownProviderError();
  const resolved = await resolveOAuthAccount(ctx, provider, profile, entry, request);
  return {
    account: resolved.account,
    secondFactor: ctx.config.twoFactor.requireForOAuth,
    audit: { provider },
    isNewUser: resolved.isNewUser,
  };
}

/** A provider identity (`req.auth.providers.<name>.handleCallback`, `GET /callback/:provider`). */
export const oauthVerifier: SignInVerifier = {
  method: "oauth",
  requiresConfirmedEmail: false,
  acceptsRequestInput: false,
  verify: verifyIdentity,
};
