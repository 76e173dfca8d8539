/**
 * The built-in provider modules by id: what a key of the keyed `providers` form names
 * (`providers: { github: { … } }`). `azure` is Microsoft Entra ID under @prsm/auth's key.
 */
import type { ProviderFactory } from "./definition.js";
import Auth0 from "./modules/auth0.js";
import Discord from "./modules/discord.js";
import Facebook from "./modules/facebook.js";
import GitHub from "./modules/github.js";
import GitLab from "./modules/gitlab.js";
import Google from "./modules/google.js";
import Keycloak from "./modules/keycloak.js";
import LinkedIn from "./modules/linkedin.js";
import MicrosoftEntraID from "./modules/microsoft-entra-id.js";
import OIDC from "./modules/oidc.js";
import Okta from "./modules/okta.js";
import Twitter from "./modules/twitter.js";

/** Every built-in provider module, keyed by the id a keyed config entry uses. */
export const BUILT_IN_PROVIDERS: Readonly<Record<string, ProviderFactory<never>>> = {
  auth0: Auth0,
  azure: MicrosoftEntraID,
  discord: Discord,
  facebook: Facebook,
  github: GitHub,
  gitlab: GitLab,
  google: Google,
  keycloak: Keycloak,
  linkedin: LinkedIn,
  "microsoft-entra-id": MicrosoftEntraID,
  oidc: OIDC,
  okta: Okta,
  twitter: Twitter,
} as unknown as Record<string, ProviderFactory<never>>;
