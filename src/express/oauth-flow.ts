/**
 * The OAuth flows a browser has started, kept in its server-side session: the `state`, the PKCE
 * verifier and what the flow is for, bound to the provider that created them. Each is single use and
 * expires after ten minutes. Single use holds across concurrent callbacks too: every request loads its
 * own copy of the session, so the callback also claims the state in the database (`used_nonces`).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { SingleUsePurpose, consumeOnce } from "../core/single-use.js";
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

/**
 * {@link takeFlow}, then claims the flow's state in the database with one conditional insert, so that of
 * any number of callbacks carrying the same state (parallel requests, each with its own copy of the
 * session, on any instance) exactly one gets past this point. Call it before the token request.
 * @throws {OAuthStateError} as {@link takeFlow}, or when the state was already claimed
 */
export async function claimFlow(scope: AuthScope, provider: string, state: unknown): Promise<OAuthFlow> {
  const flow = takeFlow(scope, provider, state);
  const claimed = await consumeOnce(scope.ctx, SingleUsePurpose.OAuthState, flow.state, new Date(flow.expiresAt));
  if (!claimed) throw new OAuthStateError();
  return flow;
}
