/**
 * The second step of a sign-in: one code field and, when the account has several methods, a choice
 * of `method` (`totp`, `otp` for an email/SMS code, `backup_code`).
 */
import { errorAlert, field, hidden, linkLine, postForm, submit } from "../components.js";
import { type SafeHtml, markup } from "../html.js";
import { type View, type ViewResult, routerUrl, t } from "../view.js";

type MethodValue = "totp" | "otp" | "backup_code";

interface MethodOption {
  value: MethodValue;
  label: SafeHtml;
}

/** The options offered, in a fixed order; without `methods`, the authenticator app and backup codes. */
function methodOptions(view: View): MethodOption[] {
  const methods = view.data.methods ?? [];
  if (methods.length === 0)
    return [
      { value: "totp", label: t(view, "methodTotp") },
      { value: "backup_code", label: t(view, "methodBackupCode") },
    ];
  const types = new Set(methods.map((m) => m.type));
  const contacts = methods
    .filter((m) => ["email", "sms", "otp"].includes(m.type) && m.maskedContact)
    .map((m) => m.maskedContact!);
  const options: MethodOption[] = [];
  if (types.has("totp")) options.push({ value: "totp", label: t(view, "methodTotp") });
  if (types.has("email") || types.has("sms") || types.has("otp")) {
    const label =
      contacts.length > 0 ? t(view, "methodOtp", { contact: contacts.join(", ") }) : t(view, "methodOtpNoContact");
    options.push({ value: "otp", label });
  }
  if (types.has("backup_code") || types.has("backupCode"))
    options.push({ value: "backup_code", label: t(view, "methodBackupCode") });
  return options;
}

function methodChoice(view: View, options: MethodOption[]): SafeHtml {
  const [first] = options;
  if (options.length === 1 && first) return markup`${hidden("method", first.value)}<p>${first.label}</p>`;
  const radios = options.map((o, i) => {
    const checked = i === 0 ? markup` checked` : "";
    return markup`<div class="check"><input type="radio" id="method-${o.value}" name="method" value="${o.value}"${checked}><label for="method-${o.value}">${o.label}</label></div>`;
  });
  return markup`<fieldset>
<legend>${t(view, "methodLegend")}</legend>
${radios}
</fieldset>`;
}

/** Renders the second-factor form. @internal */
export function twoFactorView(view: View): ViewResult {
  const options = methodOptions(view);
  const backup = options.some((o) => o.value === "backup_code");
  const onlyBackup = options.length === 1 && backup;
  const code = field(view, {
    id: "code",
    name: "code",
    type: "text",
    label: onlyBackup ? "methodBackupCode" : "codeLabel",
    autocomplete: "one-time-code",
    autofocus: true,
    maxlength: 64,
    // Backup codes contain letters: a numeric keypad only when every option is a numeric code.
    ...(backup ? {} : { inputmode: "numeric" as const }),
    ...(onlyBackup ? {} : { hint: backup ? "codeHintWithBackup" : "codeHint" }),
  });
  const form = postForm(
    view,
    routerUrl(view, "/two-factor/verify"),
    markup`${code}
${methodChoice(view, options)}
${submit(view, "twoFactorButton")}`,
  );
  return {
    title: "twoFactorTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "twoFactorText")}</p>
${form}
<div class="links">${linkLine(view, null, routerUrl(view, "/signin", true), "backToSignin")}</div>`,
  };
}
