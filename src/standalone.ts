/**
 * The requestless API: the same operations as `req.auth`'s admin helpers, taking `config` first
 * (@prsm/auth's auth-functions). For scripts, workers and admin tools.
 */
import type { AuthConfig } from "./config.js";
import { type AccountIdentifier, type AuthAccount, requireAccount } from "./core/accounts.js";
import {
  accountExistsByEmail,
  accountHasRole,
  changeRoles,
  deleteAccount,
  forceLogout,
  issueResetBy,
  setPasswordBy,
  setRoles,
  setStatus,
} from "./core/admin.js";
import { type RequestInfo, getAuthContext } from "./core/context.js";
import { completePasswordReset, requestPasswordReset } from "./core/password-reset.js";
import { type TokenCallback, callbackArg } from "./core/input.js";
import { registerWithCallback } from "./core/registration.js";
import { InvalidInputError } from "./errors.js";

/** Registers an account. With a callback it starts unverified and the callback receives the confirmation token. */
export async function register(
  config: AuthConfig,
  email: string,
  password: string,
  userId?: string | number,
  callback?: TokenCallback,
  request?: RequestInfo,
): Promise<AuthAccount> {
  return registerWithCallback(await getAuthContext(config), { email, password, userId, callback, request });
}

/** Creates an account from `{ email, password }` (admin form of {@link register}). */
export async function createUser(
  config: AuthConfig,
  credentials: { email: string; password: string },
  userId?: string | number,
  callback?: TokenCallback,
  request?: RequestInfo,
): Promise<AuthAccount> {
  if (typeof credentials !== "object" || credentials === null)
    throw new InvalidInputError("credentials", "credentials must be { email, password }");
  return register(config, credentials.email, credentials.password, userId, callback, request);
}

/** Deletes an account; its sessions and tokens go with it, its audit history stays. */
export async function deleteUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  request?: RequestInfo,
): Promise<void> {
  await deleteAccount(await getAuthContext(config), identifier, request);
}

/** Adds role bits to an account. */
export async function addRoleForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  role: number,
  request?: RequestInfo,
): Promise<void> {
  await changeRoles(await getAuthContext(config), identifier, role, true, request);
}

/** Removes role bits from an account. */
export async function removeRoleForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  role: number,
  request?: RequestInfo,
): Promise<void> {
  await changeRoles(await getAuthContext(config), identifier, role, false, request);
}

/** True when the account holds every bit of `role`. */
export async function hasRoleForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  role: number,
): Promise<boolean> {
  return accountHasRole(await getAuthContext(config), identifier, role);
}

/** Replaces an account's role mask. */
export async function setUserRoles(
  config: AuthConfig,
  identifier: AccountIdentifier,
  rolemask: number,
  request?: RequestInfo,
): Promise<void> {
  await setRoles(await getAuthContext(config), identifier, rolemask, request);
}

/** The role mask of an account. */
export async function getUserRoles(config: AuthConfig, identifier: AccountIdentifier): Promise<number> {
  return (await requireAccount(await getAuthContext(config), identifier)).rolemask;
}

/** Sets a password as an admin: policy checked, every session and remember-me token of the account revoked. */
export async function changePasswordForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  password: string,
  request?: RequestInfo,
): Promise<void> {
  await setPasswordBy(await getAuthContext(config), identifier, password, request);
}

/** Sets an account's status; any status but Normal ends its sessions and remember-me tokens at once. */
export async function setStatusForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  status: number,
  request?: RequestInfo,
): Promise<void> {
  await setStatus(await getAuthContext(config), identifier, status, request);
}

/** Issues a reset token for an account (verified and resettable, within the open-request limit). */
export async function initiatePasswordResetForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  expiresAfter?: string | number | null,
  callback?: TokenCallback,
  request?: RequestInfo,
): Promise<void> {
  const cb = callbackArg(callback);
  const token = await issueResetBy(await getAuthContext(config), identifier, expiresAfter, request);
  if (cb) await cb(token);
}

/** Issues a reset token for a verified account by email. */
export async function resetPassword(
  config: AuthConfig,
  email: string,
  expiresAfter?: string | number | null,
  maxOpenRequests?: number | null,
  callback?: TokenCallback,
  request?: RequestInfo,
): Promise<void> {
  const cb = callbackArg(callback);
  const token = await requestPasswordReset(await getAuthContext(config), email, expiresAfter, maxOpenRequests, request);
  if (cb) await cb(token);
}

/** Sets a new password with a reset token; revokes every session and remember-me token of the account. */
export async function confirmResetPassword(
  config: AuthConfig,
  token: string,
  password: string,
  request?: RequestInfo,
): Promise<{ accountId: number; email: string }> {
  return completePasswordReset(await getAuthContext(config), token, password, { logout: true, request });
}

/** True when an account uses this email (canonical comparison). */
export async function userExistsByEmail(config: AuthConfig, email: string): Promise<boolean> {
  return accountExistsByEmail(await getAuthContext(config), email);
}

/** Ends every session and remember-me token of an account, on every instance. */
export async function forceLogoutForUserBy(
  config: AuthConfig,
  identifier: AccountIdentifier,
  request?: RequestInfo,
): Promise<{ accountId: number }> {
  return forceLogout(await getAuthContext(config), identifier, request);
}

/** Adds role bits (@prsm/auth user-roles name). */
export const addRoleToUser = addRoleForUserBy;
/** Removes role bits (@prsm/auth user-roles name). */
export const removeRoleFromUser = removeRoleForUserBy;
