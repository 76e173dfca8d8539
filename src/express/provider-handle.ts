import type { Request } from "express";
import { AuthActivityAction } from "../core/activity-actions.js";
import { logActivity } from "../core/activity.js";
import { notifyAccount } from "../core/notifications.js";
import { OAuthStateError, ReauthenticationRequiredError, UserNotLoggedInError, isAuthError } from "../errors.js";
import { linkToAccount } from "../oauth/oauth-accounts.js";
import { unlinkProvider } from "../oauth/unlink.js";
import { type OAuthUserData, toOAuthUserData } from "../providers/user-data.js";
import {
  OAuthProviderError,
  callbackError,
  generateOAuthCodeVerifier,
  generateOAuthState,
  type ProviderProfile,
} from "../providers/oauth-provider.js";
import type { ProviderEntry } from "../providers/registry.js";
import { type OAuthFlow, claimFlow, rememberFlow } from "./oauth-flow.js";
import { assertNotImpersonating } from "./impersonation.js";
import { requestInfo } from "./request-info.js";
import { type AuthScope, signedIn } from "./scope.js";
import { withSpan } from "../tracing/tracer.js";
import { signInWith } from "./sign-in.js";

/** Options of {@link ProviderHandle.getAuthUrl}. */
export interface AuthUrlOptions {
  /** Scopes to request instead of the configured ones. */
  scopes?: string[];
  /** Issue a remember-me token when the sign-in completes. @default false */
  remember?: boolean;
}

const MAX_CODE_LENGTH = 2048;

/**
 * `req.auth.providers.<name>`: one configured provider for this request. Starting a flow stores its
 * `state` and PKCE verifier in the session; the callback verifies them and claims the state (once, in
 * the database) before any token request.
 */
export class ProviderHandle {
  constructor(
    private readonly scope: AuthScope,
    /** Provider key, e.g. `github`. */
    readonly name: string,
    private readonly entry: ProviderEntry,
  ) {}

  /**
   * The provider's authorization URL for a sign-in. A string first argument (@prsm/auth's caller-chosen
   * state) is ignored: the state is always generated here, stored and checked on the callback.
   * Synchronous: an OIDC provider whose discovery has not succeeded yet (it runs in the background from
   * startup) throws instead of waiting; await `ready()` first to wait for it.
   * @throws {OAuthProviderError} OAUTH_PROVIDER_ERROR, reason `network`, until the provider is prepared
   */
  getAuthUrl(options: AuthUrlOptions | string = {}, scopes?: string[]): string {
    const o = typeof options === "object" && options !== null ? options : { scopes };
    return this.start("signin", null, o.scopes, o.remember === true);
  }

  /**
   * The authorization URL to connect this provider to the signed-in account; finish with
   * {@link ProviderHandle.link} (or `handleCallback`). Needs a sign-in within `twoFactor.recentAuthWindow`.
   * @throws {UserNotLoggedInError} | {ReauthenticationRequiredError}
   */
  getLinkUrl(options: Pick<AuthUrlOptions, "scopes"> = {}): string {
    const auth = signedIn(this.scope);
    if (!auth) throw new UserNotLoggedInError();
    assertNotImpersonating(this.scope);
    if (this.scope.ctx.now().getTime() - auth.authenticatedAt > this.scope.ctx.config.twoFactor.recentAuthMs)
      throw new ReauthenticationRequiredError();
    return this.start("link", auth.accountId, options.scopes, false);
  }

  /**
   * Waits until this provider can build URLs (OIDC discovery done), at most its `timeout` per attempt.
   * Resolves at once for a provider that needs no preparation.
   * @throws {OAuthProviderError} OAUTH_PROVIDER_ERROR, reason `network` or `bad_response`
   */
  ready(): Promise<void> {
    return this.scope.ctx.config.providers.ready(this.name);
  }

  /** Verifies the callback and returns the provider's profile, without signing in (@prsm/auth's getUserData). */
  getUserData(req: Request = this.scope.req): Promise<OAuthUserData> {
    return this.span("auth.oauth.profile", async () => toOAuthUserData(this.name, (await this.callback(req)).profile));
  }

  /**
   * Completes the flow the callback belongs to: signs in (creating the account on first use) or, for a
   * flow from {@link getLinkUrl}, links the identity. Account status, two-factor (`requireForOAuth`),
   * session regeneration, remember-me and audit apply as for a password sign-in.
   * @throws {OAuthStateError} | {OAuthProviderError} | {OAuthAccountExistsError} | {OAuthEmailRequiredError}
   *   | {UserInactiveError} | {SecondFactorRequiredError}
   */
  handleCallback(req: Request = this.scope.req): Promise<{ isNewUser: boolean }> {
    return this.span("auth.oauth.callback", () => this.completeCallback(req));
  }

  private async completeCallback(req: Request): Promise<{ isNewUser: boolean }> {
    const { flow, profile } = await this.callback(req);
    if (flow.intent === "link") {
      await this.finishLink(flow, profile);
      return { isNewUser: false };
    }
    return signInWith(this.scope, "oauth", { provider: this.name, profile }, { remember: flow.remember, trusted: true });
  }

  /**
   * Completes a flow started with {@link getLinkUrl}: the identity is linked to the signed-in account.
   * @throws {OAuthStateError} not a link flow of this session's account | {OAuthIdentityTakenError}
   */
  link(req: Request = this.scope.req): Promise<{ linked: boolean }> {
    return this.span("auth.oauth.link", async () => {
      const { flow, profile } = await this.callback(req, "link");
      return this.finishLink(flow, profile);
    });
  }

  /**
   * Disconnects this provider from the signed-in account.
   * @throws {UserNotLoggedInError} | {ProviderNotLinkedError} | {LastSignInMethodError}
   */
  async unlink(): Promise<void> {
    const auth = signedIn(this.scope);
    if (!auth) throw new UserNotLoggedInError();
    assertNotImpersonating(this.scope);
    await unlinkProvider(this.scope.ctx, auth.accountId, this.name, requestInfo(this.scope.req));
  }

  private span<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withSpan(this.scope.ctx, name, { "auth.provider": this.name }, fn);
  }

  private start(intent: OAuthFlow["intent"], accountId: number | null, scopes: unknown, remember: boolean): string {
    const requested = Array.isArray(scopes) && scopes.every((s) => typeof s === "string") ? scopes : undefined;
    const state = generateOAuthState();
    const codeVerifier = generateOAuthCodeVerifier();
    const url = this.entry.provider.createAuthorizationUrl(state, codeVerifier, requested);
    rememberFlow(this.scope, { provider: this.name, state, codeVerifier, intent, accountId, remember });
    return url.toString();
  }

  private async callback(
    req: Request,
    intent?: OAuthFlow["intent"],
  ): Promise<{ flow: OAuthFlow; profile: ProviderProfile }> {
    const query = (req.query ?? {}) as Record<string, unknown>;
    // This provider only (OIDC discovery), bounded by its timeout; before the state is claimed, so an
    // outage at the provider does not burn the flow.
    await this.scope.ctx.config.providers.ready(this.name);
    const flow = await claimFlow(this.scope, this.name, query.state);
    if (intent && flow.intent !== intent) throw new OAuthStateError();
    try {
      if (query.error !== undefined) throw callbackError(this.name, query.error);
      const code = query.code;
      if (typeof code !== "string" || code.length === 0 || code.length > MAX_CODE_LENGTH)
        throw new OAuthProviderError(this.name, "bad_response");
      const provider = this.entry.provider;
      const tokens = await provider.exchangeCode(code, flow.codeVerifier);
      const profile = await provider.fetchProfile(tokens, { codeVerifier: flow.codeVerifier, params: query });
      return { flow, profile };
    } catch (err) {
      const reason = err instanceof OAuthProviderError ? err.reason : isAuthError(err) ? err.code : "error";
      await logActivity(this.scope.ctx, {
        accountId: flow.accountId,
        action: AuthActivityAction.FailedLogin,
        success: false,
        metadata: { provider: this.name, reason: `oauth_${reason}` },
        request: requestInfo(this.scope.req),
      });
      throw err;
    }
  }

  private async finishLink(flow: OAuthFlow, profile: ProviderProfile): Promise<{ linked: boolean }> {
    const auth = signedIn(this.scope);
    if (!auth) throw new UserNotLoggedInError();
    if (auth.accountId !== flow.accountId) throw new OAuthStateError();
    const result = await linkToAccount(this.scope.ctx, auth.accountId, this.name, profile, requestInfo(this.scope.req));
    if (result.linked)
      await notifyAccount(this.scope.ctx, {
        type: "provider_linked",
        accountId: auth.accountId,
        email: auth.email,
        details: { provider: this.name },
      });
    return result;
  }
}
