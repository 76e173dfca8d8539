/**
 * The OAuth flows a browser has started, kept in its server-side session: the `state`, the PKCE
 * verifier and what the flow is for, bound to the provider that created them. Each is single use and
 * expires after ten minutes.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { OAuthStateError } from "../errors.js";
import type { AuthScope } from "./scope.js";

/** One started flow, as stored in `req.session.oauthFlows`. Times are epoch milliseconds. */
export interface OAuthFlow {
  provider: string;
  state: string;
  codeVerifier: string;
  expiresAt: number;
  /** `signin`, or `link` an identity to `accountId` (the session's account when the flow began). */
  intent: "signin" | "link";
  accountId: number | null;
  /** Issue a remember-me token when the sign-in completes. */
  remember: boolean;
}

/** How long a started flow stays valid. */
export const OAUTH_FLOW_TTL_MS = 10 * 60 * 1000;
/** Flows kept per session (several tabs may start one each); the oldest is dropped first. */
const MAX_FLOWS = 3;
const MAX_STATE_LENGTH = 512;

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Stores a new flow in the session. */
export function rememberFlow(scope: AuthScope, flow: Omit<OAuthFlow, "expiresAt">): void {
  const now = scope.ctx.now().getTime();
  const live = (scope.req.session.oauthFlows ?? []).filter((f) => f.expiresAt > now).slice(-(MAX_FLOWS - 1));
  scope.req.session.oauthFlows = [...live, { ...flow, expiresAt: now + OAUTH_FLOW_TTL_MS }];
}

/**
 * Takes the flow whose `state` matches (compared in constant time) out of the session. It is removed
 * whatever happens next, so a callback can never be replayed.
 * @throws {OAuthStateError} missing or unknown state, expired flow, or a flow of another provider
 */
export function takeFlow(scope: AuthScope, provider: string, state: unknown): OAuthFlow {
  const flows = scope.req.session?.oauthFlows;
  if (typeof state !== "string" || state.length === 0 || state.length > MAX_STATE_LENGTH || !Array.isArray(flows))
    throw new OAuthStateError();
  const wanted = digest(state);
  const index = flows.findIndex((f) => typeof f?.state === "string" && timingSafeEqual(digest(f.state), wanted));
  if (index < 0) throw new OAuthStateError();
  const [flow] = flows.splice(index, 1);
  scope.req.session.oauthFlows = flows.length > 0 ? flows : undefined;
  if (flow!.provider !== provider || !(Number(flow!.expiresAt) > scope.ctx.now().getTime()))
    throw new OAuthStateError();
  return flow!;
}
