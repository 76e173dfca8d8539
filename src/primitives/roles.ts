/** The built-in role set: name → bit (same values as @prsm/auth). */
export const AuthRole = Object.freeze({
  Admin: 1,
  Author: 2,
  Collaborator: 4,
  Consultant: 8,
  Consumer: 16,
  Contributor: 32,
  Owner: 64,
  Creator: 128,
  Developer: 256,
  Director: 512,
  Editor: 1024,
  Employee: 2048,
  Member: 4096,
  Manager: 8192,
  Moderator: 16384,
  Publisher: 32768,
  Reviewer: 65536,
  Subscriber: 131072,
  SuperAdmin: 262144,
  SuperEditor: 524288,
  SuperModerator: 1048576,
  Translator: 2097152,
} as const);

/** A role set: name → single bit. */
export type RoleSet = Readonly<Record<string, number>>;

/**
 * Defines a custom role set: each name gets `1 << index` in argument order. Never reorder names once
 * masks are stored. `isAdmin()` checks a role named `admin`/`Admin`; a set without one has no admin role
 * unless `adminRole` is configured.
 * @example
 * export const Roles = defineRoles("owner", "editor", "viewer") // { owner: 1, editor: 2, viewer: 4 }
 */
export function defineRoles<K extends string>(...names: K[]): Readonly<Record<K, number>> {
  if (names.length === 0) throw new Error("At least one role name is required");
  if (names.length > 31) throw new Error("Cannot define more than 31 roles (postgres INTEGER is 32-bit signed)");
  const roles = {} as Record<K, number>;
  names.forEach((name, i) => {
    if (typeof name !== "string" || name.length === 0) throw new Error("Role names must be non-empty strings");
    if (name in roles) throw new Error(`Duplicate role name: ${name}`);
    roles[name] = 1 << i;
  });
  return Object.freeze(roles);
}

/** Names of every role whose bit is set in `mask`. */
export function roleNames(roles: RoleSet, mask: number): string[] {
  return Object.entries(roles)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => name);
}

/** True when every bit of `role` is set in `mask`. A role of 0 (no bits) is never held. */
export function maskHasRole(mask: number, role: number): boolean {
  // Only numbers: anything else (a deeply nested array from a request body, say) would be coerced.
  return typeof role === "number" && role !== 0 && (mask & role) === role;
}

/**
 * The admin bit of a role set: `Admin`/`admin` when present, else the built-in Admin bit for the
 * built-in set. A custom set without an admin role has none (0), so `isAdmin()` is false.
 */
export function adminBit(roles: RoleSet): number {
  return roles.Admin ?? roles.admin ?? roles.ADMIN ?? 0;
}

/** Checks a role argument: a positive 31-bit integer mask. */
export function isRoleMask(role: unknown): role is number {
  return typeof role === "number" && Number.isInteger(role) && role > 0 && role <= 0x7fffffff;
}
