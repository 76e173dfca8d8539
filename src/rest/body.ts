import type { Request } from "express";
import { MAX_JSON_DEPTH, type TextLimits, jsonTextExceeds } from "../core/json-bounds.js";

/** The fields of a request body: JSON or a form, whatever parser (if any) the app ran before the router. */
export type BodyFields = Record<string, unknown>;

const MAX_FIELDS = 32;
/** The most the router reads of a body, JSON or form (also what it re-parses of a raw string body). */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** What a JSON body may hold: {@link MAX_JSON_DEPTH} levels, 256 elements and members in all. */
export const BODY_JSON_LIMITS: TextLimits = Object.freeze({ depth: MAX_JSON_DEPTH, members: 256 });

/** What an array or object field becomes: still not a string (so still refused), but never deep. */
const NESTED: Readonly<Record<string, never>> = Object.freeze({});

function isScalar(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function fromEntries(entries: Iterable<[string, unknown]>): BodyFields {
  const out: BodyFields = Object.create(null);
  let n = 0;
  for (const [key, value] of entries) {
    if (++n > MAX_FIELDS) break;
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    out[key] = isScalar(value) ? value : NESTED;
  }
  return out;
}

/**
 * The body as plain fields: at most 32, each a string, number, boolean or null; an array or object
 * (however deep) is replaced by one empty object, so it is still refused as the wrong type and nothing
 * nested is ever walked or kept. The router parses JSON and urlencoded bodies itself; when the app already parsed the body
 * (any parser, mounted before), its result is used, including a raw string or Buffer, which is parsed
 * only when within {@link BODY_LIMIT_BYTES} and {@link BODY_JSON_LIMITS}. Anything else is an empty
 * set of fields, never a throw.
 */
export function bodyFields(req: Request): BodyFields {
  let body: unknown = req.body;
  if (Buffer.isBuffer(body)) body = body.length > BODY_LIMIT_BYTES ? "" : body.toString("utf8");
  if (typeof body === "string") {
    const type = req.get("content-type") ?? "";
    if (body.length > BODY_LIMIT_BYTES) return Object.create(null);
    try {
      if (!type.includes("json")) return fromEntries(new URLSearchParams(body));
      if (jsonTextExceeds(body, BODY_JSON_LIMITS)) return Object.create(null);
      body = JSON.parse(body);
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
