import type { ProviderProfile } from "./oauth-provider.js";

/**
 * What the app's `createUser(userData)` hook receives for a new OAuth user (@prsm/auth's
 * `OAuthUserData`, plus `provider` and `emailVerified`). Never contains tokens.
 */
export interface OAuthUserData {
  /** Provider key, e.g. `github`. */
  provider: string;
  /** The provider's stable account id (Entra: `<tid>:<oid>`). */
  id: string;
  /** Email address the provider gave, or null. */
  email: string | null;
  /** True only when the provider vouches for the address. */
  emailVerified: boolean;
  /** Login handle. */
  username?: string;
  /** Display name. */
  name?: string;
  /** Avatar URL. */
  avatar?: string;
}

/** Builds the hook's argument from a provider profile. */
export function toOAuthUserData(provider: string, profile: ProviderProfile): OAuthUserData {
  const data: OAuthUserData = { provider, id: profile.id, email: profile.email, emailVerified: profile.emailVerified };
  if (profile.username) data.username = profile.username;
  if (profile.name) data.name = profile.name;
  if (profile.avatar) data.avatar = profile.avatar;
  return data;
}
