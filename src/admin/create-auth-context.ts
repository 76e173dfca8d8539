import { type AuthConfig, resolveAuthConfig } from "../config.js";
import { TwoFactorMechanism } from "../core/activity-actions.js";
import { type AuthContext, type RequestInfo, getAuthContext } from "../core/context.js";
import { getAuthTableStats } from "../core/maintenance.js";
import { AuthStatus } from "../primitives/status.js";
import * as standalone from "../standalone.js";
import {
  getAdminAccount,
  getLinkedProviders,
  getTwoFactorMethodInfo,
  removeAccountTwoFactorMethod,
} from "./account-details.js";
import { listAccounts } from "./account-list.js";
import { listSessionsOf, revokeSessionByHandle } from "./account-sessions.js";
import { activityStats, recentActivity } from "./activity-report.js";
import { type AdminActor, actorRequestInfo, assertActorExists } from "./actor.js";
import type { AdminContext, AdminContextOptions } from "./admin-context.js";

/**
 * Creates the requestless admin context for a config. The config is validated now; the database is
 * reached on the first call. With `options.actor`, every audit row written through the context records
 * the actor's account id, IP and user agent; an actor id that matches no account fails the first
 * mutation with `INVALID_INPUT`. The context does not check the actor's roles: authorise before calling.
 * @throws {AuthConfigError} INVALID_CONFIG | {InvalidInputError} INVALID_INPUT for a malformed actor
 * @example
 * const admin = createAuthContext(authConfig, { actor: { accountId: req.auth.getId()!, ip: req.ip } })
 * const { accounts, total } = await admin.listAccounts({ search: "ali", limit: 20 })
 */
export function createAuthContext(config: AuthConfig, options: AdminContextOptions = {}): AdminContext {
  const resolved = resolveAuthConfig(config);
  const request = actorRequestInfo(options?.actor);
  const actor: AdminActor | null =
    request === undefined
      ? null
      : Object.freeze({
          accountId: request.actorAccountId ?? null,
          ip: request.ip ?? null,
          userAgent: request.userAgent ?? null,
        });
  let actorChecked: Promise<void> | undefined;

  const ctx = (): Promise<AuthContext> => getAuthContext(config);
  /** The audit fields for a mutation, once the actor is known to exist. */
  const audit = async (): Promise<RequestInfo | undefined> => {
    const id = request?.actorAccountId;
    if (id === null || id === undefined) return request;
    actorChecked ??= ctx()
      .then((c) => assertActorExists(c, id))
      .catch((err: unknown) => {
        actorChecked = undefined;
        throw err;
      });
    await actorChecked;
    return request;
  };

  return Object.freeze({
    actor,
    createUser: async (credentials, userId, callback) =>
      standalone.createUser(config, credentials, userId, callback, await audit()),
    register: async (email, password, userId, callback) =>
      standalone.register(config, email, password, userId, callback, await audit()),
    deleteUserBy: async (identifier) => standalone.deleteUserBy(config, identifier, await audit()),
    addRoleForUserBy: async (identifier, role) => standalone.addRoleForUserBy(config, identifier, role, await audit()),
    removeRoleForUserBy: async (identifier, role) =>
      standalone.removeRoleForUserBy(config, identifier, role, await audit()),
    hasRoleForUserBy: (identifier, role) => standalone.hasRoleForUserBy(config, identifier, role),
    changePasswordForUserBy: async (identifier, password) =>
      standalone.changePasswordForUserBy(config, identifier, password, await audit()),
    setStatusForUserBy: async (identifier, status) =>
      standalone.setStatusForUserBy(config, identifier, status, await audit()),
    initiatePasswordResetForUserBy: async (identifier, expiresAfter, callback) =>
      standalone.initiatePasswordResetForUserBy(config, identifier, expiresAfter, callback, await audit()),
    resetPassword: async (email, expiresAfter, maxOpenRequests, callback) =>
      standalone.resetPassword(config, email, expiresAfter, maxOpenRequests, callback, await audit()),
    confirmResetPassword: async (token, password) =>
      standalone.confirmResetPassword(config, token, password, await audit()),
    userExistsByEmail: (email) => standalone.userExistsByEmail(config, email),
    forceLogoutForUserBy: async (identifier) => standalone.forceLogoutForUserBy(config, identifier, await audit()),

    removeTwoFactorMethod: async (identifier, methodId) =>
      removeAccountTwoFactorMethod(await ctx(), identifier, methodId, await audit()),
    listAccounts: async (listOptions) => listAccounts(await ctx(), listOptions),
    getAccount: async (identifier) => getAdminAccount(await ctx(), identifier),
    getProvidersForAccount: async (accountId) => getLinkedProviders(await ctx(), accountId),
    getTwoFactorMethods: async (accountId) => getTwoFactorMethodInfo(await ctx(), accountId),
    getRoles: () => resolved.roles,
    getStatuses: () => AuthStatus,
    getMechanisms: () => TwoFactorMechanism,
    getStats: () => getAuthTableStats(config),
    getRecentActivity: async (limit, accountId) => recentActivity(await ctx(), limit ?? 100, accountId),
    getActivityStats: async () => activityStats(await ctx()),
    listSessions: async (identifier) => listSessionsOf(await ctx(), identifier),
    revokeSession: async (id) => revokeSessionByHandle(await ctx(), id, await audit()),
  } satisfies AdminContext);
}
