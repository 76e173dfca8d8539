/** A duration: milliseconds as a number, or a string such as `"30s"`, `"15m"`, `"1h 30m"`, `"30d"`. */
export type Duration = number | string;

const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/**
 * Parses a {@link Duration} into milliseconds. Unlike @prsm/ms, an unknown unit is an error rather than
 * silently milliseconds. Returns null for anything unparsable.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== "string" || value.length > 64) return null;
  const parts = value
    .trim()
    .toLowerCase()
    .match(/(\d+(?:\.\d+)?)\s*([a-z]*)/g);
  if (!parts || parts.join("").replace(/\s/g, "") !== value.toLowerCase().replace(/\s/g, "")) return null;
  let total = 0;
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(part);
    if (!m) return null;
    const unit = m[2] === "" ? 1 : UNITS[m[2]!];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
  }
  return total;
}
