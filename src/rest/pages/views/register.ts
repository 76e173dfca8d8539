/** The registration page: email and a new password (15+ characters), and a link to sign in. */
import { errorAlert, emailField, field, linkLine, postForm, submit } from "../components.js";
import { markup } from "../html.js";
import { type View, type ViewResult, routerUrl } from "../view.js";

/** The minimum password length the form asks for (the library's default policy). @internal */
export const MIN_PASSWORD_LENGTH = 15;

/** Renders the registration page. @internal */
export function registerView(view: View): ViewResult {
  const email = emailField(view);
  const password = field(view, {
    id: "password",
    name: "password",
    type: "password",
    label: "passwordLabel",
    autocomplete: "new-password",
    minlength: MIN_PASSWORD_LENGTH,
    hint: "passwordHint",
  });
  const form = postForm(
    view,
    routerUrl(view, "/register"),
    markup`${email}
${password}
${submit(view, "registerButton")}`,
  );
  const signin = linkLine(view, "haveAccount", routerUrl(view, "/signin", true), "signinLink");
  return {
    title: "registerTitle",
    body: markup`${errorAlert(view)}${form}
<div class="links">${signin}</div>`,
  };
}
