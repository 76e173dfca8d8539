import { trace, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthTracer, SpanAttributes } from "../../src/tracing/tracer.js";
import { resolveAuthConfig } from "../../src/config.js";
import { createTestApp } from "../helpers/app.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";
import { githubUser, oauthApp, providersFor, signInWith } from "../oauth/helpers.js";
import { startMockIdp, type MockIdp } from "../providers/mock-idp.js";
import { ALICE, call, codeAt, startLogin, totpAccount, twoFactorApp } from "../two-factor/helpers.js";

const env = useTestEnv();

/** A duck-typed tracer that records every span and its outcome. */
function recorder() {
  const spans: { name: string; attributes: SpanAttributes; error: unknown }[] = [];
  const tracer: AuthTracer = {
    async span(name, attributes, fn) {
      const entry = { name, attributes, error: null as unknown };
      spans.push(entry);
      try {
        return await fn();
      } catch (err) {
        entry.error = err;
        throw err;
      }
    },
  };
  return { tracer, spans, names: () => spans.map((s) => s.name) };
}

/** No attribute carries personal data: no address, no password, no code. */
function expectNoPersonalData(spans: { attributes: SpanAttributes }[]) {
  const text = JSON.stringify(spans.map((s) => s.attributes));
  expect(text).not.toContain("@");
  expect(text).not.toContain(PASSWORD);
}

let idp: MockIdp;
beforeAll(async () => {
  idp = await startMockIdp();
});
afterAll(() => idp.close());

describe("tracing with the @prsm/auth duck type", () => {
  it("login and register run in spans whose attributes hold no email or password", async () => {
    const rec = recorder();
    const t = createTestApp(env.config({ tracer: rec.tracer }));
    const agent = t.agent();
    await agent.post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: ALICE, password: PASSWORD, remember: true }).expect(200);
    await t.agent().post("/login").send({ email: ALICE, password: "wrong horse battery staple" }).expect(401);
    expect(rec.names()).toEqual(["auth.register", "auth.login", "auth.login"]);
    expect(rec.spans[1]!.attributes).toEqual({ "auth.remember": true });
    expect(rec.spans[2]!.error).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expectNoPersonalData(rec.spans);
  });

  it("a resync that reads the account runs in an auth.session.resync span", async () => {
    const rec = recorder();
    const t = createTestApp(env.config({ tracer: rec.tracer, resyncInterval: "1m" }));
    const agent = t.agent();
    await agent.post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    await agent.get("/me").expect(200);
    expect(rec.names()).not.toContain("auth.session.resync");
    env.clock.advance(61_000);
    await agent.get("/me").expect(200);
    expect(rec.names().filter((n) => n === "auth.session.resync")).toHaveLength(1);
  });

  it("second-factor answers run in auth.two_factor.verify spans naming the method, never the code", async () => {
    const rec = recorder();
    const app = twoFactorApp(env, {}, { tracer: rec.tracer });
    const { secret } = await totpAccount(app, env);
    const { agent } = await startLogin(app);
    const code = codeAt(secret, env.clock.now());
    await call(agent, "twoFactor.verify.totp", code).expect(200);
    const spans = rec.spans.filter((s) => s.name === "auth.two_factor.verify");
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({ "auth.method": "totp" });
    expect(JSON.stringify(rec.spans.map((s) => s.attributes))).not.toContain(code);
  });

  it("an OAuth callback runs in an auth.oauth.callback span naming the provider", async () => {
    githubUser(idp, { id: 5, email: "gh@example.com" });
    const rec = recorder();
    const app = oauthApp(env.config({ tracer: rec.tracer, providers: providersFor(idp) }));
    expect((await signInWith(app.agent(), "github")).status).toBe(200);
    const span = rec.spans.find((s) => s.name === "auth.oauth.callback");
    expect(span?.attributes).toEqual({ "auth.provider": "github" });
    expect(span?.error).toBeNull();
    expectNoPersonalData(rec.spans);
  });

  it("a tracer that fails on its own never changes the outcome of a login", async () => {
    const broken: AuthTracer = {
      span() {
        throw new Error("tracer backend down");
      },
    };
    const t = createTestApp(env.config({ tracer: broken }));
    const agent = t.agent();
    await agent.post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    await agent.post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
    expect((await agent.get("/me")).body.email).toBe(ALICE);
    const late: AuthTracer = {
      async span(_name, _attributes, fn) {
        await fn();
        throw new Error("exporter failed after the work");
      },
    };
    const t2 = createTestApp(env.config({ tracer: late }));
    await t2.agent().post("/login").send({ email: ALICE, password: PASSWORD }).expect(200);
  });

  it("a tracer without span(), or of the wrong type, is refused at config time", () => {
    expect(() => resolveAuthConfig(env.config({ tracer: {} as AuthTracer }))).toThrow(/tracer/);
    expect(() => resolveAuthConfig(env.config({ tracer: "otel" as unknown as AuthTracer }))).toThrow(/tracer/);
  });
});

describe("tracing through OpenTelemetry", () => {
  const started: { name: string; attributes: unknown; status: number | null; ended: boolean }[] = [];
  const provider: TracerProvider = {
    getTracer() {
      return {
        startActiveSpan(name: string, options: { attributes?: unknown }, fn: (span: unknown) => unknown) {
          const entry = { name, attributes: options.attributes, status: null as number | null, ended: false };
          started.push(entry);
          const span = {
            setAttribute: () => span,
            setStatus: (s: { code: number }) => ((entry.status = s.code), span),
            end: () => void (entry.ended = true),
          };
          return fn(span);
        },
      } as unknown as Tracer;
    },
  };
  afterEach(() => {
    trace.disable();
    started.length = 0;
  });

  it("without a tracer option, spans go to the registered OpenTelemetry provider, errors marked ERROR", async () => {
    trace.setGlobalTracerProvider(provider);
    const t = createTestApp(env.config());
    const agent = t.agent();
    await agent.post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    await t.agent().post("/login").send({ email: ALICE, password: "wrong horse battery staple" }).expect(401);
    expect(started.map((s) => s.name)).toEqual(["auth.register", "auth.login"]);
    expect(started.every((s) => s.ended)).toBe(true);
    expect(started[1]!.status).toBe(2);
    expect(started[0]!.status).toBeNull();
  });

  it("`tracer: false` turns tracing off even when OpenTelemetry is installed", async () => {
    trace.setGlobalTracerProvider(provider);
    const t = createTestApp(env.config({ tracer: false }));
    await t.agent().post("/register").send({ email: ALICE, password: PASSWORD }).expect(200);
    expect(started).toEqual([]);
  });
});
