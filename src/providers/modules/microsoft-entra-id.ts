/**
 * `express-drizzle-auth/providers/microsoft-entra-id`: Microsoft Entra ID, formerly Azure AD (OpenID
 * Connect); the keyed config calls it `azure`. Callback URL `<auth url>/callback/microsoft-entra-id`;
 * scopes `openid profile email`. The identity is `<tid>:<oid>`; the email is never treated as verified.
 * Environment: `AUTH_MICROSOFT_ENTRA_ID_ID`, `_SECRET` and `_ISSUER`
 * (`https://login.microsoftonline.com/<tenant>/v2.0`, whose tenant is used).
 */
import { defineProvider } from "../definition.js";
import { createEntraIdProvider, type EntraIdProviderOptions, entraTenant } from "../microsoft-entra-id.js";
import type { BaseProviderOptions } from "../shared.js";

export { customFetch } from "../custom-fetch.js";

/** Entra ID's own options (`issuer` or `tenantId`, `endpoints`), next to the common ones. */
export type MicrosoftEntraIdOptions = Omit<EntraIdProviderOptions, keyof BaseProviderOptions>;

const MULTI_TENANT = new Set(["common", "organizations", "consumers", "9188040d-6c67-4c5b-b112-36a304b66dad"]);

/** Microsoft Entra ID: `MicrosoftEntraID({ clientId, clientSecret, issuer })`. */
const MicrosoftEntraID = defineProvider<MicrosoftEntraIdOptions>({
  id: "microsoft-entra-id",
  name: "Microsoft Entra ID",
  type: "oidc",
  readsIssuer: true,
  check(options, fail) {
    if (options.issuer !== undefined && (typeof options.issuer !== "string" || !/^https:\/\//.test(options.issuer)))
      fail("issuer", "an https URL (https://login.microsoftonline.com/<tenant>/v2.0)");
    // The consumer tenant's id is multi-tenant too: anyone can claim any address there.
    const multiTenant = MULTI_TENANT.has(entraTenant(options));
    if (options.trustEmail === true && multiTenant)
      fail("trustEmail", "false unless the tenant is your own (any tenant can claim any address)");
    if (options.allowEmailLinking === true && options.trustEmail !== true)
      fail("allowEmailLinking", "false (Entra ID addresses are not verified; link from a signed-in session)");
  },
  create: (options, id) => createEntraIdProvider(options, id),
});
export default MicrosoftEntraID;
