/**
 * `customFetch`: the option key (a symbol, as in Auth.js) under which a provider takes the app's own
 * `fetch`. Every request of that provider (discovery, the token request, userinfo, its API) then goes
 * through it: a corporate proxy, a custom agent, logging, or a test double for the provider.
 */

/** The `fetch` a provider calls. */
export type ProviderFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The option key of a provider's own `fetch`: `GitHub({ [customFetch]: myFetch })`. Registered with
 * `Symbol.for`, so the ESM and CommonJS builds share it. Used incorrectly (a fetch that follows
 * redirects to anywhere, or logs bodies), it can leak tokens: it sees the token request and answer.
 */
export const customFetch: unique symbol = Symbol.for("express-drizzle-auth.customFetch") as never;
