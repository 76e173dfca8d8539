/**
 * What changed on an account, carried in the NOTIFY payload next to the account id:
 * - `revoked`: every session ended (force logout, ban, password change or reset, log out everywhere,
 *   remember-me theft);
 * - `status`, `roles`, `email` (address or verified flag), `password` (changed without revoking);
 * - `deleted`: the account is gone;
 * - `session`: one session of the account was revoked.
 *
 * Every kind makes receiving instances re-read the account's sessions on their next request; the kind
 * is there for subscribers and diagnostics.
 */
export type InvalidationKind = "revoked" | "status" | "roles" | "email" | "password" | "deleted" | "session";

/** Every {@link InvalidationKind}. */
export const INVALIDATION_KINDS: readonly InvalidationKind[] = [
  "revoked",
  "status",
  "roles",
  "email",
  "password",
  "deleted",
  "session",
];

/** A payload received on the channel, once validated. */
export type ParsedPayload =
  | { type: "account"; kind: InvalidationKind; accountId: number }
  | { type: "probe"; nonce: string }
  | { type: "session"; key: string; origin: string };

const MAX_ACCOUNT_ID = 2_147_483_647; // accounts.id is an integer identity
const ACCOUNT = /^([a-z]{1,16}):([1-9][0-9]{0,9})$/;
const PROBE = /^probe:([0-9a-f]{16})$/;
const SESSION = /^sid:([0-9a-f]{64}):([0-9a-f]{16})$/;
const KINDS = new Set<string>(INVALIDATION_KINDS);

/**
 * The payload of an account invalidation: `<kind>:<account id>`, e.g. `roles:42`. Ids only: never an
 * email or any other personal data (payloads are visible to every listener of the database).
 * @example formatPayload("roles", 42) // "roles:42"
 * @internal
 */
export function formatPayload(kind: InvalidationKind, accountId: number): string {
  if (!KINDS.has(kind)) throw new TypeError("unknown invalidation kind");
  if (!Number.isSafeInteger(accountId) || accountId < 1 || accountId > MAX_ACCOUNT_ID)
    throw new TypeError("account id must be a positive 32-bit integer");
  return `${kind}:${accountId}`;
}

/** The payload of a delivery probe: `probe:<16 hex digits>`. @internal */
export function formatProbe(nonce: string): string {
  if (!/^[0-9a-f]{16}$/.test(nonce)) throw new TypeError("probe nonce must be 16 hex digits");
  return `probe:${nonce}`;
}

/**
 * The payload of a session row write: `sid:<row key>:<origin>`. The row key is already SHA-256 of the
 * session id (never the id itself); the origin names the writing instance, which ignores its own.
 * @internal
 */
export function formatSessionPayload(key: string, origin: string): string {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError("session key must be 64 hex digits");
  if (!/^[0-9a-f]{16}$/.test(origin)) throw new TypeError("origin must be 16 hex digits");
  return `sid:${key}:${origin}`;
}

/**
 * Validates a received payload. Anything that is not exactly one of our formats (another
 * application's messages on the same channel, garbage, an id out of range) gives null and is ignored.
 * @internal
 */
export function parsePayload(payload: unknown): ParsedPayload | null {
  if (typeof payload !== "string" || payload.length > 96) return null;
  const probe = PROBE.exec(payload);
  if (probe) return { type: "probe", nonce: probe[1]! };
  const session = SESSION.exec(payload);
  if (session) return { type: "session", key: session[1]!, origin: session[2]! };
  const match = ACCOUNT.exec(payload);
  if (!match || !KINDS.has(match[1]!)) return null;
  const accountId = Number(match[2]);
  if (accountId > MAX_ACCOUNT_ID) return null;
  return { type: "account", kind: match[1] as InvalidationKind, accountId };
}
