import request from "supertest";
import { describe, expect, it } from "vitest";
import { ensureDemoAdmin } from "../../examples/demo/admin-routes.js";
import { createDemoApp } from "../../examples/demo/app.js";
import { auditRowsOf, insertAccounts } from "../admin/helpers.js";
import { PASSWORD, useTestEnv } from "../helpers/setup.js";

const env = useTestEnv();
const ADMIN = "admin@example.test";
const BOB = "bob@example.test";
const CAROL = "carol@example.test";
/** Form posts carry a Host and an Origin that match, as a browser's same-origin post does. */
const HOST = "demo.test";
const SAME_ORIGIN = { Host: HOST, Origin: `http://${HOST}` };
const XSS = "<script>alert(1)</script>";

type App = ReturnType<typeof createDemoApp>;

function demo(adminEmail: string | null = ADMIN): App {
  return createDemoApp({
    db: env.db.db,
    outbox: false,
    logError: () => {},
    adminEmail,
    authConfig: { now: () => env.clock.now() },
  });
}

async function signIn(app: App, email: string, userAgent = "vitest") {
  const agent = request.agent(app);
  await agent.post("/login").set("User-Agent", userAgent).send({ email, password: PASSWORD }).expect(200);
  return agent;
}

/** The demo with an admin (DEMO_ADMIN_EMAIL), Bob and Carol registered, and the admin signed in. */
async function setup() {
  const app = demo();
  const ids: Record<string, number> = {};
  for (const email of [ADMIN, BOB, CAROL])
    ids[email] = (await request(app).post("/register").send({ email, password: PASSWORD }).expect(200)).body.id;
  return { app, ids, admin: await signIn(app, ADMIN) };
}

/** The accounts part of the admin page (the activity table below it names accounts too). */
function accountsSection(html: string): string {
  return html.slice(html.indexOf("<h2>Accounts</h2>"), html.indexOf("<h2>Recent activity</h2>"));
}

describe("demo app: admin page", () => {
  it("GET /admin answers 403 to a signed-in account without the admin role, as HTML and as JSON", async () => {
    const { app } = await setup();
    const bob = await signIn(app, BOB);
    const html = await bob.get("/admin");
    expect(html.status).toBe(403);
    expect(html.type).toBe("text/html");
    expect(html.text).not.toContain(CAROL);
    const json = await bob.get("/admin").set("Accept", "application/json");
    expect(json.status).toBe(403);
    expect(json.body).toMatchObject({ error: "FORBIDDEN" });
  });

  it("GET /admin shows a visitor a sign-in form, which signs the admin in through a form post", async () => {
    const { app } = await setup();
    const browser = request.agent(app);
    const page = await browser.get("/admin");
    expect(page.status).toBe(403);
    expect(page.text).toContain('action="/admin/login"');
    const login = await browser
      .post("/admin/login")
      .set(SAME_ORIGIN)
      .type("form")
      .send({ email: ADMIN, password: PASSWORD });
    expect(login.status).toBe(303);
    expect((await browser.get("/admin")).status).toBe(200);
  });

  it("GET /admin lists accounts and recent activity to the admin, with every value HTML-escaped", async () => {
    const { app, admin } = await setup();
    await signIn(app, BOB, XSS);
    const res = await admin.get("/admin");
    expect(res.status).toBe(200);
    expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(res.headers["content-security-policy"]).not.toMatch(/script-src/);
    for (const email of [ADMIN, BOB, CAROL]) expect(accountsSection(res.text)).toContain(email);
    expect(res.text).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(res.text).not.toContain("<script");
    expect(res.text).toMatch(/<td>login<\/td>\s*<td>bob@example\.test<\/td>/);
  });

  it("GET /admin?q= lists only the accounts whose email starts with the search, escaped in the box", async () => {
    const { admin } = await setup();
    const res = await admin.get("/admin").query({ q: "BO" });
    expect(accountsSection(res.text)).toContain(BOB);
    expect(accountsSection(res.text)).not.toContain(CAROL);
    expect(res.text).toContain('name="q" value="BO"');
    const hostile = await admin.get("/admin").query({ q: '"><b>' });
    expect(hostile.status).toBe(200);
    expect(hostile.text).toContain('value="&#34;&#62;&#60;b&#62;"');
  });

  it("GET /admin pages through the accounts 20 at a time", async () => {
    const { admin } = await setup();
    await insertAccounts(env, 25, "paged");
    const first = await admin.get("/admin").query({ q: "paged" });
    expect(first.text).toContain("page 1 of 2 (25 accounts)");
    expect(first.text).toContain('href="/admin?q=paged&#38;page=2"');
    const second = await admin.get("/admin").query({ q: "paged", page: "2" });
    expect(accountsSection(second.text).match(/<td>paged\d+@example\.test<\/td>/g)).toHaveLength(5);
  });

  it("an impersonation started from the page makes /me the target, shows the banner, and stop returns", async () => {
    const { admin, ids } = await setup();
    const start = await admin
      .post("/admin/impersonate")
      .set(SAME_ORIGIN)
      .type("form")
      .send({ accountId: String(ids[BOB]), reason: "ticket 42" });
    expect(start.status).toBe(303);
    expect(start.headers.location).toBe("/admin");
    expect((await admin.get("/me")).body).toMatchObject({ id: ids[BOB], email: BOB });
    const banner = await admin.get("/admin");
    expect(banner.status).toBe(200);
    expect(banner.text).toContain(`You are acting as <strong>${BOB}</strong>, started by`);
    expect(banner.text).toContain('action="/admin/impersonation/stop"');
    expect(banner.text).not.toContain(CAROL);
    const stop = await admin.post("/admin/impersonation/stop").set(SAME_ORIGIN).type("form").send({});
    expect(stop.status).toBe(303);
    expect((await admin.get("/me")).body).toMatchObject({ id: ids[ADMIN], email: ADMIN });
    expect(accountsSection((await admin.get("/admin")).text)).toContain(CAROL);
  });

  it("after 30 minutes the impersonation has expired: /me is the admin again and /admin lists accounts", async () => {
    const { admin, ids } = await setup();
    await admin.post("/admin/impersonate").send({ accountId: ids[BOB], reason: "ticket 9" }).expect(200);
    // Two steps: the session itself would go idle after 30 minutes without a request.
    env.clock.advance(20 * 60_000);
    expect((await admin.get("/me")).body.email).toBe(BOB);
    env.clock.advance(10 * 60_000);
    expect((await admin.get("/me")).body.email).toBe(ADMIN);
    expect(accountsSection((await admin.get("/admin")).text)).toContain(BOB);
    expect(await auditRowsOf(env, "impersonation_expired")).toHaveLength(1);
  });

  it("the impersonation routes answer JSON to a JSON client, and the start is audited with the admin as actor", async () => {
    const { admin, ids } = await setup();
    const start = await admin.post("/admin/impersonate").send({ accountId: ids[BOB], reason: "ticket 7" });
    expect(start.status).toBe(200);
    expect(start.body.impersonation).toMatchObject({ actor: { email: ADMIN }, target: { email: BOB }, reason: "ticket 7" });
    const [row] = await auditRowsOf(env, "impersonation_started");
    expect(row).toMatchObject({ accountId: ids[BOB], actorAccountId: ids[ADMIN] });
    const stop = await admin.post("/admin/impersonation/stop").send({});
    expect(stop.body).toEqual({ ok: true, id: ids[ADMIN], email: ADMIN });
  });

  it("a cross-origin POST is refused with 403 and starts nothing", async () => {
    const { admin, ids } = await setup();
    const form = { accountId: String(ids[BOB]), reason: "csrf" };
    const evil = await admin
      .post("/admin/impersonate")
      .set({ Host: HOST, Origin: "https://evil.example" })
      .type("form")
      .send(form);
    expect(evil.status).toBe(403);
    const opaque = await admin.post("/admin/impersonate").set({ Host: HOST, Origin: "null" }).type("form").send(form);
    expect(opaque.status).toBe(403);
    const site = await admin.post("/admin/impersonate").set("Sec-Fetch-Site", "cross-site").type("form").send(form);
    expect(site.status).toBe(403);
    expect((await admin.get("/me")).body.email).toBe(ADMIN);
    expect(await auditRowsOf(env, "impersonation_started")).toHaveLength(0);
  });

  it("POST /admin/impersonate refuses the admin's own account and a missing reason", async () => {
    const { admin, ids } = await setup();
    const self = await admin
      .post("/admin/impersonate")
      .set(SAME_ORIGIN)
      .type("form")
      .send({ accountId: String(ids[ADMIN]), reason: "x" });
    expect(self.status).toBe(403);
    expect(self.text).toContain("IMPERSONATION_NOT_ALLOWED");
    const noReason = await admin.post("/admin/impersonate").send({ accountId: ids[BOB], reason: "  " });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ error: "INVALID_INPUT" });
    expect((await admin.get("/me")).body.email).toBe(ADMIN);
  });

  it("ensureDemoAdmin() makes an account registered before DEMO_ADMIN_EMAIL was set an admin", async () => {
    const app = demo(null);
    await request(app).post("/register").send({ email: ADMIN, password: PASSWORD }).expect(200);
    expect((await (await signIn(app, ADMIN)).get("/admin")).status).toBe(403);
    expect(await ensureDemoAdmin(app.locals.authConfig, ADMIN)).toBe(true);
    expect((await (await signIn(app, ADMIN)).get("/admin")).status).toBe(200);
  });
});
