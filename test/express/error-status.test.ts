/**
 * The one error-to-status map (`AUTH_ERROR_STATUS` in src/errors.ts): every error class's code has a
 * status and the map holds no code that no class uses (checked by the compiler and again at runtime), no
 * library file builds a bare `AuthError` around the classes, both HTTP surfaces answer with the map's
 * status and `{ error: code, message }`, and docs/errors.md lists every code with the same status.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type express from "express";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as errors from "../../src/errors.js";
import {
  AUTH_ERROR_CODES,
  AUTH_ERROR_STATUS,
  AuthError,
  type AuthErrorCode,
  FAILURE_STATUS,
  InvalidPasswordError,
  RateLimitedError,
  SecondFactorRequiredError,
  authErrorStatus,
  isAuthError,
  isAuthErrorCode,
} from "../../src/errors.js";
import { errorAnswer } from "../../src/express/error-handler.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { ADA, account, postJson, restApp } from "../rest/helpers.js";

const env = useTestEnv();
const root = process.cwd();

type ErrorClass = new (...args: never[]) => AuthError;

/** Every error class src/errors.ts exports, by export name (AuthError itself included). */
const CLASSES: [string, ErrorClass][] = (Object.entries(errors) as [string, unknown][]).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === "function" && (entry[1] === AuthError || entry[1].prototype instanceof AuthError),
);

/** Constructor arguments of the classes that need some; the others are built with none. */
const ARGS: Record<string, unknown[][]> = {
  InvalidPasswordError: [[], ["too_short"]],
  RateLimitedError: [[30]],
  InvalidInputError: [["email"]],
  AuthConfigError: [["secret must be a string"]],
  OAuthProviderError: [["github", "network"]],
  CsrfError: [["token"], ["origin"]],
  SecondFactorRequiredError: [[{ totp: true }, [1]]],
};

/** One instance per class (per variant, for classes with two codes). */
function instances(): AuthError[] {
  return CLASSES.flatMap(([name, Cls]) =>
    (ARGS[name] ?? [[]]).map((args) => new (Cls as new (...a: unknown[]) => AuthError)(...args)),
  );
}

// The codes the exported classes carry, as the compiler sees them (the base class's is any string).
type Exports = typeof errors;
type CodeOf<T> = T extends abstract new (...args: never[]) => infer I ? (I extends { code: infer C } ? C : never) : never;
type ClassKeys = Exclude<keyof Exports, "AuthError">;
type ClassCode = { [K in ClassKeys]: CodeOf<Exports[K]> }[ClassKeys];

describe("the error codes and their statuses", () => {
  it("the union of the classes' codes is exactly AuthErrorCode (compile time)", () => {
    // A class without a literal `code` would widen this to `string`, and fail.
    expectTypeOf<ClassCode | "AUTH_ERROR">().toEqualTypeOf<AuthErrorCode>();
    expectTypeOf(AUTH_ERROR_STATUS.EMAIL_TAKEN).toEqualTypeOf<number>();
    expectTypeOf(new InvalidPasswordError().code).toEqualTypeOf<"INVALID_CREDENTIALS" | "INVALID_PASSWORD">();
  });

  it("every exported error class has a code with a status in the map", () => {
    expect(CLASSES.length).toBeGreaterThan(40);
    for (const err of instances()) {
      expect(isAuthError(err), err.name).toBe(true);
      expect(isAuthErrorCode(err.code), `${err.name} has code ${err.code}, not in AUTH_ERROR_STATUS`).toBe(true);
      expect(AUTH_ERROR_STATUS[err.code], err.name).toEqual(expect.any(Number));
    }
  });

  it("the map has no code that no class uses, and AUTH_ERROR_CODES lists the same codes", () => {
    const used = [...new Set(instances().map((err) => err.code))].sort();
    expect(Object.keys(AUTH_ERROR_STATUS).sort()).toEqual(used);
    expect([...AUTH_ERROR_CODES].sort()).toEqual(used);
    expect(new Set(AUTH_ERROR_CODES).size).toBe(AUTH_ERROR_CODES.length);
  });

  it("every status is a 4xx or 5xx; 423 is not used; only setup errors are 5xx", () => {
    for (const [code, status] of Object.entries(AUTH_ERROR_STATUS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(status, code).not.toBe(423);
    }
    expect(Object.keys(AUTH_ERROR_STATUS).filter((code) => AUTH_ERROR_STATUS[code]! >= 500).sort()).toEqual([
      "INVALID_CONFIG",
      "SESSION_MISSING",
    ]);
  });

  it("a code that is not the library's (an app's own AuthError) is 400; the map is frozen", () => {
    expect(authErrorStatus("MY_APP_CODE")).toBe(400);
    expect(authErrorStatus("toString")).toBe(400);
    expect(authErrorStatus("EMAIL_TAKEN")).toBe(409);
    expect(Object.isFrozen(AUTH_ERROR_STATUS)).toBe(true);
    expect(errorAnswer(new AuthError("app", "MY_APP_CODE")).status).toBe(400);
  });

  it("errors that are not AuthErrors: a lost database is 503, anything else 500", () => {
    const lost = errorAnswer(Object.assign(new Error("x"), { code: "ECONNREFUSED" }));
    expect(lost).toMatchObject({ status: FAILURE_STATUS.DATABASE_UNAVAILABLE, body: { error: "DATABASE_UNAVAILABLE" } });
    expect(FAILURE_STATUS.DATABASE_UNAVAILABLE).toBe(503);
    expect(errorAnswer(new TypeError("bug"))).toMatchObject({ status: 500, body: { error: "INTERNAL_ERROR" } });
  });

  it("no library file outside src/errors.ts defines an AuthError subclass or builds a bare AuthError", () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && path !== join(root, "src", "errors.ts")) {
          const text = readFileSync(path, "utf8");
          if (/new AuthError\(|extends AuthError\b/.test(text)) offenders.push(path.slice(root.length + 1));
        }
      }
    };
    walk(join(root, "src"));
    expect(offenders).toEqual([]);
  });
});

describe("over HTTP: the mapped status and { error: code, message }", () => {
  /** The test app with `POST /throw/:index`, which passes instance `index` to the error handler. */
  function throwingApp() {
    const all = instances();
    const t = createTestApp(env.config(), {
      routes: (app: express.Express) => {
        app.post("/throw/:index", (req, _res, next) => next(all[Number(req.params.index)]));
      },
    });
    return { t, all };
  }

  it("authErrorHandler answers every error class with its mapped status, never a 500 below it", async () => {
    const { t, all } = throwingApp();
    const agent = t.agent();
    for (const [index, err] of all.entries()) {
      const res = await agent.post(`/throw/${index}`).send({});
      const status = AUTH_ERROR_STATUS[err.code]!;
      expect(res.status, `${err.name} ${err.code}`).toBe(status);
      const body: Record<string, unknown> = { error: err.code, message: status >= 500 ? "Internal error" : err.message };
      if (err instanceof SecondFactorRequiredError) body.methods = err.availableMethods;
      expect(res.body, err.name).toEqual(body);
      if (err instanceof RateLimitedError) expect(res.headers["retry-after"]).toBe(String(err.retryAfter));
    }
    // Only the 5xx setup errors are "unexpected" (logged).
    expect((t.errors as AuthError[]).map((err) => err.code).sort()).toEqual(["INVALID_CONFIG", "SESSION_MISSING"]);
  });

  it("real requests: a taken email is 409, a wrong password 401, a signed-out change 401", async () => {
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD }).expect(200);
    const taken = await agent.post("/register").send({ email: "alice@example.test", password: PASSWORD });
    expect(taken.status).toBe(AUTH_ERROR_STATUS.EMAIL_TAKEN);
    expect(taken.body).toEqual({ error: "EMAIL_TAKEN", message: "Email address is already in use" });
    const wrong = await agent.post("/login").send({ email: "alice@example.test", password: "not the password" });
    expect(wrong.status).toBe(AUTH_ERROR_STATUS.INVALID_CREDENTIALS);
    expect(wrong.body).toEqual({ error: "INVALID_CREDENTIALS", message: "Invalid password" });
    const signedOut = await agent.post("/call/changePassword").send({ args: [PASSWORD, "a brand new passphrase"] });
    expect(signedOut.status).toBe(AUTH_ERROR_STATUS.NOT_LOGGED_IN);
    expect(signedOut.body).toMatchObject({ error: "NOT_LOGGED_IN", message: expect.any(String) });
    expect(t.errors).toEqual([]);
  });

  it("the REST router answers with the same map", async () => {
    const rest = restApp(env, { noMail: true });
    await account(rest);
    const agent = rest.agent();
    const wrong = await postJson(agent, "/auth/signin/credentials", { email: ADA, password: "nope nope nope" });
    expect(wrong.status).toBe(AUTH_ERROR_STATUS.INVALID_CREDENTIALS);
    expect(wrong.body).toMatchObject({ error: "CredentialsSignin", code: "INVALID_CREDENTIALS" });
    const csrf = await postJson(agent, "/auth/signout", { csrfToken: "forged" });
    expect(csrf.status).toBe(AUTH_ERROR_STATUS.CSRF_FAILED);
    expect(csrf.body).toMatchObject({ error: "CSRF_FAILED", code: "CSRF_FAILED", message: expect.any(String) });
    const provider = await agent.get("/auth/signin/nope").set("Accept", "application/json");
    expect(provider.status).toBe(AUTH_ERROR_STATUS.UNKNOWN_PROVIDER);
    expect(provider.body).toMatchObject({ error: "UNKNOWN_PROVIDER", code: "UNKNOWN_PROVIDER" });
    const forgot = await postJson(agent, "/auth/password/forgot", { email: ADA });
    expect(forgot.status).toBe(AUTH_ERROR_STATUS.NOT_CONFIGURED);
    expect(forgot.body).toMatchObject({ error: "NOT_CONFIGURED", code: "NOT_CONFIGURED" });
    // A body the parser refused keeps the parser's 4xx, as with authErrorHandler.
    const malformed = await agent.post("/auth/signout").set("Content-Type", "application/json").send("{nope");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: "BAD_REQUEST", message: "Malformed request" });
  });
});

describe("docs/errors.md", () => {
  it("lists every code with the status of the map", () => {
    const doc = readFileSync(join(root, "docs", "errors.md"), "utf8");
    const listed: Record<string, number> = {};
    for (const match of doc.matchAll(/^\| `(\w+)` \| `(\w+)` \| (\d{3}) \|/gm)) {
      const [, className, code, status] = match;
      expect(CLASSES.map(([name]) => name), `docs/errors.md names an unknown class ${className}`).toContain(
        className,
      );
      listed[code!] = Number(status);
    }
    expect(listed).toEqual({ ...AUTH_ERROR_STATUS });
  });
});
