/**
 * A tiny auto-escaping template tag. Interpolated values are HTML-escaped unless they are already
 * {@link SafeHtml} (the output of another `markup` call), so markup is escaped by default and only
 * trusted fragments built by this folder pass through.
 */
import { escapeHtml } from "./escape.js";

/** A fragment of markup that is already safe to emit. @internal */
export class SafeHtml {
  /** The markup. */
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  /** The markup, so a fragment can be concatenated or compared in tests. */
  toString(): string {
    return this.value;
  }
}

/** What a `markup` template accepts: fragments, text (escaped), arrays of both, and nothing. @internal */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false || value === true) return "";
  return escapeHtml(value);
}

/**
 * Builds markup; every `${value}` is escaped unless it is a {@link SafeHtml}. `false`, `null` and
 * `undefined` render nothing, so `${cond && markup`…`}` works. (Not named `html`, so that Prettier
 * leaves the templates, and the whitespace inside `<style>`, as written.) @internal
 * @example markup`<p>${userInput}</p>`
 */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/**
 * Marks markup built elsewhere in this folder as safe, unescaped. Only for text that cannot carry
 * user input into markup (the stylesheet, whose `<` are neutralised). @internal
 */
export function trustedRaw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Fills `{name}` placeholders of a (possibly configured, so untrusted) string: the template and the
 * values are both escaped. Unknown placeholders stay as they are. @internal
 * @example format("Sign in with {name}", { name: "<b>" }) // "Sign in with &lt;b&gt;"
 */
export function format(template: string, values: Readonly<Record<string, string>> = {}): SafeHtml {
  return new SafeHtml(
    escapeHtml(template).replace(/\{([a-zA-Z]+)\}/g, (match, key: string) =>
      Object.hasOwn(values, key) ? escapeHtml(values[key]) : match,
    ),
  );
}
