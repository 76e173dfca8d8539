import { eq } from "drizzle-orm";
import type { AuthContext } from "../core/context.js";
import { sessionKey } from "../core/session-records.js";
import { accountStateColumns } from "./account-state.js";
import type { AccountState } from "./validity.js";
import { MAX_JSON_DEPTH, jsonTextExceeds } from "../core/json-bounds.js";

/** The largest session the store writes, as JSON. */
export const MAX_SESSION_BYTES = 128 * 1024;
/** Longest stored `sess` text read at all (a little slack over what the store writes). */
const MAX_STORED_SESSION_CHARS = MAX_SESSION_BYTES + 1024;

/** A stored session as read by a request that has no express-session of its own. */
export interface StoredSession {
  /** `sess.auth` as stored (unchecked: pass it to the validity decision). */
  auth: unknown;
  /** When the row expires. */
  expires: Date;
  /** The accounts read with it: the row's owner (the actor of an impersonation), when it still exists. */
  accounts: Map<number, AccountState>;
}

/**
 * The JSON of a stored `sess` column, or null when it is not an object (a corrupt or foreign row) or
 * is past the session bounds (nothing deep is ever parsed).
 */
export function parseSess(text: string): Record<string, unknown> | null {
  if (text.length > MAX_STORED_SESSION_CHARS || jsonTextExceeds(text, { depth: MAX_JSON_DEPTH })) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Reads one session by its express-session id: from the session cache when it holds it (no
 * statement; the accounts are then not read), else with its owner's current account state in one
 * statement (a left join), which it caches. Null when there is no such unexpired row or its JSON is
 * corrupt.
 */
export async function readStoredSession(ctx: AuthContext, sid: string): Promise<StoredSession | null> {
  const key = sessionKey(sid);
  const cache = ctx.sessionCache;
  const hit = cache?.get(key);
  if (hit) return { auth: parseSess(hit.json)?.auth, expires: new Date(hit.expires), accounts: new Map() };
  const mark = cache?.begin() ?? 0;
  const s = ctx.t.sessions;
  const a = ctx.t.accounts;
  const [row] = await ctx.db
    .select({ sess: s.sess, expires: s.expires, accountId: s.accountId, owner: accountStateColumns(ctx) })
    .from(s)
    .leftJoin(a, eq(a.id, s.accountId))
    .where(eq(s.id, key))
    .limit(1);
  if (!row || row.expires.getTime() <= ctx.now().getTime()) return null;
  const sess = parseSess(row.sess);
  if (!sess) return null;
  cache?.put(key, { json: row.sess, expires: row.expires.getTime(), accountId: row.accountId }, mark);
  const accounts = new Map<number, AccountState>();
  if (row.owner && row.owner.id !== null) accounts.set(row.owner.id, row.owner as AccountState);
  return { auth: sess.auth, expires: row.expires, accounts };
}
