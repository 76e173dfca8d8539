import type { AuthSession } from "./state.js";

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isOptionalFlag = (v: unknown) => v === undefined || typeof v === "boolean";

function actorIsWellFormed(actor: unknown): boolean {
  if (actor === undefined) return true;
  if (typeof actor !== "object" || actor === null) return false;
  const a = actor as Record<string, unknown>;
  return (
    isId(a.accountId) &&
    isCount(a.forceLogout) &&
    isTime(a.expiresAt) &&
    isInt(a.rolemask) &&
    typeof a.email === "string"
  );
}

/**
 * Reads `req.session.auth` as stored. Returns null when it holds no signed-in state (absent, or
 * waiting for a second factor), `"malformed"` when it claims to be signed in but a field the validity
 * decision needs is missing or of the wrong type (a corrupt or foreign row), and the state otherwise.
 *
 * A signed-in state needs a positive integer `accountId`, integer `forceLogout`, `status` and
 * `rolemask`, numeric `startedAt` and `lastResync`, string `email` and `userId`; an impersonation
 * `actor` needs its id, `forceLogout`, `expiresAt`, `rolemask` and `email`. A state without
 * `startedAt` is malformed: the absolute lifetime could not be enforced on it.
 */
export function readAuthState(raw: unknown): AuthSession | null | "malformed" {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) return "malformed";
  const s = raw as Record<string, unknown>;
  if (s.loggedIn !== true) return s.loggedIn === false || s.loggedIn === undefined ? null : "malformed";
  const wellFormed =
    isId(s.accountId) &&
    isCount(s.forceLogout) &&
    isInt(s.status) &&
    isInt(s.rolemask) &&
    isTime(s.startedAt) &&
    isTime(s.lastResync) &&
    typeof s.email === "string" &&
    typeof s.userId === "string" &&
    isOptionalFlag(s.shouldForceLogout) &&
    actorIsWellFormed(s.actor);
  return wellFormed ? (raw as AuthSession) : "malformed";
}
