/**
 * Two-factor through the router: the second step of a sign-in (`POST /auth/two-factor/verify`) and TOTP
 * enrolment (`POST /auth/two-factor/setup/totp[/confirm]`), for JSON clients and browser forms. MF-08:
 * no sign-in path (credentials, OAuth callback, reset, remember-me) reaches a session without the code.
 */
import { describe, expect, it } from "vitest";
import { authSchema } from "../../schema/index.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { githubUser, providersFor, useMockIdp } from "../oauth/helpers.js";
import { codeAt, wrongCode } from "../two-factor/helpers.js";
import {
  ADA,
  type Agent,
  COOKIE,
  type RestApp,
  TWO_FACTOR,
  callbackPath,
  cookiePair,
  enrolTotp,
  getSessionOf,
  pageCsrf,
  pendingAgent,
  postForm,
  postJson,
  restApp,
  sessionOf,
  signedInAgent,
  startOAuth,
  totpAccount,
  withDeadline,
} from "./helpers.js";
import request from "supertest";

const env = useTestEnv();
const mock = useMockIdp();

function app(extra: Parameters<typeof restApp>[1] = {}): RestApp {
  return restApp(env, { ...extra, config: { ...TWO_FACTOR, ...extra.config } });
}

async function expectAnonymous(agent: Agent): Promise<void> {
  expect(await sessionOf(agent)).toBeNull();
  expect(await getSessionOf(agent)).toBeNull();
}

describe("signing in to a TOTP account (MF-08)", () => {
  it("JSON: 401 SECOND_FACTOR_REQUIRED with the two-factor url; no session until the code; then signed in", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const agent = rest.agent();
    const first = await postJson(agent, "/auth/signin/credentials", {
      email: ADA,
      password: PASSWORD,
      callbackUrl: "/after",
    });
    expect(first.status).toBe(401);
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.body).toEqual({
      error: "SECOND_FACTOR_REQUIRED",
      code: "SECOND_FACTOR_REQUIRED",
      message: expect.any(String),
      methods: { totp: true, backupCode: true },
      url: "/auth/two-factor?callbackUrl=%2Fafter",
    });
    expect(JSON.stringify(first.body)).not.toContain(secret);
    await expectAnonymous(agent);

    const done = await postJson(agent, "/auth/two-factor/verify", {
      method: "totp",
      code: codeAt(secret, env.clock.now()),
      callbackUrl: "/after",
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ ok: true, url: "/after" });
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
    expect((await getSessionOf(agent))?.user).toMatchObject({ email: ADA });
  });

  it("form: 303 to the two-factor page, whose form completes the sign-in with a 303 to the callbackUrl", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const agent = rest.agent();
    const first = await postForm(agent, "/auth/signin/credentials", {
      email: ADA,
      password: PASSWORD,
      callbackUrl: "/after",
    });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe("/auth/two-factor?callbackUrl=%2Fafter");
    await expectAnonymous(agent);
    const page = await agent.get(first.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/auth/two-factor/verify"');
    const done = await postForm(agent, "/auth/two-factor/verify", {
      csrfToken: pageCsrf(page.text),
      method: "totp",
      code: codeAt(secret, env.clock.now()),
      callbackUrl: "/after",
    });
    expect(done.status, done.text).toBe(303);
    expect(done.headers.location).toBe("/after");
    expect((await sessionOf(agent))?.user).toMatchObject({ email: ADA });
  });

  it("a wrong code keeps the session pending: JSON 401, form back to the page with ?error=", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const { agent } = await pendingAgent(rest);
    const wrong = wrongCode(secret, env.clock.now());
    const json = await postJson(agent, "/auth/two-factor/verify", { method: "totp", code: wrong });
    expect(json.status).toBe(401);
    expect(json.body.error).toBe("INVALID_TWO_FACTOR_CODE");
    const form = await postForm(agent, "/auth/two-factor/verify", { method: "totp", code: wrong, callbackUrl: "/x" });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/two-factor?error=INVALID_TWO_FACTOR_CODE&callbackUrl=%2Fx");
    await expectAnonymous(agent);
    const ok = await postJson(agent, "/auth/two-factor/verify", { code: codeAt(secret, env.clock.now()) });
    expect(ok.status, ok.text).toBe(200);
  });

  it("a backup code completes the sign-in once", async () => {
    const rest = app();
    const { backupCodes } = await totpAccount(rest, env);
    expect(backupCodes).toHaveLength(10);
    const { agent } = await pendingAgent(rest);
    const ok = await postJson(agent, "/auth/two-factor/verify", { method: "backup_code", code: backupCodes[0] });
    expect(ok.status, ok.text).toBe(200);
    const { agent: again } = await pendingAgent(rest);
    const reuse = await postJson(again, "/auth/two-factor/verify", { method: "backup_code", code: backupCodes[0] });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe("INVALID_BACKUP_CODE");
    await expectAnonymous(again);
  });

  it("an unknown method is 400 INVALID_INPUT; verifying with no sign-in started is a 4xx", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const { agent } = await pendingAgent(rest);
    for (const method of ["password", "TOTP", 1, ["totp"], { totp: true }]) {
      const res = await postJson(agent, "/auth/two-factor/verify", { method, code: codeAt(secret, env.clock.now()) });
      expect(res.status, JSON.stringify(method)).toBe(400);
      expect(res.body.error).toBe("INVALID_INPUT");
    }
    await expectAnonymous(agent);
    const stranger = await postJson(rest.agent(), "/auth/two-factor/verify", { code: "123456" });
    expect(stranger.status).toBe(401);
  });

  it("a pending sign-in expires (5 min): the code is then refused with TWO_FACTOR_EXPIRED", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const { agent } = await pendingAgent(rest);
    env.clock.advance(6 * 60_000);
    const res = await postJson(agent, "/auth/two-factor/verify", { code: codeAt(secret, env.clock.now()) });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("TWO_FACTOR_EXPIRED");
    await expectAnonymous(agent);
  });

  it("remember-me asked at the first step is issued only after the second", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    const agent = rest.agent();
    const first = await postJson(agent, "/auth/signin/credentials", { email: ADA, password: PASSWORD, remember: true });
    expect(first.status).toBe(401);
    expect(cookiePair(first, "remember_token")).toBeUndefined();
    expect(await env.db.db.select().from(authSchema.remembers)).toHaveLength(0);
    const done = await postJson(agent, "/auth/two-factor/verify", { code: codeAt(secret, env.clock.now()) });
    const remember = cookiePair(done, "remember_token");
    expect(remember).toBeDefined();
    // A browser with only that cookie is signed in again by the router (the token was minted after 2FA).
    const returning = withDeadline(request.agent(rest.app));
    const res = await returning.get("/auth/session").set("Cookie", remember!);
    expect(res.body?.user).toMatchObject({ email: ADA });
    expect(cookiePair(res, COOKIE)).toBeDefined();
  });

  it("a password reset neither signs in nor removes the second step", async () => {
    const rest = app();
    const { secret } = await totpAccount(rest, env);
    expect((await postJson(rest.agent(), "/auth/password/forgot", { email: ADA })).status).toBe(200);
    const agent = rest.agent();
    const reset = await postJson(agent, "/auth/password/reset", {
      token: rest.mail.resets[0]!.token,
      password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(200);
    await expectAnonymous(agent);
    const again = await postJson(agent, "/auth/signin/credentials", { email: ADA, password: NEW_PASSWORD });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe("SECOND_FACTOR_REQUIRED");
    await expectAnonymous(agent);
    expect((await postJson(agent, "/auth/two-factor/verify", { code: codeAt(secret, env.clock.now()) })).status).toBe(
      200,
    );
  });

  it("an OAuth sign-in of a TOTP account stops at the second step too (JSON and browser)", async () => {
    githubUser(mock.idp, { id: 31, login: "octo", email: "octo@example.test" });
    const rest = app({ config: { providers: providersFor(mock.idp) } });
    const first = rest.agent();
    const url = await startOAuth(first, "github");
    expect((await first.get(await callbackPath(url, "github")).set("Accept", "text/html")).status).toBe(303);
    const { secret } = await enrolTotp(first, env.clock.now);
    env.clock.advance(30_000);

    const browser = rest.agent();
    const start = await startOAuth(browser, "github", "callbackUrl=%2Fboard");
    const hop = await browser.get(await callbackPath(start, "github")).set("Accept", "text/html");
    expect(hop.status).toBe(303);
    expect(hop.headers.location).toBe("/auth/two-factor?callbackUrl=%2Fboard");
    await expectAnonymous(browser);
    const page = await browser.get(hop.headers.location!);
    const done = await postForm(browser, "/auth/two-factor/verify", {
      csrfToken: pageCsrf(page.text),
      code: codeAt(secret, env.clock.now()),
      callbackUrl: "/board",
    });
    expect(done.headers.location).toBe("/board");
    expect((await sessionOf(browser))?.user).toMatchObject({ email: "octo@example.test" });

    env.clock.advance(30_000);
    const client = rest.agent();
    const jsonStart = await postJson(client, "/auth/signin/github", { callbackUrl: "/api-home" });
    const jsonHop = await client
      .get(await callbackPath(new URL(jsonStart.body.url), "github"))
      .set("Accept", "application/json");
    expect(jsonHop.status).toBe(401);
    expect(jsonHop.body).toMatchObject({
      error: "SECOND_FACTOR_REQUIRED",
      url: "/auth/two-factor?callbackUrl=%2Fapi-home",
    });
    await expectAnonymous(client);
  });
});

describe("TOTP enrolment", () => {
  it("JSON: setup gives secret, otpauth uri and an SVG QR code; confirm gives the backup codes", async () => {
    const rest = app();
    const agent = await signedInAgent(rest);
    const setup = await postJson(agent, "/auth/two-factor/setup/totp");
    expect(setup.status, setup.text).toBe(200);
    expect(setup.headers["cache-control"]).toBe("no-store");
    expect(Object.keys(setup.body).sort()).toEqual(["qrCode", "secret", "uri"]);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(setup.body.uri).searchParams.get("secret")).toBe(setup.body.secret);
    expect(setup.body.qrCode).toMatch(/^<svg/);
    const wrong = await postJson(agent, "/auth/two-factor/setup/totp/confirm", {
      code: wrongCode(setup.body.secret, env.clock.now()),
    });
    expect(wrong.status).toBe(401);
    const done = await postJson(agent, "/auth/two-factor/setup/totp/confirm", {
      code: codeAt(setup.body.secret, env.clock.now()),
    });
    expect(done.status, done.text).toBe(200);
    expect(Object.keys(done.body).sort()).toEqual(["backupCodes", "ok"]);
    expect(done.body.ok).toBe(true);
    expect(done.body.backupCodes).toHaveLength(10);
    for (const c of done.body.backupCodes) expect(typeof c).toBe("string");
    const again = await postJson(agent, "/auth/two-factor/setup/totp");
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("TWO_FACTOR_ALREADY_ENABLED");
  });

  it("forms: setup renders the setup page (QR, secret, confirm form); confirm renders the backup codes", async () => {
    const rest = app();
    const agent = await signedInAgent(rest);
    const start = await agent.get("/auth/two-factor/setup");
    expect(start.status).toBe(200);
    const setup = await postForm(agent, "/auth/two-factor/setup/totp", { csrfToken: pageCsrf(start.text) });
    expect(setup.status, setup.text).toBe(200);
    expect(setup.headers["content-type"]).toMatch(/text\/html/);
    expect(setup.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(setup.headers["cache-control"]).toBe("no-store");
    expect(setup.text).not.toMatch(/<script/i);
    expect(setup.text).toContain("data:image/svg+xml;base64,");
    expect(setup.text).toContain('action="/auth/two-factor/setup/totp/confirm"');
    const secret = /id="totp-secret">([^<]+)</.exec(setup.text)![1]!.replace(/\s+/g, "");
    const confirm = await postForm(agent, "/auth/two-factor/setup/totp/confirm", {
      csrfToken: pageCsrf(setup.text),
      code: codeAt(secret, env.clock.now()),
    });
    expect(confirm.status, confirm.text).toBe(200);
    expect(confirm.headers["content-type"]).toMatch(/text\/html/);
    const methods = await env.db.db.select().from(authSchema.twoFactorMethods);
    expect(methods.filter((m) => m.verified)).toHaveLength(1);
    expect(confirm.text).toMatch(/[A-Za-z0-9]{4,}/);
  });

  it("anonymous and pending sessions cannot enrol: 401 NOT_LOGGED_IN, or back to the setup page", async () => {
    const rest = app();
    const anonymous = await postJson(rest.agent(), "/auth/two-factor/setup/totp");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe("NOT_LOGGED_IN");
    const form = await postForm(rest.agent(), "/auth/two-factor/setup/totp");
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe("/auth/two-factor/setup?error=NOT_LOGGED_IN");
    await totpAccount(rest, env);
    const { agent } = await pendingAgent(rest);
    const pending = await postJson(agent, "/auth/two-factor/setup/totp");
    expect(pending.status).toBe(401);
    expect(await env.db.db.select().from(authSchema.twoFactorMethods)).toHaveLength(1);
  });
});
