/**
 * "Check your email" after registration or a reset request, and the confirmation step of an emailed
 * link: a button that POSTs the token, so link scanners that GET the page do not consume it.
 */
import { errorAlert, hidden, linkLine, postForm, submit } from "../components.js";
import { markup } from "../html.js";
import { type View, type ViewResult, routerUrl, t } from "../view.js";

function confirmView(view: View, token: string): ViewResult {
  const form = postForm(
    view,
    routerUrl(view, "/verify-email"),
    markup`${hidden("token", token)}
${submit(view, "verifyButton")}`,
  );
  return {
    title: "verifyConfirmTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "verifyConfirmText")}</p>
${form}`,
  };
}

/** Renders the check-your-email page, or the confirm form when the data has a `token`. @internal */
export function verifyRequestView(view: View): ViewResult {
  const { token, email, notice } = view.data;
  if (token) return confirmView(view, token);
  const text = notice === "reset-sent" ? "resetSentText" : "verifyRequestText";
  return {
    title: "verifyRequestTitle",
    body: markup`${errorAlert(view)}<p role="status">${t(view, text)}</p>
${email ? markup`<p>${t(view, "sentTo", { email })}</p>` : ""}
<p>${t(view, "checkSpamText")}</p>
<div class="links">${linkLine(view, null, routerUrl(view, "/signin", true), "backToSignin")}</div>`,
  };
}
