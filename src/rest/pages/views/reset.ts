/** Password reset: the "forgot password" form, and the new-password form of an emailed link. */
import { errorAlert, emailField, field, hidden, linkLine, postForm, submit } from "../components.js";
import { markup } from "../html.js";
import { type View, type ViewResult, routerUrl, t } from "../view.js";
import { MIN_PASSWORD_LENGTH } from "./register.js";

function newPasswordView(view: View, token: string): ViewResult {
  const password = field(view, {
    id: "password",
    name: "password",
    type: "password",
    label: "newPasswordLabel",
    autocomplete: "new-password",
    autofocus: true,
    minlength: MIN_PASSWORD_LENGTH,
    hint: "passwordHint",
  });
  const form = postForm(
    view,
    routerUrl(view, "/password/reset"),
    markup`${hidden("token", token)}
${password}
${submit(view, "resetButton")}`,
  );
  return {
    title: "resetNewPasswordTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "resetNewPasswordText")}</p>
${form}`,
  };
}

/** Renders the forgot-password form, or the new-password form when the data has a `token`. @internal */
export function resetView(view: View): ViewResult {
  const { token } = view.data;
  if (token) return newPasswordView(view, token);
  const email = emailField(view);
  const form = postForm(
    view,
    routerUrl(view, "/password/forgot"),
    markup`${email}
${submit(view, "forgotButton")}`,
  );
  return {
    title: "resetTitle",
    body: markup`${errorAlert(view)}<p>${t(view, "resetRequestText")}</p>
${form}
<div class="links">${linkLine(view, null, routerUrl(view, "/signin", true), "backToSignin")}</div>`,
  };
}
