/**
 * express-drizzle-auth: PostgreSQL-backed authentication for Express, built on Drizzle ORM.
 * Public exports only; see docs/ for guides.
 */
import "./express/augment.js";

export { createAuthSchema, authSchema, type AuthTables } from "../schema/index.js";
export type { AuthConfig, AuthCookieOptions, ExternalLimiter, LimiterResult, ResolvedAuthConfig } from "./config.js";
export { resolveAuthConfig } from "./config.js";
export * from "./errors.js";
export type { AnyPgDatabase, DatabaseInput } from "./primitives/database.js";
export type { AccountIdentifier, AuthAccount } from "./core/accounts.js";
export type { RequestInfo } from "./core/context.js";
export type { Duration } from "./primitives/duration.js";
export type { SessionInfo } from "./core/session-records.js";
export type { CleanupResult, AuthTableStats } from "./core/maintenance.js";
export type { TokenCallback } from "./core/input.js";
export { UserIdTakenError } from "./core/registration.js";
export { AuthRole, defineRoles, type RoleSet } from "./primitives/roles.js";
export { AuthStatus, type AuthStatusValue } from "./primitives/status.js";
export { AuthActivityAction, type AuthActivityActionType, TwoFactorMechanism } from "./core/activity-actions.js";
export { isValidEmail, validateEmail, canonicalizeEmail } from "./core/email.js";
export { createAuthTables, dropAuthTables } from "./core/migrations.js";
export { cleanupExpiredTokens, getAuthTableStats, pruneActivityLog } from "./core/maintenance.js";
export { createAuthContext } from "./admin/create-auth-context.js";
export type { AdminContext, AdminContextOptions } from "./admin/admin-context.js";
export type { AdminActor } from "./admin/actor.js";
export type { AccountList, AdminAccount, ListAccountsOptions } from "./admin/account-list.js";
export type { TwoFactorMethodInfo } from "./admin/account-details.js";
export type { ActivityRecord, ActivityStats } from "./admin/activity-report.js";
export { authenticateRequest, type AuthenticateRequestOptions } from "./admin/authenticate-request.js";
export {
  register,
  createUser,
  deleteUserBy,
  addRoleForUserBy,
  removeRoleForUserBy,
  hasRoleForUserBy,
  changePasswordForUserBy,
  setStatusForUserBy,
  initiatePasswordResetForUserBy,
  resetPassword,
  confirmResetPassword,
  userExistsByEmail,
  forceLogoutForUserBy,
  addRoleToUser,
  removeRoleFromUser,
  setUserRoles,
  getUserRoles,
} from "./standalone.js";
export { createAuthMiddleware } from "./express/middleware.js";
export { AuthManager } from "./express/auth-manager.js";
export type { AuthSession } from "./sessions/state.js";
export type { TwoFactorOptions, TwoFactorDelivery } from "./options/two-factor.js";
export type { AuthNotification, AuthNotificationType } from "./primitives/notification.js";
export type { PendingTwoFactor } from "./two-factor/challenge.js";
export { TwoFactorManager } from "./express/two-factor-manager.js";
export { createSessionStore, DrizzleSessionStore, type SessionStoreOptions } from "./express/session-store.js";
export { authErrorHandler, AUTH_ERROR_STATUS, describeError } from "./express/error-handler.js";
export { ProviderHandle, type AuthUrlOptions } from "./express/provider-handle.js";
export type { OAuthUserData } from "./providers/user-data.js";
export type { LinkedProvider } from "./oauth/identities.js";
export type {
  KeyedProvidersConfig,
  NamedOAuth2ProviderConfig,
  NamedOidcProviderConfig,
  ProviderInput,
  ProviderPolicy,
  ProvidersConfig,
} from "./providers/registry.js";
export {
  OAuthProviderError,
  type OAuthProviderErrorReason,
  type OAuthProvider,
  type ProviderProfile,
  type ProviderTokens,
  type GitHubProviderOptions,
  type GoogleProviderOptions,
  type EntraIdProviderOptions,
  type OidcProviderOptions,
} from "./providers/index.js";
export type { AuthTracer, SpanAttributes } from "./tracing/tracer.js";
export type { RateLimitOptions, RateLimitRule } from "./rate-limit/options.js";
export { clientBucket } from "./rate-limit/client-ip.js";
export { closeAuth } from "./core/context.js";
export {
  closeInvalidationListeners,
  getInvalidationStatus,
  onInvalidation,
  type InvalidationStatus,
} from "./core/invalidation-status.js";
export type { InvalidationOptions } from "./invalidation/options.js";
export type { InvalidationKind } from "./invalidation/payload.js";
export type { InvalidationEvent } from "./invalidation/hub.js";
export type { ListenerState as InvalidationState } from "./invalidation/listener.js";
export { ExpressAuth, createAuthRouter } from "./rest/router.js";
export { getSession, type AuthJsSession } from "./rest/session-view.js";
export type { ExpressAuthConfig, AuthLink } from "./rest/options.js";
export { CsrfError } from "./rest/csrf.js";
export { safeRedirect } from "./rest/redirects.js";
export type { PagesOptions, PageStrings } from "./rest/pages/index.js";
export type { ImpersonationOptions } from "./impersonation/options.js";
export type { ImpersonationInfo, ImpersonationParty, ImpersonationEnd } from "./express/impersonation.js";
