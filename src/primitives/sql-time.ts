import { sql } from "drizzle-orm";

/** A timestamp parameter for raw SQL fragments (typed column comparisons map Dates themselves). */
export function timestampParam(date: Date) {
  return sql`${date.toISOString()}::timestamptz`;
}
