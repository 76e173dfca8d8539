function hasSqlState(err: unknown, state: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === state) return true;
  }
  return false;
}

/** True when a driver error (possibly wrapped by Drizzle) is a unique violation (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return hasSqlState(err, "23505");
}

/** True when a driver error (possibly wrapped by Drizzle) is a foreign key violation (SQLSTATE 23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return hasSqlState(err, "23503");
}
