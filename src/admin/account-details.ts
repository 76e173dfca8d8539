import { and, eq } from "drizzle-orm";
import { type AccountIdentifier, assertAccountId, requireAccount, toAuthAccount } from "../core/accounts.js";
import { TwoFactorMechanism } from "../core/activity-actions.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { InvalidInputError, TwoFactorNotSetupError } from "../errors.js";
import { type LinkedProvider, listIdentities } from "../oauth/identities.js";
import { disableMechanism } from "../two-factor/enrollment.js";
import { maskEmail, maskPhone } from "../two-factor/masking.js";
import { type Mechanism, isMechanism, mechanismName } from "../two-factor/methods.js";
import { type AdminAccount, verifiedMechanismsOf } from "./account-list.js";

/** A two-factor method of an account. Never carries the TOTP secret or backup codes. */
export interface TwoFactorMethodInfo {
  id: number;
  /** 1 TOTP, 2 email, 3 SMS. */
  mechanism: Mechanism;
  mechanismName: "totp" | "email" | "sms";
  /** False while enrolment is unfinished. */
  verified: boolean;
  /** Email/SMS: the masked address or number (`a***e@example.com`, `+1********67`); TOTP: null. */
  maskedContact: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * An account by identifier, without the password hash, plus its verified two-factor mechanisms.
 * @throws {UserNotFoundError} USER_NOT_FOUND | {InvalidInputError} INVALID_INPUT
 */
export async function getAdminAccount(ctx: AuthContext, identifier: AccountIdentifier): Promise<AdminAccount> {
  const account = await requireAccount(ctx, identifier);
  const mechanisms = await verifiedMechanismsOf(ctx, [account.id]);
  return { ...toAuthAccount(account), twoFactor: mechanisms.get(account.id) ?? [] };
}

/**
 * The OAuth identities of an account, newest first (none for an unknown account). No provider tokens.
 * @throws {InvalidInputError} INVALID_INPUT for a malformed account id
 */
export async function getLinkedProviders(ctx: AuthContext, accountId: unknown): Promise<LinkedProvider[]> {
  assertAccountId(accountId);
  return listIdentities(ctx, accountId);
}

function maskedContact(mechanism: number, secret: string | null): string | null {
  if (secret === null || mechanism === TwoFactorMechanism.TOTP) return null;
  return mechanism === TwoFactorMechanism.EMAIL ? maskEmail(secret) : maskPhone(secret);
}

/**
 * The two-factor methods of an account, oldest first, with masked contacts and no secrets.
 * @throws {InvalidInputError} INVALID_INPUT for a malformed account id
 */
export async function getTwoFactorMethodInfo(ctx: AuthContext, accountId: unknown): Promise<TwoFactorMethodInfo[]> {
  assertAccountId(accountId);
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .select({
      id: m.id,
      mechanism: m.mechanism,
      // Read only to mask the contact of email/SMS methods; the TOTP secret is dropped below.
      secret: m.secret,
      verified: m.verified,
      createdAt: m.createdAt,
      lastUsedAt: m.lastUsedAt,
    })
    .from(m)
    .where(eq(m.accountId, accountId))
    .orderBy(m.createdAt, m.id);
  return rows
    .filter((row) => isMechanism(row.mechanism))
    .map((row) => ({
      id: row.id,
      mechanism: row.mechanism as Mechanism,
      mechanismName: mechanismName(row.mechanism),
      verified: row.verified,
      maskedContact: maskedContact(row.mechanism, row.secret),
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
    }));
}

/**
 * Removes one two-factor method of an account (by the method's id). Backup codes go with the last
 * verified method. Writes `two_factor_disabled` and notifies the account holder.
 * @throws {UserNotFoundError} USER_NOT_FOUND | {TwoFactorNotSetupError} TWO_FACTOR_NOT_SETUP when the
 * method does not belong to the account | {InvalidInputError} INVALID_INPUT
 */
export async function removeAccountTwoFactorMethod(
  ctx: AuthContext,
  identifier: AccountIdentifier,
  methodId: unknown,
  request?: RequestInfo,
): Promise<void> {
  if (typeof methodId !== "number" || !Number.isSafeInteger(methodId) || methodId <= 0 || methodId > 0x7fffffff)
    throw new InvalidInputError("methodId", "methodId must be a positive integer");
  const account = await requireAccount(ctx, identifier);
  const m = ctx.t.twoFactorMethods;
  const [method] = await ctx.db
    .select({ mechanism: m.mechanism })
    .from(m)
    .where(and(eq(m.id, methodId), eq(m.accountId, account.id)))
    .limit(1);
  if (!method || !isMechanism(method.mechanism)) throw new TwoFactorNotSetupError();
  await disableMechanism(ctx, account.id, method.mechanism, request);
}
