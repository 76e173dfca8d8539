import type { Request } from "express";
import session from "express-session";
import type { AuthConfig } from "../config.js";
import { type AuthContext, getAuthContext } from "../core/context.js";
import { parseDuration } from "../primitives/duration.js";
import { sessionKey } from "../core/session-records.js";
import { AuthConfigError } from "../errors.js";
import {
  countLiveSessions,
  deleteAllSessionRows,
  deleteExpiredSessionRows,
  deleteSessionRow,
  extendSessionRow,
  listLiveSessionJson,
  readSessionRow,
  writeSessionRow,
} from "../sessions/session-rows.js";
import { parseStoredSession, sessionJson } from "./session-bounds.js";

/** Options of {@link createSessionStore}. */
export interface SessionStoreOptions {
  /** Lifetime (idle timeout) of a session whose cookie has no `maxAge`. @default "30m" */
  ttl?: number | string;
  /** A session's expiry is written back at most this often, not on every request. @default "60s" */
  touchInterval?: number | string;
  /** How often expired rows are deleted in the background; `false` turns it off. @default "15m" */
  pruneInterval?: number | string | false;
}

type Callback<T = unknown> = (err?: unknown, value?: T) => void;
type StoredSession = session.SessionData & {
  auth?: {
    loggedIn?: boolean;
    accountId?: number;
    ipAddress?: string | null;
    userAgent?: string | null;
    actor?: { accountId?: number };
  };
};

const REMEMBERED_EXPIRIES = 10_000;

/**
 * An express-session store over the `sessions` table. Rows are keyed by SHA-256 of the session id and
 * record the signed-in account, so an account's sessions can be listed and revoked, and deleting an
 * account or banning it ends them at once. Reads are served from the context's session cache when it
 * is on (docs/sessions.md); every write and delete notifies the other instances in its own statement.
 */
export class DrizzleSessionStore extends session.Store {
  private readonly ctx: Promise<AuthContext>;
  /** The context once resolved: cache hits and throttled touches then answer without a promise chain. */
  private ready: AuthContext | null = null;
  private readonly ttlMs: number;
  private readonly touchMs: number;
  private readonly expiries = new Map<string, number>();
  private readonly loaded = new WeakSet<object>();
  /** Session objects read from the store: saving one only updates, so a revoked row is never recreated. */
  private readonly fromStore = new WeakSet<object>();
  /** Session objects whose request failed: their changes are never written. */
  private readonly discarded = new WeakSet<object>();
  /** The data JSON (without the cookie) of session objects served from the cache, when it is known. */
  private readonly loadedData = new WeakMap<object, string>();
  /** What each session object last wrote (its data without the cookie, and the expiry). */
  private readonly written = new WeakMap<object, { data: string; expires: number }>();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(config: AuthConfig, options: SessionStoreOptions = {}) {
    super();
    this.ctx = getAuthContext(config);
    this.ctx.then(
      (ctx) => void (this.ready = ctx),
      () => {},
    );
    this.ttlMs = ms("ttl", options.ttl ?? "30m");
    this.touchMs = ms("touchInterval", options.touchInterval ?? "60s");
    const prune = options.pruneInterval ?? "15m";
    if (prune !== false) {
      this.pruneTimer = setInterval(() => void this.prune().catch(() => {}), ms("pruneInterval", prune));
      this.pruneTimer.unref();
    }
  }

  private expiresOf(sess: session.SessionData, now: Date): Date {
    const cookieExpires = sess.cookie?.expires ? new Date(sess.cookie.expires) : null;
    return cookieExpires && !Number.isNaN(cookieExpires.getTime())
      ? cookieExpires
      : new Date(now.getTime() + this.ttlMs);
  }

  private remember(key: string, expires: number): void {
    this.expiries.delete(key);
    this.expiries.set(key, expires);
    if (this.expiries.size > REMEMBERED_EXPIRIES) this.expiries.delete(this.expiries.keys().next().value!);
  }

  private run<T>(cb: Callback<T> | undefined, work: (ctx: AuthContext) => Promise<T>): void {
    this.ctx.then(work).then(
      (value) => cb?.(null, value),
      (err) => cb?.(err),
    );
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    const key = sessionKey(sid);
    // The hot path: a cached session, parsed anew for this request (the cached JSON was bounded when it
    // was cached), answered on the next microtask without a query.
    const hit = this.ready?.sessionCache?.get(key);
    if (hit) {
      const parsed = JSON.parse(hit.json) as session.SessionData;
      if (hit.data !== undefined) this.loadedData.set(parsed, hit.data);
      queueMicrotask(() => cb(null, parsed));
      return;
    }
    this.run(cb, async (ctx) => {
      const cache = ctx.sessionCache;
      const mark = cache?.begin() ?? 0;
      const row = await readSessionRow(ctx, key);
      if (!row || row.expires.getTime() <= ctx.now().getTime()) return null;
      this.remember(key, row.expires.getTime());
      const parsed = parseStoredSession(row.sess);
      if (parsed) cache?.put(key, { json: row.sess, expires: row.expires.getTime(), accountId: row.accountId }, mark);
      return parsed;
    });
  }

  /**
   * Writes a session, unless the request it belongs to failed ({@link discard}) or this same session
   * object already wrote the same data with an expiry less than `touchInterval` away (the library commits
   * the session before answering; express-session then saves it again as the response ends).
   * @throws {AuthError} SESSION_TOO_LARGE (to the callback) past the depth and size bounds
   */
  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.run(cb, async (ctx) => {
      if (this.discarded.has(sess)) return;
      const { json, data } = sessionJson(sess);
      const now = ctx.now();
      const key = sessionKey(sid);
      const expires = this.expiresOf(sess, now);
      const last = this.written.get(sess);
      if (last && last.data === data && Math.abs(expires.getTime() - last.expires) < this.touchMs) return;
      const auth = (sess as StoredSession).auth;
      // An impersonation session belongs to the actor: the actor's revocation ends it, the target's does not.
      const owner = auth?.actor?.accountId ?? auth?.accountId;
      const accountId = auth?.loggedIn && Number.isSafeInteger(owner) ? owner! : null;
      const values = {
        sess: json,
        expires,
        accountId,
        updatedAt: now,
        ipAddress: auth?.ipAddress ?? null,
        userAgent: auth?.userAgent ?? null,
      };
      const cache = ctx.sessionCache;
      const mark = cache?.begin() ?? 0;
      // A session read from the store and deleted since (logout, revocation, ban) is only ever updated:
      // a request still in flight must not bring it back.
      const wrote = await writeSessionRow(ctx, key, values, this.fromStore.has(sess));
      cache?.settle(key, wrote ? { json, data, expires: expires.getTime(), accountId } : null, mark);
      if (!wrote) return;
      this.written.set(sess, { data, expires: expires.getTime() });
      this.remember(key, expires.getTime());
    });
  }

  /** The data JSON (without the cookie) this session object was loaded with, when the cache knew it. */
  loadedDataOf(sess: session.SessionData): string | undefined {
    return this.loadedData.get(sess);
  }

  /** Drops every later write of this session object: a failed request leaves the stored session as it was. */
  discard(sess: session.SessionData): void {
    this.discarded.add(sess);
  }

  override destroy(sid: string, cb?: Callback): void {
    this.run(cb, async (ctx) => {
      const key = sessionKey(sid);
      this.expiries.delete(key);
      const mark = ctx.sessionCache?.begin() ?? 0;
      ctx.sessionCache?.drop(key);
      await deleteSessionRow(ctx, key);
      ctx.sessionCache?.settle(key, null, mark);
    });
  }

  /**
   * Extends the expiry, writing only when it moved by more than `touchInterval` since the last write.
   * Best effort: express-session touches after the response is committed, so a failed write is not
   * reported (it would cut the answer off); the expiry is simply extended by a later request.
   */
  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    const key = sessionKey(sid);
    const ready = this.ready;
    // Most touches write nothing (the expiry moved by less than touchInterval): answer those at once.
    if (ready && !this.touchDue(key, this.expiresOf(sess, ready.now()))) {
      if (cb) queueMicrotask(() => cb());
      return;
    }
    this.run(cb, async (ctx) => {
      const now = ctx.now();
      const expires = this.expiresOf(sess, now);
      if (!this.touchDue(key, expires)) return;
      try {
        await extendSessionRow(ctx, key, expires, now);
        ctx.sessionCache?.extend(key, expires.getTime());
        this.remember(key, expires.getTime());
      } catch {
        // Not remembered, so the next request tries again.
      }
    });
  }

  /** Whether the row's expiry must be written: it moved by at least `touchInterval` since the last write. */
  private touchDue(key: string, expires: Date): boolean {
    const last = this.expiries.get(key);
    return last === undefined || expires.getTime() - last >= this.touchMs;
  }

  override all(cb: Callback<session.SessionData[]>): void {
    this.run(cb, async (ctx) =>
      (await listLiveSessionJson(ctx, 10_000)).flatMap((json) => parseStoredSession(json) ?? []),
    );
  }

  override length(cb: Callback<number>): void {
    this.run(cb, (ctx) => countLiveSessions(ctx));
  }

  override clear(cb?: Callback): void {
    this.run(cb, async (ctx) => {
      this.expiries.clear();
      ctx.sessionCache?.clear();
      await deleteAllSessionRows(ctx);
    });
  }

  /** Deletes expired rows now. Returns how many. */
  async prune(): Promise<number> {
    return deleteExpiredSessionRows(await this.ctx);
  }

  /** When a session without a cookie `maxAge` expires if it is not used again after `now` (the idle timeout). */
  idleExpiry(now: Date): Date {
    return new Date(now.getTime() + this.ttlMs);
  }

  /** Stops the background pruning (for shutdown and tests). */
  close(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    this.loaded.add(req);
    const data = this.loadedData.get(sess);
    const created = super.createSession(req, sess);
    this.fromStore.add(created);
    if (data !== undefined) this.loadedData.set(created, data);
    return created;
  }

  /** Regenerates without a DELETE when the old session was never stored (a first sign-in). */
  override regenerate(req: Request, fn: (err?: unknown) => void): void {
    if (this.loaded.has(req)) {
      super.regenerate(req, fn);
      return;
    }
    // express-session assigns `generate` to the store it is given.
    (this as unknown as { generate(req: Request): void }).generate(req);
    fn();
  }
}

function ms(option: string, value: number | string): number {
  const parsed = parseDuration(value);
  if (parsed === null || parsed <= 0)
    throw new AuthConfigError(`Invalid session store option: ${option} must be a positive duration`);
  return parsed;
}

/** Creates the express-session store for a config. Pass it as `session({ store })`. */
export function createSessionStore(config: AuthConfig, options: SessionStoreOptions = {}): DrizzleSessionStore {
  return new DrizzleSessionStore(config, options);
}
