import { type FinalValidity, checkSession } from "../sessions/check.js";
import { endImpersonatedSession, stopImpersonation } from "./impersonation.js";
import type { AuthScope } from "./scope.js";
import { endSession, updateAuthState } from "./session-writer.js";

/** Carries out a final answer of the validity decision on this request's session. */
async function apply(scope: AuthScope, validity: FinalValidity): Promise<void> {
  switch (validity.kind) {
    case "refresh":
      return updateAuthState(validity.auth, validity.fields);
    case "ended":
      if (validity.auth?.actor && (validity.reason === "lifetime" || validity.reason === "actor_inactive"))
        return endImpersonatedSession(scope, validity.reason === "lifetime" ? "session_expired" : "actor_inactive");
      return endSession(scope);
    case "impersonation_ended":
      return stopImpersonation(scope, validity.reason);
    default:
      return;
  }
}

/**
 * Keeps a signed-in session in step with its account, by the one validity decision
 * (`checkSession`): no query while the stored fields are fresh; one statement when
 * `resyncInterval` passed, when forced, or when this instance received an invalidation of the account
 * since the session's last resync. Ends the session or the impersonation when the decision says so.
 */
export async function resyncSession(scope: AuthScope, force = false): Promise<void> {
  return apply(scope, await checkSession(scope.ctx, scope.req.session?.auth, { force }));
}
