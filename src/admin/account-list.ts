import { type SQL, and, count, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { AuthAccount } from "../core/accounts.js";
import type { AuthContext } from "../core/context.js";
import { MAX_EMAIL_LENGTH } from "../core/email.js";
import { isRoleMask } from "../primitives/roles.js";
import { isStatus } from "../primitives/status.js";
import { InvalidInputError } from "../errors.js";
import type { Mechanism } from "../two-factor/methods.js";
import { publicAccountColumns, toPublicAccount } from "./account-columns.js";

/** Options of `listAccounts`. Every field is optional. */
export interface ListAccountsOptions {
  /** Case-insensitive prefix of the email address (`"ali"` finds `alice@…`); `%`, `_` and `\` are literal. */
  search?: string | null;
  /** Page size, clamped to 1..500. @default 50 */
  limit?: number;
  /** Rows to skip (0 or more). @default 0 */
  offset?: number;
  /** Only accounts with this `AuthStatus` value. */
  status?: number | null;
  /** Only accounts holding every bit of this role mask. */
  role?: number | null;
}

/** An account as the admin context lists it: no password hash, plus its verified two-factor mechanisms. */
export interface AdminAccount extends AuthAccount {
  /** Verified two-factor mechanisms (1 TOTP, 2 email, 3 SMS), ascending. */
  twoFactor: Mechanism[];
}

/** One page of accounts and the number of accounts matching the same filter. */
export interface AccountList {
  accounts: AdminAccount[];
  total: number;
}

/** The checked form of {@link ListAccountsOptions}. @internal */
export interface AccountQuery {
  prefix: string | null;
  limit: number;
  offset: number;
  status: number | null;
  role: number | null;
}

/** Largest page `listAccounts` returns. */
export const MAX_ACCOUNT_PAGE = 500;
const DEFAULT_PAGE = 50;
const MAX_OFFSET = 0x7fffffff;
// biome-ignore lint: control characters are what we look for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Escapes `\`, `%` and `_` so a value matches itself literally in a `LIKE` pattern (escape character `\`). */
export function escapeLikePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function integer(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new InvalidInputError(field, `${field} must be an integer`);
  return value;
}

function searchPrefix(search: unknown): string | null {
  if (search === undefined || search === null) return null;
  if (typeof search !== "string" || search.length > MAX_EMAIL_LENGTH * 4)
    throw new InvalidInputError("search", "search must be a string of at most 254 characters");
  // The same canonical form emails are stored in (NFKC, trimmed, lower-case).
  const prefix = search.normalize("NFKC").trim().toLowerCase();
  if (prefix.length > MAX_EMAIL_LENGTH || CONTROL.test(prefix))
    throw new InvalidInputError("search", "search must be a string of at most 254 characters");
  return prefix.length === 0 ? null : prefix;
}

/**
 * Checks and normalises the options of `listAccounts`.
 * @throws {InvalidInputError} INVALID_INPUT for wrong types, a negative offset, an over-long search
 * @internal
 */
export function parseListAccountsOptions(options: unknown): AccountQuery {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options))
    throw new InvalidInputError("options", "options must be { search, limit, offset, status, role }");
  const o = options as Record<string, unknown>;
  const limit = o.limit === undefined ? DEFAULT_PAGE : integer(o.limit, "limit");
  const offset = o.offset === undefined ? 0 : integer(o.offset, "offset");
  if (offset < 0 || offset > MAX_OFFSET) throw new InvalidInputError("offset", "offset must be 0 or more");
  if (o.status != null && !isStatus(o.status)) throw new InvalidInputError("status", "status must be an AuthStatus");
  if (o.role != null && !isRoleMask(o.role)) throw new InvalidInputError("role", "role must be a role bitmask");
  return {
    prefix: searchPrefix(o.search),
    limit: Math.min(MAX_ACCOUNT_PAGE, Math.max(1, limit)),
    offset,
    status: (o.status as number | null | undefined) ?? null,
    role: (o.role as number | null | undefined) ?? null,
  };
}

/** The smallest string greater than every string starting with `prefix` (its last code point + 1). */
function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return null;
  const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1;
  return points.join("") + String.fromCodePoint(next);
}

/**
 * The prefix condition: a `text_pattern_ops` range (`~>=~` / `~<~`, which the pattern index serves even
 * in a generic plan of a prepared statement, where a parameterised `LIKE` cannot use it) and the exact
 * `LIKE` on top.
 */
function prefixCondition(ctx: AuthContext, prefix: string): SQL {
  const email = ctx.t.accounts.email;
  const upper = prefixUpperBound(prefix);
  return and(
    sql`${email} ~>=~ ${prefix}`,
    upper === null ? undefined : sql`${email} ~<~ ${upper}`,
    like(email, `${escapeLikePattern(prefix)}%`),
  )!;
}

/** The WHERE clause of a query: the email prefix uses the `text_pattern_ops` index. @internal */
export function accountFilter(ctx: AuthContext, query: AccountQuery): SQL | undefined {
  const a = ctx.t.accounts;
  return and(
    query.prefix === null ? undefined : prefixCondition(ctx, query.prefix),
    query.status === null ? undefined : eq(a.status, query.status),
    query.role === null ? undefined : sql`(${a.rolemask} & ${query.role}::integer) = ${query.role}::integer`,
  );
}

/** The page query `listAccounts` runs (exposed so its plan can be inspected). @internal */
export function accountPageQuery(ctx: AuthContext, query: AccountQuery) {
  return ctx.db
    .select(publicAccountColumns(ctx))
    .from(ctx.t.accounts)
    .where(accountFilter(ctx, query))
    .orderBy(desc(ctx.t.accounts.id))
    .limit(query.limit)
    .offset(query.offset);
}

/** The count query `listAccounts` runs, with the same filter. @internal */
export function accountCountQuery(ctx: AuthContext, query: AccountQuery) {
  return ctx.db.select({ n: count() }).from(ctx.t.accounts).where(accountFilter(ctx, query));
}

/** The verified mechanisms of several accounts, in one query. @internal */
export async function verifiedMechanismsOf(ctx: AuthContext, accountIds: number[]): Promise<Map<number, Mechanism[]>> {
  const byAccount = new Map<number, Mechanism[]>(accountIds.map((id) => [id, []]));
  if (accountIds.length === 0) return byAccount;
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .select({ accountId: m.accountId, mechanism: m.mechanism })
    .from(m)
    .where(and(inArray(m.accountId, accountIds), eq(m.verified, true)))
    .orderBy(m.mechanism);
  for (const row of rows) byAccount.get(row.accountId)?.push(row.mechanism as Mechanism);
  return byAccount;
}

/**
 * Lists accounts, newest first (`id DESC`), with the total matching the same filter. Three statements:
 * the page, the count and the two-factor mechanisms of the page.
 * @throws {InvalidInputError} INVALID_INPUT
 */
export async function listAccounts(ctx: AuthContext, options?: unknown): Promise<AccountList> {
  const query = parseListAccountsOptions(options);
  const [rows, [counted]] = await Promise.all([accountPageQuery(ctx, query), accountCountQuery(ctx, query)]);
  const mechanisms = await verifiedMechanismsOf(
    ctx,
    rows.map((r) => r.id),
  );
  return {
    accounts: rows.map((row) => ({ ...toPublicAccount(row), twoFactor: mechanisms.get(row.id) ?? [] })),
    total: Number(counted?.n ?? 0),
  };
}
