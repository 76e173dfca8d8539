/**
 * Enrolling an authenticator app: start, then scan the QR code (or type the secret) and confirm with
 * a code, then save the backup codes.
 */
import { Buffer } from "node:buffer";
import { errorAlert, field, linkLine, postForm, submit } from "../components.js";
import { safeHref } from "../escape.js";
import { markup } from "../html.js";
import { type View, type ViewResult, plain, routerUrl, t } from "../view.js";

/** The secret in groups of four, as authenticator apps show it. @internal */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, "").match(/.{1,4}/g) ?? []).join(" ");
}

const OTPAUTH = /^otpauth:\/\/[^\s\u0000-\u001f\u007f\\]+$/i;

function backupCodesView(view: View, codes: string[]): ViewResult {
  const done = safeHref(view.data.callbackUrl, "/");
  return {
    title: "backupCodesTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "backupCodesText")}</p>
<ul id="backup-codes">${codes.map((c) => markup`<li><code>${c}</code></li>`)}</ul>
<p><a class="button-link" href="${done}">${t(view, "doneLink")}</a></p>`,
  };
}

function scanView(view: View, totp: { qrSvg: string; secret: string; uri: string }): ViewResult {
  // An <img> of a data: URL: the SVG cannot run script there, and the CSP's img-src allows data:.
  const qr = `data:image/svg+xml;base64,${Buffer.from(totp.qrSvg, "utf8").toString("base64")}`;
  const link = OTPAUTH.test(totp.uri) ? markup`<p><a href="${totp.uri}">${t(view, "otpauthLink")}</a></p>\n` : "";
  const code = field(view, {
    id: "code",
    name: "code",
    type: "text",
    label: "codeLabel",
    autocomplete: "one-time-code",
    autofocus: true,
    inputmode: "numeric",
    maxlength: 64,
    hint: "codeHint",
  });
  const form = postForm(
    view,
    routerUrl(view, "/two-factor/setup/totp/confirm"),
    markup`${code}
${submit(view, "setupConfirmButton")}`,
  );
  return {
    title: "twoFactorSetupTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "setupScanText")}</p>
<img class="qr" src="${qr}" alt="${plain(view, "qrAlt")}" width="200" height="200">
<p>${t(view, "secretLabel")}</p>
<code id="totp-secret">${groupSecret(totp.secret)}</code>
${link}${form}`,
  };
}

/** Renders the step the data calls for: backup codes, the QR code, the start button, or a sign-in link. @internal */
export function twoFactorSetupView(view: View): ViewResult {
  const { backupCodes, totp, signedInEmail } = view.data;
  if (backupCodes && backupCodes.length > 0) return backupCodesView(view, backupCodes);
  if (totp) return scanView(view, totp);
  if (!signedInEmail) {
    const signin = linkLine(view, null, routerUrl(view, "/signin", true), "signinLink");
    return {
      title: "twoFactorSetupTitle",
      body: markup`${errorAlert(view)}<p>${t(view, "setupSignInRequired")}</p>
<div class="links">${signin}</div>`,
    };
  }
  const form = postForm(view, routerUrl(view, "/two-factor/setup/totp"), submit(view, "setupStartButton"));
  return {
    title: "twoFactorSetupTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "signedInAs", { email: signedInEmail })}</p>
<p>${t(view, "setupIntroText")}</p>
${form}`,
  };
}
