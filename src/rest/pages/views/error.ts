/** The error page: the localised message of the error code (never the code itself) and a way back. */
import { ERROR_ID, linkLine } from "../components.js";
import { errorMessage } from "../error-messages.js";
import { markup } from "../html.js";
import { type View, type ViewResult, routerUrl } from "../view.js";

/** Renders the error page; without an `error` code it shows the generic message. @internal */
export function errorView(view: View): ViewResult {
  const message = errorMessage(view.data.error ?? "", view.pages);
  return {
    title: "errorTitle",
    body: markup`<p class="alert" id="${ERROR_ID}" role="alert">${message}</p>
<div class="links">${linkLine(view, null, routerUrl(view, "/signin", true), "backToSignin")}</div>`,
  };
}
