/** Account status values (same as @prsm/auth). Only `Normal` may sign in or keep a session. */
export const AuthStatus = Object.freeze({
  Normal: 0,
  Archived: 1,
  Banned: 2,
  Locked: 3,
  PendingReview: 4,
  Suspended: 5,
} as const);

/** One of the {@link AuthStatus} values. */
export type AuthStatusValue = (typeof AuthStatus)[keyof typeof AuthStatus];

/** The name of a status value, or null. */
export function statusName(status: number | null | undefined): string | null {
  if (status === null || status === undefined) return null;
  return Object.entries(AuthStatus).find(([, v]) => v === status)?.[0] ?? null;
}

/** True for a known status value. */
export function isStatus(value: unknown): value is AuthStatusValue {
  return typeof value === "number" && Object.values(AuthStatus).includes(value as AuthStatusValue);
}
