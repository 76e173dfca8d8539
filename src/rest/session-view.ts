/**
 * The Auth.js session object: `{ user: { id, email, name, image, roles }, expires }`, built from the
 * server session. `getSession(req, config)` reads it straight from the session cookie and the database,
 * with or without the middleware mounted, and fails closed.
 */
import type { IncomingMessage } from "node:http";
import { desc, eq, inArray } from "drizzle-orm";
import { readCookies, unsignSessionCookie } from "../admin/request-cookies.js";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { roleNames } from "../core/roles.js";
import { sessionKey } from "../core/session-records.js";
import { AuthStatus } from "../core/status.js";
import { describeError } from "../express/error-handler.js";
import { type ExpressAuthConfig, resolveRestOptions } from "./options.js";

/** What `GET /session` and `getSession` return for a signed-in session. Only these fields, ever. */
export interface AuthJsSession {
  user: {
    /** The app's `user_id` of the account. */
    id: string;
    email: string;
    /** Display name and avatar from the most recently linked provider, when there is one. */
    name: string | null;
    image: string | null;
    roles: string[];
  };
  /** When the session expires unless used (ISO 8601). */
  expires: string;
  /** Present while an admin impersonates this user. */
  impersonatedBy?: { id: number; email: string; expires: string };
}

interface StoredAuth {
  loggedIn?: unknown;
  accountId?: unknown;
  forceLogout?: unknown;
  startedAt?: unknown;
  shouldForceLogout?: unknown;
  actor?: { accountId?: unknown; email?: unknown; forceLogout?: unknown; expiresAt?: unknown };
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);

/** Builds the session object for an account (one statement for name and image). */
export async function sessionView(
  ctx: AuthContext,
  account: { id: number; userId: string; email: string; rolemask: number },
  expires: Date,
  actor?: { accountId: number; email: string; expiresAt: number },
): Promise<AuthJsSession> {
  const p = ctx.t.providers;
  const [profile] = await ctx.db
    .select({ name: p.providerName, image: p.providerAvatar })
    .from(p)
    .where(eq(p.accountId, account.id))
    .orderBy(desc(p.updatedAt))
    .limit(1);
  const view: AuthJsSession = {
    user: {
      id: account.userId,
      email: account.email,
      name: profile?.name ?? null,
      image: profile?.image ?? null,
      roles: roleNames(ctx.config.roles, account.rolemask),
    },
    expires: expires.toISOString(),
  };
  if (actor)
    view.impersonatedBy = { id: actor.accountId, email: actor.email, expires: new Date(actor.expiresAt).toISOString() };
  return view;
}

async function fromCookie(ctx: AuthContext, req: IncomingMessage, config: ExpressAuthConfig) {
  const options = resolveRestOptions(config);
  const value = readCookies(req.headers.cookie, [options.cookieName]).get(options.cookieName);
  const sid = value === undefined ? null : unsignSessionCookie(value, options.sessionSecrets);
  if (sid === null) return null;
  const s = ctx.t.sessions;
  const [row] = await ctx.db
    .select({ sess: s.sess, expires: s.expires })
    .from(s)
    .where(eq(s.id, sessionKey(sid)));
  const now = ctx.now().getTime();
  if (!row || row.expires.getTime() <= now) return null;
  const auth = (JSON.parse(row.sess) as { auth?: StoredAuth } | null)?.auth;
  const accountId = num(auth?.accountId);
  if (!auth || auth.loggedIn !== true || accountId === null || auth.shouldForceLogout === true) return null;
  const lifetime = ctx.config.sessionLifetimeMs;
  const started = num(auth.startedAt);
  if (lifetime !== null && (started === null || now - started >= lifetime)) return null;
  const actorId = num(auth.actor?.accountId);
  const ids = actorId === null ? [accountId] : [accountId, actorId];
  const a = ctx.t.accounts;
  const rows = await ctx.db
    .select({
      id: a.id,
      userId: a.userId,
      email: a.email,
      rolemask: a.rolemask,
      status: a.status,
      forceLogout: a.forceLogout,
    })
    .from(a)
    .where(inArray(a.id, ids));
  const account = rows.find((r) => r.id === accountId);
  if (!account || account.status !== AuthStatus.Normal) return null;
  if (actorId === null) {
    const fl = num(auth.forceLogout);
    return fl !== null && account.forceLogout <= fl ? { account, expires: row.expires } : null;
  }
  const actorRow = rows.find((r) => r.id === actorId);
  const expiresAt = num(auth.actor?.expiresAt);
  const actorFl = num(auth.actor?.forceLogout);
  if (!actorRow || actorRow.status !== AuthStatus.Normal || actorFl === null || actorRow.forceLogout > actorFl)
    return null;
  if (expiresAt === null || expiresAt <= now) return null;
  return { account, expires: row.expires, actor: { accountId: actorId, email: actorRow.email, expiresAt } };
}

/**
 * The session of a request, or `null`: reads the router's session cookie and the database, so it works
 * in any route, with or without the middleware. Fails closed: any internal error is logged (class names
 * only) and gives `null`, never a truthy error object.
 */
export async function getSession(req: IncomingMessage, config: ExpressAuthConfig): Promise<AuthJsSession | null> {
  try {
    const ctx = await getAuthContext(config);
    const found = await fromCookie(ctx, req, config);
    return found ? await sessionView(ctx, found.account, found.expires, found.actor) : null;
  } catch (err) {
    console.error(`[express-drizzle-auth] getSession failed: ${describeError(err)}`);
    return null;
  }
}
