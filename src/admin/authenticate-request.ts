import type { IncomingMessage } from "node:http";
import { eq, inArray } from "drizzle-orm";
import type { AuthConfig } from "../config.js";
import type { AuthAccount } from "../core/accounts.js";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { profileColumns } from "../core/profile-columns.js";
import { ROTATION_GRACE_MS } from "../core/remember-tokens.js";
import { AuthStatus } from "../primitives/status.js";
import { hashesEqual, parseToken } from "../crypto/tokens.js";
import { AuthConfigError } from "../errors.js";
import { checkSession } from "../sessions/check.js";
import { readCookies, unsignSessionCookie } from "../sessions/cookies.js";
import { readAuthState } from "../sessions/state-reader.js";
import { parseSess } from "../sessions/stored-session.js";
import { sessionKey } from "../core/session-records.js";
import type { AccountState } from "../sessions/validity.js";
import { publicAccountColumns, toPublicAccount } from "./account-columns.js";

/** Options of {@link authenticateRequest} when it reads the session cookie itself: the app's `session({ … })` settings. */
export interface AuthenticateRequestOptions {
  /** express-session's `secret`: one string, or several (the first signs, all verify). Needed only to read a session cookie. */
  secret?: string | readonly string[];
  /** express-session's cookie `name`. @default "connect.sid" */
  name?: string;
  /** Also accept the remember-me cookie when there is no signed-in session. @default true */
  remember?: boolean;
}

/** A session middleware (the app's `session({ … })`), run to load `req.session` (@prsm/auth's third argument). */
export type SessionMiddleware = (req: never, res: never, next: (err?: unknown) => void) => unknown;

function secretsOf(options: AuthenticateRequestOptions): readonly string[] | null {
  const secret = options.secret;
  if (secret === undefined) return null;
  const list = typeof secret === "string" ? [secret] : Array.isArray(secret) ? secret : [];
  if (list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0))
    throw new AuthConfigError("authenticateRequest: options.secret must be the session secret (or a list of them)");
  return list as string[];
}

/** Loads `req.session` with the app's session middleware; a response stub stands in for the socket. */
function runSessionMiddleware(middleware: SessionMiddleware, req: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const res = { getHeader: () => undefined, setHeader: () => undefined, end: () => undefined, on: () => undefined };
    try {
      middleware(req as never, res as never, (err?: unknown) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

type AccountRow = AuthAccount & AccountState;

/** The public account and validity fields of accounts, in one statement. */
function accountRowColumns(ctx: AuthContext) {
  return { ...publicAccountColumns(ctx), ...profileColumns(ctx) };
}

/**
 * The account a stored auth state is signed in as (the target while impersonating), by the one
 * validity decision against the accounts as they are now: `rows` when they cover every account the
 * state names, else one statement. Null when it is not signed in.
 */
async function accountOfState(ctx: AuthContext, auth: unknown, rows: AccountRow[] = []): Promise<AuthAccount | null> {
  const state = readAuthState(auth);
  if (state === null || state === "malformed") return null;
  const ids = state.actor ? [state.accountId, state.actor.accountId] : [state.accountId];
  if (!ids.every((id) => rows.some((r) => r.id === id)))
    rows = await ctx.db.select(accountRowColumns(ctx)).from(ctx.t.accounts).where(inArray(ctx.t.accounts.id, ids));
  const known = new Map<number, AccountState>(rows.map((row) => [row.id, row]));
  const validity = await checkSession(ctx, state, { known, force: true });
  if (validity.kind !== "refresh" && validity.kind !== "valid") return null;
  const row = rows.find((r) => r.id === state.accountId);
  return row ? toPublicAccount(row) : null;
}

/** A stored session by its id, with its owner's account row (the actor of an impersonation): one statement. */
async function storedSession(ctx: AuthContext, sid: string): Promise<{ auth: unknown; rows: AccountRow[] } | null> {
  const s = ctx.t.sessions;
  const [row] = await ctx.db
    .select({ sess: s.sess, expires: s.expires, owner: accountRowColumns(ctx) })
    .from(s)
    .innerJoin(ctx.t.accounts, eq(ctx.t.accounts.id, s.accountId))
    .where(eq(s.id, sessionKey(sid)))
    .limit(1);
  if (!row || row.expires.getTime() <= ctx.now().getTime()) return null;
  const sess = parseSess(row.sess);
  return sess && { auth: sess.auth, rows: [row.owner] };
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
 * without Express, with @prsm/auth's signature:
 * - with a session middleware (the app's `session({ … })`) as third argument, it runs it to load
 *   `req.session`;
 * - with options `{ secret, name }` instead, it verifies the session cookie itself (a secret is
 *   needed only then: a request with no session cookie never needs one);
 * - failing a signed-in session, the remember-me cookie is checked, read-only: the account the
 *   middleware would sign in (token unexpired and matching, account Normal and verified), without
 *   rotating the token.
 *
 * The session goes through the one validity decision against the account as it is now (status,
 * `force_logout`, lifetime, impersonation). No cookies → null. Malformed, duplicated, oversized or
 * wrongly signed cookies give null, never an error. Nothing is written. Database errors propagate
 * (the caller fails closed).
 * @throws {AuthConfigError} INVALID_CONFIG when a session cookie must be read and `options.secret` is invalid or missing
 * @example
 * server.on("upgrade", async (req, socket) => {
 *   const account = await authenticateRequest(authConfig, req, sessionMiddleware)
 *   if (account === null) return socket.destroy()
 * })
 */
export async function authenticateRequest(
  config: AuthConfig,
  req: Pick<IncomingMessage, "headers">,
  sessionOrOptions: SessionMiddleware | AuthenticateRequestOptions = {},
): Promise<AuthAccount | null> {
  const ctx = await getAuthContext(config);
  const options = typeof sessionOrOptions === "function" ? {} : (sessionOrOptions ?? {});
  const name = options.name ?? "connect.sid";
  if (typeof name !== "string" || name.length === 0)
    throw new AuthConfigError("authenticateRequest: options.name must be a cookie name");
  const secrets = secretsOf(options);
  const rememberName = ctx.config.rememberCookieName;
  const cookies = readCookies(req?.headers?.cookie, [name, rememberName]);
  if (typeof sessionOrOptions === "function") {
    // express-session reads the URL (its cookie path check); a bare `{ headers }` gets "/".
    const target = typeof (req as { url?: unknown }).url === "string" ? req : Object.assign(Object.create(req), { url: "/" });
    await runSessionMiddleware(sessionOrOptions, target);
    const account = await accountOfState(ctx, (target as { session?: { auth?: unknown } }).session?.auth);
    if (account) return account;
  } else if (cookies.has(name)) {
    if (secrets === null)
      throw new AuthConfigError("authenticateRequest: pass the session middleware or options.secret to read the session cookie");
    const sid = unsignSessionCookie(cookies.get(name)!, secrets);
    const stored = sid === null ? null : await storedSession(ctx, sid);
    const account = stored ? await accountOfState(ctx, stored.auth, stored.rows) : null;
    if (account) return account;
  }
  const remember = cookies.get(rememberName);
  if (options.remember === false || remember === undefined) return null;
  return fromRememberToken(ctx, remember);
}
