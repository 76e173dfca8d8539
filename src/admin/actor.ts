import { eq } from "drizzle-orm";
import { assertAccountId } from "../core/accounts.js";
import type { AuthContext, RequestInfo } from "../core/context.js";
import { InvalidInputError } from "../errors.js";

/**
 * Who is acting through an admin context. Every audit row its mutations write records `accountId` as
 * `actor_account_id`, with the IP address and user agent. The context does not authorise the actor:
 * check the actor's roles before calling (see docs/admin-context.md).
 */
export interface AdminActor {
  /** The acting account (an admin), or null for a script or system job. */
  accountId?: number | null;
  /** The actor's client address (at most 64 characters). */
  ip?: string | null;
  /** The actor's user agent (cut to 512 characters). */
  userAgent?: string | null;
}

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > max)
    throw new InvalidInputError(field, `${field} must be a string of at most ${max} characters`);
  return value;
}

/**
 * Checks an actor and turns it into the audit fields every service accepts.
 * @throws {InvalidInputError} INVALID_INPUT for wrong types or an over-long IP
 * @internal
 */
export function actorRequestInfo(actor: unknown): RequestInfo | undefined {
  if (actor === undefined || actor === null) return undefined;
  if (typeof actor !== "object" || Array.isArray(actor))
    throw new InvalidInputError("actor", "actor must be { accountId, ip, userAgent }");
  const { accountId, ip, userAgent } = actor as Record<string, unknown>;
  if (accountId !== undefined && accountId !== null) {
    try {
      assertAccountId(accountId);
    } catch {
      throw new InvalidInputError("actor.accountId", "actor.accountId must be a positive integer");
    }
  }
  const agent = optionalString(userAgent, "actor.userAgent", 64 * 1024);
  return {
    actorAccountId: (accountId as number | null | undefined) ?? null,
    ip: optionalString(ip, "actor.ip", 64),
    userAgent: agent === null ? null : agent.slice(0, 512),
  };
}

/**
 * Checks once that the actor's account exists, so an unknown actor fails with a clear error instead of a
 * foreign-key violation half-way through a mutation.
 * @throws {InvalidInputError} INVALID_INPUT (field `actor.accountId`)
 * @internal
 */
export async function assertActorExists(ctx: AuthContext, accountId: number): Promise<void> {
  const a = ctx.t.accounts;
  const [row] = await ctx.db.select({ id: a.id }).from(a).where(eq(a.id, accountId)).limit(1);
  if (!row) throw new InvalidInputError("actor.accountId", "actor.accountId does not match an account");
}
