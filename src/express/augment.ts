import type { AuthManager } from "./auth-manager.js";
import type { AuthSession } from "../sessions/state.js";
import type { OAuthFlow } from "./oauth-flow.js";

declare global {
  // biome-ignore lint/style/noNamespace: Express's own augmentation point
  namespace Express {
    interface Request {
      /** The auth API of this request, set by `createAuthMiddleware`. */
      auth: AuthManager;
    }
  }
}

declare module "express-session" {
  interface SessionData {
    /** The library's session state. */
    auth?: AuthSession;
    /** OAuth flows started in this browser (state, PKCE verifier), bound to their provider. */
    oauthFlows?: OAuthFlow[];
  }
}

export {};
