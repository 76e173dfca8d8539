import { and, eq, isNull, lt, or } from "drizzle-orm";
import { TwoFactorMechanism } from "../core/activity-actions.js";
import type { AuthContext } from "../core/context.js";

/** One mechanism: 1 TOTP, 2 email, 3 SMS. */
export type Mechanism = (typeof TwoFactorMechanism)[keyof typeof TwoFactorMechanism];

/** A two-factor method row (the TOTP secret stays sealed). */
export interface MethodRecord {
  id: number;
  mechanism: Mechanism;
  secret: string | null;
  verified: boolean;
  lastUsedStep: number | null;
}

/** The name of a mechanism, as audit metadata uses it. */
export function mechanismName(mechanism: number): "totp" | "email" | "sms" {
  return mechanism === TwoFactorMechanism.TOTP ? "totp" : mechanism === TwoFactorMechanism.EMAIL ? "email" : "sms";
}

/** True for 1, 2 or 3. */
export function isMechanism(value: unknown): value is Mechanism {
  return value === 1 || value === 2 || value === 3;
}

/** Every method of an account. */
export async function listMethods(ctx: AuthContext, accountId: number): Promise<MethodRecord[]> {
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .select({ id: m.id, mechanism: m.mechanism, secret: m.secret, verified: m.verified, lastUsedStep: m.lastUsedStep })
    .from(m)
    .where(eq(m.accountId, accountId))
    .orderBy(m.createdAt);
  return rows as MethodRecord[];
}

/** The method of one mechanism, or null. */
export async function findMethod(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
): Promise<MethodRecord | null> {
  return (await listMethods(ctx, accountId)).find((row) => row.mechanism === mechanism) ?? null;
}

/** The verified mechanisms of an account. */
export async function verifiedMechanisms(ctx: AuthContext, accountId: number): Promise<Mechanism[]> {
  return (await listMethods(ctx, accountId)).filter((row) => row.verified).map((row) => row.mechanism);
}

/** Creates or replaces an unverified method (enrolment in progress). */
export async function savePendingMethod(
  ctx: AuthContext,
  accountId: number,
  mechanism: Mechanism,
  secret: string,
): Promise<void> {
  const m = ctx.t.twoFactorMethods;
  const values = { secret, verified: false, lastUsedStep: null, lastUsedAt: null };
  await ctx.db
    .insert(m)
    .values({ accountId, mechanism, createdAt: ctx.now(), ...values })
    .onConflictDoUpdate({ target: [m.accountId, m.mechanism], set: values });
}

/** Marks a pending method verified. Returns false when it was not pending (already verified or gone). */
export async function markVerified(ctx: AuthContext, methodId: number): Promise<boolean> {
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .update(m)
    .set({ verified: true, lastUsedAt: ctx.now() })
    .where(and(eq(m.id, methodId), eq(m.verified, false)))
    .returning({ id: m.id });
  return rows.length === 1;
}

/**
 * Records an accepted TOTP step in one conditional UPDATE: it succeeds only when the step is newer than
 * the last accepted one, so a code (or an earlier one) can never be used twice, even concurrently.
 */
export async function claimTotpStep(ctx: AuthContext, methodId: number, step: number): Promise<boolean> {
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .update(m)
    .set({ lastUsedStep: step, lastUsedAt: ctx.now() })
    .where(and(eq(m.id, methodId), or(isNull(m.lastUsedStep), lt(m.lastUsedStep, step))))
    .returning({ id: m.id });
  return rows.length === 1;
}

/** Deletes one mechanism of an account. Returns false when absent. */
export async function deleteMethod(ctx: AuthContext, accountId: number, mechanism: Mechanism): Promise<boolean> {
  const m = ctx.t.twoFactorMethods;
  const rows = await ctx.db
    .delete(m)
    .where(and(eq(m.accountId, accountId), eq(m.mechanism, mechanism)))
    .returning({ id: m.id });
  return rows.length === 1;
}
