/**
 * The errors under their Auth.js names, as imported from the package entry: `AuthError.type`,
 * `CredentialsSignin.code`, the router's `CsrfError`, and the statuses the router answers with.
 */
import { describe, expect, it } from "vitest";
import {
  AUTH_ERROR_STATUS,
  AuthError,
  CredentialsSignin,
  CsrfError,
  EmailTakenError,
  InvalidPasswordError,
  SecondFactorRequiredError,
  isAuthError,
} from "../../src/index.js";
import { useTestEnv } from "../helpers/setup.js";
import { ADA, account, postJson, restApp } from "./helpers.js";

const env = useTestEnv();

describe("Auth.js error names", () => {
  it("AuthError has a type (the class name) and a stable code", () => {
    const err = new AuthError("boom", "SOME_CODE");
    expect(err).toBeInstanceOf(Error);
    expect(err.type).toBe("AuthError");
    expect(err.code).toBe("SOME_CODE");
    expect(err.name).toBe("AuthError");
    expect(new AuthError("x").code).toBe("AUTH_ERROR");
    const taken = new EmailTakenError();
    expect(taken.type).toBe("EmailTakenError");
    expect(taken).toBeInstanceOf(AuthError);
  });

  it("CredentialsSignin is an AuthError with code 'credentials' and type 'CredentialsSignin'", () => {
    const err = new CredentialsSignin();
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe("credentials");
    expect(err.type).toBe("CredentialsSignin");
    expect(err.name).toBe("CredentialsSignin");
    expect(isAuthError(err)).toBe(true);
    expect(AUTH_ERROR_STATUS[err.code]).toBe(401);
  });

  it("CsrfError is an AuthError with code CSRF_FAILED and status 403", () => {
    for (const reason of ["token", "origin"] as const) {
      const err = new CsrfError(reason);
      expect(err).toBeInstanceOf(AuthError);
      expect(err.code).toBe("CSRF_FAILED");
      expect(err.type).toBe("CsrfError");
    }
    expect(AUTH_ERROR_STATUS.CSRF_FAILED).toBe(403);
  });

  it("isAuthError accepts errors of another copy of the package (code and type) and nothing else", () => {
    const foreign = Object.assign(new Error("x"), { code: "EMAIL_TAKEN", type: "EmailTakenError" });
    expect(isAuthError(foreign)).toBe(true);
    expect(isAuthError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(isAuthError({ code: "X", type: "Y" })).toBe(false);
    expect(isAuthError(null)).toBe(false);
  });

  it("the router answers a wrong password as CredentialsSignin with the library code, status 401", async () => {
    const rest = restApp(env);
    await account(rest);
    const res = await postJson(rest.agent(), "/auth/signin/credentials", { email: ADA, password: "nope nope nope" });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("CredentialsSignin");
    expect(res.body.code).toBe(new InvalidPasswordError().code);
  });

  it("the second-factor error carries the methods the client may use", () => {
    const err = new SecondFactorRequiredError();
    expect(err.code).toBe("SECOND_FACTOR_REQUIRED");
    expect(AUTH_ERROR_STATUS[err.code]).toBe(401);
  });
});
