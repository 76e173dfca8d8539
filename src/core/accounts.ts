import { eq } from "drizzle-orm";
import { InvalidInputError, UserNotFoundError } from "../errors.js";
import type { AuthContext } from "./context.js";
import { canonicalizeEmail } from "./email.js";
import type { AccountRecord, AuthAccount } from "../primitives/account.js";

/** Re-exported: the services take the account types together with the lookups below. */
export type { AccountRecord, AuthAccount } from "../primitives/account.js";

/** Finds an account: the first defined key wins, in the order `accountId`, `email`, `userId`. */
export interface AccountIdentifier {
  accountId?: number;
  email?: string;
  userId?: string | number;
}

/** The columns of an {@link AccountRecord}, for explicit selects. */
export function accountColumns(ctx: AuthContext) {
  const a = ctx.t.accounts;
  return {
    id: a.id,
    userId: a.userId,
    email: a.email,
    password: a.password,
    verified: a.verified,
    status: a.status,
    rolemask: a.rolemask,
    lastLogin: a.lastLogin,
    forceLogout: a.forceLogout,
    resettable: a.resettable,
    registered: a.registered,
  };
}

/** Strips the password hash. */
export function toAuthAccount(row: Omit<AccountRecord, "hasPassword">): AuthAccount {
  const { password, ...rest } = row;
  return { ...rest, hasPassword: password !== null };
}

function toRecord(row: Omit<AccountRecord, "hasPassword">): AccountRecord {
  return { ...row, hasPassword: row.password !== null };
}

/** Validates a user id given by the app: a non-empty string (or integer) of at most 255 characters. */
export function normalizeUserId(userId: unknown): string {
  if (typeof userId === "number" && Number.isSafeInteger(userId)) return String(userId);
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 255) {
    throw new InvalidInputError("userId", "userId must be a non-empty string of at most 255 characters");
  }
  return userId;
}

/** Validates an account id. */
export function assertAccountId(value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 || value > 0x7fffffff) {
    throw new InvalidInputError("accountId", "accountId must be a positive integer");
  }
}

function whereFor(ctx: AuthContext, identifier: AccountIdentifier) {
  if (typeof identifier !== "object" || identifier === null) {
    throw new InvalidInputError("identifier", "identifier must be { accountId } | { email } | { userId }");
  }
  const a = ctx.t.accounts;
  if (identifier.accountId !== undefined) {
    assertAccountId(identifier.accountId);
    return eq(a.id, identifier.accountId);
  }
  if (identifier.email !== undefined) return eq(a.email, canonicalizeEmail(identifier.email));
  if (identifier.userId !== undefined) return eq(a.userId, normalizeUserId(identifier.userId));
  return null;
}

/** Finds an account (with its hash, for internal use) or null. */
export async function findAccount(ctx: AuthContext, identifier: AccountIdentifier): Promise<AccountRecord | null> {
  const where = whereFor(ctx, identifier);
  if (!where) return null;
  const [row] = await ctx.db.select(accountColumns(ctx)).from(ctx.t.accounts).where(where).limit(1);
  return row ? toRecord(row) : null;
}

/** Like {@link findAccount}, but throws {@link UserNotFoundError} when nothing matches. */
export async function requireAccount(ctx: AuthContext, identifier: AccountIdentifier): Promise<AccountRecord> {
  const account = await findAccount(ctx, identifier);
  if (!account) throw new UserNotFoundError();
  return account;
}

/** Finds an account by canonical email. */
export async function findAccountByEmail(ctx: AuthContext, email: string): Promise<AccountRecord | null> {
  return findAccount(ctx, { email });
}
