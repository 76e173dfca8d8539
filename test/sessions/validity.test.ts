/**
 * The one validity decision, table-driven: every input it looks at (missing or garbage fields, the
 * force-logout counter, status, lifetime, a missing `startedAt`, the impersonation actor's state and
 * expiry). Pure: no database.
 */
import { describe, expect, it } from "vitest";
import { AuthStatus } from "../../src/primitives/status.js";
import type { AuthSession } from "../../src/sessions/state.js";
import { type AccountState, type ValidityInput, decideSession } from "../../src/sessions/validity.js";

const NOW = 1_800_000_000_000;
const RULES = { sessionLifetimeMs: 12 * 3_600_000, resyncMs: 30_000, requireLowerPrivilege: true };

function auth(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    loggedIn: true,
    accountId: 1001,
    userId: "u-1001",
    email: "ada@example.test",
    status: AuthStatus.Normal,
    rolemask: 0,
    remembered: false,
    lastResync: NOW - 1_000,
    lastRememberCheck: NOW - 1_000,
    startedAt: NOW - 60_000,
    forceLogout: 2,
    verified: true,
    hasPassword: true,
    shouldForceLogout: false,
    authenticatedAt: NOW - 60_000,
    ...overrides,
  };
}

function account(overrides: Partial<AccountState> = {}): AccountState {
  return {
    id: 1001,
    email: "ada@example.test",
    status: AuthStatus.Normal,
    rolemask: 0,
    verified: true,
    forceLogout: 2,
    hasPassword: true,
    name: null,
    image: null,
    ...overrides,
  };
}

const ACTOR = { accountId: 1002, userId: "u-1002", email: "admin@example.test", rolemask: 1, forceLogout: 5, reason: null, startedAt: NOW - 10_000, expiresAt: NOW + 60_000, sessionStartedAt: NOW - 60_000, authenticatedAt: NOW - 60_000, remembered: false };
const actorAccount = (o: Partial<AccountState> = {}) => account({ id: 1002, email: "admin@example.test", rolemask: 1, forceLogout: 5, ...o });

function input(a: unknown, accounts?: AccountState[], o: Partial<ValidityInput> = {}): ValidityInput {
  return {
    auth: a,
    now: NOW,
    rules: RULES,
    invalidatedSince: () => false,
    ...(accounts && { accounts: new Map(accounts.map((x) => [x.id, x])) }),
    ...o,
  };
}

describe("decideSession: without reading the account", () => {
  it.each([
    ["no state", undefined, "anonymous"],
    ["null", null, "anonymous"],
    ["a pending second factor", { loggedIn: false, awaitingTwoFactor: {} }, "anonymous"],
    ["a fresh signed-in state", auth(), "valid"],
    ["a string", "signed in", "ended"],
    ["an array", [auth()], "ended"],
    ["loggedIn of another type", auth({ loggedIn: "true" }), "ended"],
    ["accountId missing", auth({ accountId: undefined }), "ended"],
    ["accountId a string", auth({ accountId: "1001" }), "ended"],
    ["accountId zero", auth({ accountId: 0 }), "ended"],
    ["accountId fractional", auth({ accountId: 1.5 }), "ended"],
    ["forceLogout missing", auth({ forceLogout: undefined }), "ended"],
    ["forceLogout negative", auth({ forceLogout: -1 }), "ended"],
    ["status a string", auth({ status: "0" }), "ended"],
    ["rolemask missing", auth({ rolemask: undefined }), "ended"],
    ["startedAt missing", auth({ startedAt: undefined }), "ended"],
    ["startedAt not finite", auth({ startedAt: Number.POSITIVE_INFINITY }), "ended"],
    ["lastResync missing", auth({ lastResync: undefined }), "ended"],
    ["email missing", auth({ email: undefined }), "ended"],
    ["shouldForceLogout of another type", auth({ shouldForceLogout: 1 }), "ended"],
    ["the force-logout flag", auth({ shouldForceLogout: true }), "ended"],
    ["past its lifetime", auth({ startedAt: NOW - RULES.sessionLifetimeMs }), "ended"],
    ["just inside its lifetime", auth({ startedAt: NOW - RULES.sessionLifetimeMs + 1 }), "valid"],
    ["a resync due", auth({ lastResync: NOW - RULES.resyncMs }), "read"],
    ["an actor that is not an object", auth({ actor: "admin" }), "ended"],
    ["an actor without expiresAt", auth({ actor: { ...ACTOR, expiresAt: undefined } }), "ended"],
    ["an actor with a string id", auth({ actor: { ...ACTOR, accountId: "1002" } }), "ended"],
  ])("%s → %s", (_name, state, kind) => {
    expect(decideSession(input(state)).kind).toBe(kind);
  });

  it("gives the reason of each end", () => {
    expect(decideSession(input(auth({ shouldForceLogout: true })))).toMatchObject({ reason: "force_logout_flag" });
    expect(decideSession(input(auth({ startedAt: 0 })))).toMatchObject({ reason: "lifetime" });
    expect(decideSession(input(auth({ accountId: "x" })))).toMatchObject({ reason: "malformed", auth: null });
  });

  it("asks for a read after an invalidation received since the last resync, and when forced", () => {
    const invalidated = input(auth(), undefined, { invalidatedSince: (id, since) => id === 1001 && since === NOW - 1_000 });
    expect(decideSession(invalidated)).toMatchObject({ kind: "read", accountIds: [1001] });
    expect(decideSession(input(auth(), undefined, { force: true })).kind).toBe("read");
    const other = input(auth(), undefined, { invalidatedSince: (id) => id === 9999 });
    expect(decideSession(other).kind).toBe("valid");
  });

  it("without a lifetime rule, an old session stays valid", () => {
    const rules = { ...RULES, sessionLifetimeMs: null };
    expect(decideSession(input(auth({ startedAt: 0 }), undefined, { rules })).kind).toBe("valid");
  });
});

describe("decideSession: with the account as read now", () => {
  it.each([
    ["gone", [], "ended", "account_gone"],
    ["banned", [account({ status: AuthStatus.Banned })], "ended", "account_inactive"],
    ["locked", [account({ status: AuthStatus.Locked })], "ended", "account_inactive"],
    ["force-logout counter moved on", [account({ forceLogout: 3 })], "ended", "force_logout"],
    ["force-logout counter equal", [account()], "refresh", undefined],
    ["force-logout counter behind (restored backup)", [account({ forceLogout: 1 })], "refresh", undefined],
    ["another account's row only", [account({ id: 1003 })], "ended", "account_gone"],
  ])("%s → %s", (_name, rows, kind, reason) => {
    const result = decideSession(input(auth({ lastResync: 0 }), rows as AccountState[]));
    expect(result.kind).toBe(kind);
    if (reason) expect(result).toMatchObject({ reason });
  });

  it("refreshes the stored fields from the row, and the resync time", () => {
    const row = account({ email: "new@example.test", rolemask: 4, verified: false, hasPassword: false, name: "Ada", image: "https://x.test/a.png" });
    const result = decideSession(input(auth(), [row]));
    expect(result).toMatchObject({
      kind: "refresh",
      fields: { email: "new@example.test", rolemask: 4, verified: false, hasPassword: false, name: "Ada", image: "https://x.test/a.png", lastResync: NOW },
    });
  });

  it("ends on the stored state first: a malformed state is not rescued by a good row", () => {
    expect(decideSession(input(auth({ startedAt: undefined }), [account()])).kind).toBe("ended");
  });
});

describe("decideSession: impersonation", () => {
  const impersonating = (o: Record<string, unknown> = {}) => auth({ rolemask: 0, actor: ACTOR, ...o });

  it("ends the impersonation at its expiry without a read", () => {
    const state = impersonating({ actor: { ...ACTOR, expiresAt: NOW } });
    expect(decideSession(input(state))).toMatchObject({ kind: "impersonation_ended", reason: "expired" });
  });

  it("reads both accounts when due, and on an invalidation of either", () => {
    expect(decideSession(input(impersonating({ lastResync: 0 })))).toMatchObject({ kind: "read", accountIds: [1002, 1001] });
    const actorInvalidated = input(impersonating(), undefined, { invalidatedSince: (id) => id === 1002 });
    expect(decideSession(actorInvalidated).kind).toBe("read");
    expect(decideSession(input(impersonating())).kind).toBe("valid");
  });

  it.each([
    ["actor gone", [account()], "ended", "actor_inactive"],
    ["actor banned", [account(), actorAccount({ status: AuthStatus.Banned })], "ended", "actor_inactive"],
    ["actor force-logged-out", [account(), actorAccount({ forceLogout: 6 })], "ended", "actor_inactive"],
    ["target gone", [actorAccount()], "impersonation_ended", "target_gone"],
    ["target suspended", [account({ status: AuthStatus.Suspended }), actorAccount()], "impersonation_ended", "target_inactive"],
    ["actor demoted", [account(), actorAccount({ rolemask: 0 })], "impersonation_ended", "actor_demoted"],
    ["target force-logged-out (the session is the actor's)", [account({ forceLogout: 9 }), actorAccount()], "refresh", undefined],
    ["both fine", [account(), actorAccount()], "refresh", undefined],
  ])("%s → %s", (_name, rows, kind, reason) => {
    const result = decideSession(input(impersonating(), rows as AccountState[]));
    expect(result.kind).toBe(kind);
    if (reason) expect(result).toMatchObject({ reason });
  });

  it("a demoted actor is fine when the lower-privilege rule is off", () => {
    const rules = { ...RULES, requireLowerPrivilege: false };
    const result = decideSession(input(impersonating(), [account(), actorAccount({ rolemask: 0 })], { rules }));
    expect(result.kind).toBe("refresh");
  });

  it("the lifetime of the session ends it whole, with the actor in the answer", () => {
    const result = decideSession(input(impersonating({ startedAt: 0 })));
    expect(result).toMatchObject({ kind: "ended", reason: "lifetime" });
    expect((result as { auth: AuthSession }).auth.actor?.accountId).toBe(1002);
  });
});
