import type { IncomingMessage } from "node:http";
import { eq } from "drizzle-orm";
import type { AuthConfig } from "../config.js";
import type { AuthAccount } from "../core/accounts.js";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { ROTATION_GRACE_MS } from "../core/remember-tokens.js";
import { sessionKey } from "../core/session-records.js";
import { AuthStatus } from "../core/status.js";
import { hashesEqual, parseToken } from "../crypto/tokens.js";
import { AuthConfigError } from "../errors.js";
import { publicAccountColumns, toPublicAccount } from "./account-columns.js";
import { readCookies, unsignSessionCookie } from "./request-cookies.js";

/** Options of {@link authenticateRequest}: the same `secret` and `name` as the app's `session({ … })`. */
export interface AuthenticateRequestOptions {
  /** express-session's `secret`: one string, or several (the first signs, all verify). */
  secret: string | readonly string[];
  /** express-session's cookie `name`. @default "connect.sid" */
  name?: string;
  /** Also accept the remember-me cookie when there is no signed-in session. @default true */
  remember?: boolean;
}

/** The session fields this check reads from `req.session.auth` (see `AuthSession`). */
interface StoredAuth {
  loggedIn?: unknown;
  accountId?: unknown;
  forceLogout?: unknown;
  shouldForceLogout?: unknown;
  startedAt?: unknown;
  lastRememberCheck?: unknown;
  actor?: { accountId?: unknown; forceLogout?: unknown; expiresAt?: unknown };
}

function secretsOf(options: AuthenticateRequestOptions): readonly string[] {
  const secret = (options as { secret?: unknown } | undefined)?.secret;
  const list = typeof secret === "string" ? [secret] : Array.isArray(secret) ? secret : [];
  if (list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0))
    throw new AuthConfigError("authenticateRequest: options.secret must be the session secret (or a list of them)");
  return list as string[];
}

function authOf(sess: string): StoredAuth | null {
  try {
    const auth = (JSON.parse(sess) as { auth?: unknown } | null)?.auth;
    return typeof auth === "object" && auth !== null ? (auth as StoredAuth) : null;
  } catch {
    return null;
  }
}

/** The account of a signed-in, unexpired session, re-checked as resync does; else null. One statement. */
async function fromSession(ctx: AuthContext, sid: string): Promise<AuthAccount | null> {
  const s = ctx.t.sessions;
  const [row] = await ctx.db
    .select({ sess: s.sess, expires: s.expires, ...publicAccountColumns(ctx) })
    .from(s)
    .innerJoin(ctx.t.accounts, eq(ctx.t.accounts.id, s.accountId))
    .where(eq(s.id, sessionKey(sid)))
    .limit(1);
  const now = ctx.now().getTime();
  if (!row || row.expires.getTime() <= now) return null;
  const auth = authOf(row.sess);
  if (auth?.loggedIn !== true || auth.shouldForceLogout === true) return null;
  const started = typeof auth.startedAt === "number" ? auth.startedAt : auth.lastRememberCheck;
  const lifetime = ctx.config.sessionLifetimeMs;
  if (lifetime !== null && (typeof started !== "number" || now - started >= lifetime)) return null;
  if (row.status !== AuthStatus.Normal) return null;
  if (auth.actor) return impersonated(ctx, auth, row, now);
  if (auth.accountId !== row.id) return null;
  if (typeof auth.forceLogout !== "number" || row.forceLogout > auth.forceLogout) return null;
  return toPublicAccount(row);
}

/**
 * An impersonating session: its row belongs to the actor (`row`), checked as the impersonation resync
 * does (force-logout, expiry); the account returned is the impersonated one, which must be Normal.
 */
async function impersonated(
  ctx: AuthContext,
  auth: StoredAuth,
  row: { id: number; forceLogout: number },
  now: number,
): Promise<AuthAccount | null> {
  const actor = auth.actor!;
  if (actor.accountId !== row.id || typeof actor.forceLogout !== "number" || row.forceLogout > actor.forceLogout)
    return null;
  if (typeof actor.expiresAt !== "number" || actor.expiresAt <= now) return null;
  if (typeof auth.accountId !== "number" || !Number.isSafeInteger(auth.accountId)) return null;
  const [target] = await ctx.db
    .select(publicAccountColumns(ctx))
    .from(ctx.t.accounts)
    .where(eq(ctx.t.accounts.id, auth.accountId))
    .limit(1);
  return target && target.status === AuthStatus.Normal ? toPublicAccount(target) : null;
}

/**
 * The account of a remember-me cookie: selector found, unexpired, validator equal (constant time) to the
 * current hash or, within the rotation grace window, the previous one; account Normal and verified.
 * Read-only: the token is not rotated, and a wrong validator is not reported as theft here.
 */
async function fromRememberToken(ctx: AuthContext, value: string): Promise<AuthAccount | null> {
  const presented = parseToken(value);
  if (!presented) return null;
  const r = ctx.t.remembers;
  const [row] = await ctx.db
    .select({
      validatorHash: r.validatorHash,
      previousHash: r.previousHash,
      rotatedAt: r.rotatedAt,
      expires: r.expires,
      ...publicAccountColumns(ctx),
    })
    .from(r)
    .innerJoin(ctx.t.accounts, eq(ctx.t.accounts.id, r.accountId))
    .where(eq(r.selector, presented.selector))
    .limit(1);
  const now = ctx.now().getTime();
  if (!row || row.expires.getTime() <= now) return null;
  const current = hashesEqual(row.validatorHash, presented.validatorHash);
  const previous = row.previousHash !== null && hashesEqual(row.previousHash, presented.validatorHash);
  const inGrace = previous && row.rotatedAt !== null && now - row.rotatedAt.getTime() <= ROTATION_GRACE_MS;
  if (!current && !inGrace) return null;
  if (row.status !== AuthStatus.Normal || !row.verified) return null;
  return toPublicAccount(row);
}

/**
 * Resolves the signed-in account of a raw Node request (a WebSocket upgrade, a plain `http` server),
 * without Express: the express-session cookie is verified with the session secret(s) and its row read
 * from the session table; failing that, the remember-me cookie is checked. The account must be Normal,
 * and a session must be within `sessionLifetime` and not behind the account's `force_logout` counter.
 * Nothing is written. Malformed, duplicated, oversized or wrongly signed cookies give null, never an error.
 * Database errors propagate (the caller fails closed).
 * @throws {AuthConfigError} INVALID_CONFIG when `options.secret` is missing
 * @example
 * server.on("upgrade", async (req, socket) => {
 *   const account = await authenticateRequest(authConfig, req, { secret: process.env.SESSION_SECRET! })
 *   if (account === null) return socket.destroy()
 * })
 */
export async function authenticateRequest(
  config: AuthConfig,
  req: Pick<IncomingMessage, "headers">,
  options: AuthenticateRequestOptions,
): Promise<AuthAccount | null> {
  const secrets = secretsOf(options);
  const name = options.name ?? "connect.sid";
  if (typeof name !== "string" || name.length === 0)
    throw new AuthConfigError("authenticateRequest: options.name must be a cookie name");
  const ctx = await getAuthContext(config);
  const rememberName = ctx.config.rememberCookieName;
  const cookies = readCookies(req?.headers?.cookie, [name, rememberName]);
  const session = cookies.get(name);
  const sid = session === undefined ? null : unsignSessionCookie(session, secrets);
  if (sid !== null) {
    const account = await fromSession(ctx, sid);
    if (account) return account;
  }
  const remember = cookies.get(rememberName);
  if (options.remember === false || remember === undefined) return null;
  return fromRememberToken(ctx, remember);
}
