import type { Request } from "express";

/** The fields of a request body: JSON or a form, whatever parser (if any) the app ran before the router. */
export type BodyFields = Record<string, unknown>;

const MAX_FIELDS = 32;

function fromEntries(entries: Iterable<[string, unknown]>): BodyFields {
  const out: BodyFields = Object.create(null);
  let n = 0;
  for (const [key, value] of entries) {
    if (++n > MAX_FIELDS) break;
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    out[key] = value;
  }
  return out;
}

/**
 * The body as plain fields. The router parses JSON and urlencoded bodies itself; when the app already
 * parsed the body (any parser, mounted before), its result is used, including a raw string or Buffer.
 * Anything else is an empty set of fields, never a throw.
 */
export function bodyFields(req: Request): BodyFields {
  let body: unknown = req.body;
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (typeof body === "string") {
    const type = req.get("content-type") ?? "";
    try {
      if (type.includes("json")) body = JSON.parse(body);
      else return fromEntries(new URLSearchParams(body));
    } catch {
      return Object.create(null);
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return Object.create(null);
  return fromEntries(Object.entries(body));
}

/** A string field, or undefined (arrays from repeated form fields and other types are not strings). */
export function stringField(fields: BodyFields, name: string, max = 4096): string | undefined {
  const value = fields[name];
  return typeof value === "string" && value.length <= max ? value : undefined;
}
