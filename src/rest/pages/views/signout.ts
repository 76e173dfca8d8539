/** Sign-out confirmation: a POST form, so a GET (a link, a prefetch) never signs anyone out. */
import { errorAlert, postForm, submit } from "../components.js";
import { markup } from "../html.js";
import { type View, type ViewResult, routerUrl, t } from "../view.js";

/** Renders the sign-out confirmation. @internal */
export function signoutView(view: View): ViewResult {
  const { signedInEmail } = view.data;
  const form = postForm(view, routerUrl(view, "/signout"), submit(view, "signoutButton"));
  const who = signedInEmail ? markup`<p>${t(view, "signedInAs", { email: signedInEmail })}</p>\n` : "";
  return {
    title: "signoutTitle",
    body: markup`${errorAlert(view)}${who}<p>${t(view, "signoutText")}</p>
${form}`,
  };
}
