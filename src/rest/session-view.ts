/**
 * The Auth.js session object: `{ user: { id, email, name, image, roles }, expires }`, built from the
 * stored auth state by the one validity decision (`checkSession`). `getSession(req, config)` uses the
 * request's express-session when one has loaded it (the app's, whatever its secret or cookie name),
 * and otherwise reads the router's session cookie.
 */
import type { IncomingMessage } from "node:http";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { roleNames } from "../primitives/roles.js";
import { describeError } from "../express/error-handler.js";
import { checkSession } from "../sessions/check.js";
import { readCookies, unsignSessionCookie } from "../sessions/cookies.js";
import type { AuthSession } from "../sessions/state.js";
import { readStoredSession } from "../sessions/stored-session.js";
import type { AccountState } from "../sessions/validity.js";
import { type ExpressAuthConfig, resolveRestOptions } from "./options.js";

/** What `GET /session` and `getSession` return for a signed-in session. Only these fields, ever. */
export interface AuthJsSession {
  user: {
    /** The app's `user_id` of the account. */
    id: string;
    email: string;
    /** Display name and avatar from the most recently updated provider identity, when there is one. */
    name: string | null;
    image: string | null;
    roles: string[];
  };
  /** When the session expires unless used (ISO 8601). */
  expires: string;
  /** Present while an admin impersonates this user. */
  impersonatedBy?: { id: number; email: string; expires: string };
}

/** Builds the session object from a signed-in auth state. No query. */
export function sessionView(ctx: AuthContext, auth: AuthSession, expires: Date): AuthJsSession {
  const view: AuthJsSession = {
    user: {
      id: auth.userId,
      email: auth.email,
      name: auth.name ?? null,
      image: auth.image ?? null,
      roles: roleNames(ctx.config.roles, auth.rolemask),
    },
    expires: expires.toISOString(),
  };
  const actor = auth.actor;
  if (actor)
    view.impersonatedBy = { id: actor.accountId, email: actor.email, expires: new Date(actor.expiresAt).toISOString() };
  return view;
}

/** A request whose express-session middleware already ran. */
interface LoadedRequest extends IncomingMessage {
  session: { auth?: unknown; cookie?: { expires?: Date | null | false } };
  sessionID: string;
  sessionStore?: { idleExpiry?(now: Date): Date };
}

function hasLoadedSession(req: IncomingMessage): req is LoadedRequest {
  const r = req as Partial<LoadedRequest>;
  return typeof r.session === "object" && r.session !== null && typeof r.sessionID === "string";
}

/** When a loaded session expires: its cookie's expiry, else the store's idle timeout from now. */
function loadedExpiry(ctx: AuthContext, req: LoadedRequest): Date {
  const expires = req.session.cookie?.expires;
  if (expires instanceof Date && !Number.isNaN(expires.getTime())) return expires;
  const now = ctx.now();
  return req.sessionStore?.idleExpiry?.(now) ?? new Date(now.getTime() + 30 * 60_000);
}

/** The stored auth state of the request, with what is known of it, or null when it has no session. */
async function sessionOf(
  ctx: AuthContext,
  req: IncomingMessage,
  config: ExpressAuthConfig,
): Promise<{ auth: unknown; expires: Date; known?: Map<number, AccountState> } | null> {
  if (hasLoadedSession(req)) return { auth: req.session.auth, expires: loadedExpiry(ctx, req) };
  const options = resolveRestOptions(config);
  const value = readCookies(req.headers.cookie, [options.cookieName]).get(options.cookieName);
  const sid = value === undefined ? null : unsignSessionCookie(value, options.sessionSecrets);
  if (sid === null) return null;
  const stored = await readStoredSession(ctx, sid);
  return stored && { auth: stored.auth, expires: stored.expires, known: stored.accounts };
}

/**
 * The session of a request, or `null`. With the app's express-session mounted before the route, it
 * reads `req.session` (no query while the stored fields are fresh); otherwise it reads the router's
 * session cookie (one statement). Either way the one validity decision applies, so a banned or
 * force-logged-out account gets `null`. Fails closed: any internal error is logged (class names only)
 * and gives `null`, never a truthy error object.
 */
export async function getSession(req: IncomingMessage, config: ExpressAuthConfig): Promise<AuthJsSession | null> {
  try {
    const ctx = await getAuthContext(config);
    const found = await sessionOf(ctx, req, config);
    if (!found) return null;
    const validity = await checkSession(ctx, found.auth, { known: found.known });
    if (validity.kind === "valid") return sessionView(ctx, validity.auth, found.expires);
    if (validity.kind === "refresh") return sessionView(ctx, { ...validity.auth, ...validity.fields }, found.expires);
    return null;
  } catch (err) {
    console.error(`[express-drizzle-auth] getSession failed: ${describeError(err)}`);
    return null;
  }
}
