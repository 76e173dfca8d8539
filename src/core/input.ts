import { InvalidInputError } from "../errors.js";
import { parseDuration } from "../primitives/duration.js";

/** Receives a freshly issued token (to put in a link). May be async; its errors propagate. */
export type TokenCallback = (token: string) => unknown;

/** Checks an optional token callback argument. */
export function callbackArg(callback: unknown, name = "callback"): TokenCallback | undefined {
  if (callback === undefined || callback === null) return undefined;
  if (typeof callback !== "function") throw new InvalidInputError(name, `${name} must be a function`);
  return callback as TokenCallback;
}

/** Checks an optional duration argument; returns milliseconds. */
export function durationArg(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new InvalidInputError(name, `${name} must be a positive duration`);
  return ms;
}

/** Checks an optional positive integer argument. */
export function positiveIntArg(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new InvalidInputError(name, `${name} must be a positive integer`);
  return value;
}
