/**
 * The building blocks of the page forms: POST forms with the CSRF token, labelled fields, submit
 * buttons and the error / notice banners. All accessibility wiring lives here (labels, `autofocus`,
 * `aria-describedby` to the error and hints, `role="alert"`).
 */
import type { PageNotice } from "./data.js";
import { errorMessage } from "./error-messages.js";
import { type HtmlValue, type SafeHtml, markup } from "./html.js";
import type { PageStringKey } from "./strings.js";
import { type View, t } from "./view.js";

/** The `id` of the error banner, referenced by the fields' `aria-describedby`. @internal */
export const ERROR_ID = "form-error";

/** A hidden input. @internal */
export function hidden(name: string, value: string): SafeHtml {
  return markup`<input type="hidden" name="${name}" value="${value}">`;
}

/**
 * A `method="post"` form to `action` with the CSRF token and, when the page has one, `callbackUrl`
 * as hidden fields. @internal
 */
export function postForm(view: View, action: string, content: HtmlValue): SafeHtml {
  const { csrfToken, callbackUrl } = view.data;
  return markup`<form method="post" action="${action}">
${hidden("csrfToken", csrfToken)}${callbackUrl ? hidden("callbackUrl", callbackUrl) : ""}
${content}
</form>`;
}

/** Options of one labelled input. @internal */
export interface FieldOptions {
  id: string;
  name: string;
  type: "email" | "password" | "text";
  label: PageStringKey;
  autocomplete: "email" | "current-password" | "new-password" | "one-time-code";
  autofocus?: boolean;
  value?: string | undefined;
  minlength?: number;
  maxlength?: number;
  inputmode?: "numeric" | "text";
  /** A hint shown under the input and linked with `aria-describedby`. */
  hint?: PageStringKey;
}

/** The `aria-describedby` ids of a field: the error banner (when shown) and its hint. @internal */
function describedBy(view: View, hintId: string | null): string {
  return [view.data.error ? ERROR_ID : null, hintId].filter(Boolean).join(" ");
}

/** The email input the sign-in, registration and forgot-password forms share (focused first). @internal */
export function emailField(view: View): SafeHtml {
  return field(view, {
    id: "email",
    name: "email",
    type: "email",
    label: "emailLabel",
    autocomplete: "email",
    autofocus: true,
    value: view.data.email,
  });
}

/** A labelled, required input (with its hint). @internal */
export function field(view: View, o: FieldOptions): SafeHtml {
  const hintId = o.hint ? `${o.id}-hint` : null;
  const ids = describedBy(view, hintId);
  const extras = [
    o.value ? markup` value="${o.value}"` : "",
    o.minlength ? markup` minlength="${String(o.minlength)}"` : "",
    o.maxlength ? markup` maxlength="${String(o.maxlength)}"` : "",
    o.inputmode ? markup` inputmode="${o.inputmode}"` : "",
    o.type === "text" ? markup` autocapitalize="off" spellcheck="false"` : "",
    ids ? markup` aria-describedby="${ids}"` : "",
    o.autofocus ? markup` autofocus` : "",
  ];
  const hint = hintId && o.hint ? markup`\n<p class="hint" id="${hintId}">${t(view, o.hint)}</p>` : "";
  return markup`<div class="field">
<label for="${o.id}">${t(view, o.label)}</label>
<input id="${o.id}" name="${o.name}" type="${o.type}" autocomplete="${o.autocomplete}" required${extras}>${hint}
</div>`;
}

/** A submit button. @internal */
export function submit(view: View, label: PageStringKey | SafeHtml, variant?: "secondary"): SafeHtml {
  const text = typeof label === "string" ? t(view, label) : label;
  return markup`<button type="submit"${variant ? markup` class="${variant}"` : ""}>${text}</button>`;
}

/** The error banner (`role="alert"`), or nothing. The code is mapped to a message, never shown. @internal */
export function errorAlert(view: View): SafeHtml | "" {
  const code = view.data.error;
  if (!code) return "";
  return markup`<p class="alert" id="${ERROR_ID}" role="alert">${errorMessage(code, view.pages)}</p>`;
}

const NOTICE_KEYS: Readonly<Record<PageNotice, PageStringKey>> = {
  verified: "noticeVerified",
  "reset-done": "noticeResetDone",
  "reset-sent": "noticeResetSent",
  registered: "noticeRegistered",
  "signed-out": "noticeSignedOut",
};

/** The notice banner (`role="status"`) when the page's notice is one of `allowed`, else nothing. @internal */
export function noticeBanner(view: View, allowed: readonly PageNotice[]): SafeHtml | "" {
  const notice = view.data.notice;
  if (!notice || !allowed.includes(notice)) return "";
  return markup`<p class="notice" role="status">${t(view, NOTICE_KEYS[notice])}</p>`;
}

/** A paragraph with a prompt and a link, e.g. "No account yet? Create one". @internal */
export function linkLine(view: View, prompt: PageStringKey | null, href: string, label: PageStringKey): SafeHtml {
  return markup`<p>${prompt ? markup`${t(view, prompt)} ` : ""}<a href="${href}">${t(view, label)}</a></p>`;
}
