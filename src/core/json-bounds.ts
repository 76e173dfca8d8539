/**
 * Depth and size bounds for JSON the library parses or walks (request bodies, stored sessions). Both
 * checks are iterative and linear, so a hostile value costs at most one pass over its bytes or nodes and
 * can never overflow the stack of a recursive walker further on (JSON.stringify, express-session's hash).
 */

/** The deepest nesting of arrays and objects accepted in a request body or a session. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);

/** Limits of {@link jsonTextExceeds}. */
export interface TextLimits {
  /** Deepest nesting of arrays and objects. */
  depth: number;
  /** Most array elements and object members in all (counted by their separating commas). */
  members?: number;
}

/**
 * True when JSON text (a string or its UTF-8 bytes) nests arrays and objects deeper than `limits.depth`,
 * or holds more than `limits.members` elements and members in all. Brackets and commas inside strings do
 * not count. Malformed text is not judged: the parser refuses it afterwards.
 * @example jsonTextExceeds("[[[1]]]", { depth: 2 }) // true
 */
export function jsonTextExceeds(text: string | Uint8Array, limits: TextLimits): boolean {
  const bytes = typeof text !== "string";
  const members = limits.members ?? Number.POSITIVE_INFINITY;
  let depth = 0;
  let commas = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = bytes ? (text as Uint8Array)[i]! : (text as string).charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPEN.has(c)) {
      if (++depth > limits.depth) return true;
    } else if (CLOSE.has(c)) depth--;
    else if (c === COMMA && ++commas >= members) return true;
  }
  return false;
}

/** Limits of {@link valueTooLarge}. */
export interface ValueLimits {
  /** Deepest nesting of arrays and objects (the value itself is level 1). */
  depth: number;
  /** Most array elements and object properties in total. */
  nodes: number;
}

/**
 * True when a value nests deeper than `limits.depth` or holds more than `limits.nodes` elements and
 * properties in all (cycles count as too large). Own enumerable properties only, as JSON.stringify sees.
 */
export function valueTooLarge(value: unknown, limits: ValueLimits): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, level] = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (level > limits.depth) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    nodes += children.length;
    if (nodes > limits.nodes) return true;
    for (const child of children) stack.push([child, level + 1]);
  }
  return false;
}
