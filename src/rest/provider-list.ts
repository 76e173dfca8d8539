/** `GET /providers`: every sign-in method the router offers, in Auth.js's shape. */
import type { RouteScope } from "./respond.js";

/** One entry of `GET /providers`, as Auth.js's `getProviders()` returns it. */
export interface ProviderListing {
  /** The provider's id. */
  id: string;
  /** Its display name ("GitHub"). */
  name: string;
  /** `oauth`, `oidc` or `credentials`. */
  type: string;
  /** Where a sign-in with it starts. */
  signinUrl: string;
  /** Where it comes back: for an OAuth provider, the `redirect_uri` registered at the provider. */
  callbackUrl: string;
}

/**
 * The listing. Sign-in URLs are built from the configured `url` (`AUTH_URL`); a development app
 * without one takes the request's origin and mount path. A provider's `callbackUrl` is always its
 * configured `redirect_uri`, never one made from the `Host` header.
 */
export function providerListing(scope: RouteScope): Record<string, ProviderListing> {
  const authUrl = scope.ctx.config.authUrl;
  const base =
    authUrl && authUrl.source !== "development default"
      ? authUrl.base
      : `${scope.req.protocol}://${scope.req.get("host")}${scope.base}`;
  const list: Record<string, ProviderListing> = {
    credentials: {
      id: "credentials",
      name: "Credentials",
      type: "credentials",
      signinUrl: `${base}/signin/credentials`,
      callbackUrl: `${base}/callback/credentials`,
    },
  };
  for (const entry of scope.ctx.config.providers.entries.values())
    list[entry.id] = {
      id: entry.id,
      name: entry.displayName,
      type: entry.type,
      signinUrl: `${base}/signin/${entry.id}`,
      callbackUrl: entry.callbackUrl,
    };
  return list;
}
