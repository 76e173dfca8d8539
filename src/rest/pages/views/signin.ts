/** The sign-in page: email and password, one button per OAuth provider, links to register and reset. */
import { errorAlert, emailField, field, linkLine, noticeBanner, postForm, submit } from "../components.js";
import { type SafeHtml, markup } from "../html.js";
import { type View, type ViewResult, routerUrl, t } from "../view.js";

function providerButtons(view: View): SafeHtml | "" {
  const providers = view.data.providers ?? [];
  if (providers.length === 0) return "";
  const items = providers.map((p) => {
    const action = routerUrl(view, `/signin/${encodeURIComponent(p.id)}`);
    const label = t(view, "signinWithProvider", { name: p.name });
    const logo = p.logo ? markup`<img class="provider-logo" src="${p.logo}" alt="" width="20" height="20"> ` : "";
    const button = submit(view, markup`${logo}${label}`, "secondary");
    return markup`<li>${postForm(view, action, button)}</li>`;
  });
  return markup`<section aria-labelledby="providers-heading">
<h2 id="providers-heading">${t(view, "providersHeading")}</h2>
<ul class="providers">${items}</ul>
</section>`;
}

/** Renders the sign-in page. @internal */
export function signinView(view: View): ViewResult {
  const email = emailField(view);
  const password = field(view, {
    id: "password",
    name: "password",
    type: "password",
    label: "passwordLabel",
    autocomplete: "current-password",
  });
  const credentials = postForm(
    view,
    routerUrl(view, "/signin/credentials"),
    markup`${email}
${password}
<div class="check"><input type="checkbox" id="remember" name="remember" value="true"><label for="remember">${t(view, "rememberLabel")}</label></div>
${submit(view, "signinButton")}`,
  );
  const links = markup`<div class="links">
${linkLine(view, null, routerUrl(view, "/reset", true), "forgotLink")}
${linkLine(view, "noAccount", routerUrl(view, "/register", true), "registerLink")}
</div>`;
  const notice = noticeBanner(view, ["verified", "reset-done", "registered", "signed-out"]);
  return {
    title: "signinTitle",
    body: markup`${notice}${errorAlert(view)}${credentials}${providerButtons(view)}${links}`,
  };
}
