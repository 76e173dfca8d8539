/**
 * `npm run demo`: the demo app on embedded PGlite (persisted under `.data/pglite`), or on PostgreSQL
 * when `DATABASE_URL` is set. Listens on `PORT` (default 3000). `SESSION_SECRET` and `AUTH_SECRET`
 * (at least 32 characters) fall back to fixed development values, with a warning. OAuth providers come
 * from `GITHUB_CLIENT_ID`/`GITHUB_CLIENT_SECRET` and the like (see oauth-routes.ts); `BASE_URL` sets the
 * callback URLs' origin. `DEMO_ADMIN_EMAIL` names the address that becomes an admin (see admin-routes.ts).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Server } from "node:http";
import { createAuthTables } from "../../src/index.js";
import { demoAdminEmail, ensureDemoAdmin } from "./admin-routes.js";
import { createDemoApp, DEV_AUTH_SECRET, DEV_SESSION_SECRET } from "./app.js";
import { providersFromEnv } from "./oauth-routes.js";

interface Database {
  db: object;
  label: string;
  close(): Promise<void>;
}

async function openDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(url, { max: 10, onnotice: () => {} });
    return { db: drizzle({ client }), label: `PostgreSQL (${redact(url)})`, close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = resolve(process.cwd(), ".data", "pglite");
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  await client.waitReady;
  return { db: drizzle({ client }), label: `embedded PGlite (${dir})`, close: () => client.close() };
}

/** The URL without its password, for the startup line. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "DATABASE_URL";
  }
}

async function main(): Promise<void> {
  let sessionSecret = process.env.SESSION_SECRET;
  if (!sessionSecret) {
    console.warn("[demo] SESSION_SECRET is not set: using a fixed development secret. Never do this in production.");
    sessionSecret = DEV_SESSION_SECRET;
  }
  let authSecret = process.env.AUTH_SECRET;
  if (!authSecret) {
    console.warn("[demo] AUTH_SECRET is not set: using a fixed development secret. Never do this in production.");
    authSecret = DEV_AUTH_SECRET;
  }
  const database = await openDatabase();
  const port = Number(process.env.PORT ?? 3000);
  const providers = providersFromEnv(process.env, process.env.BASE_URL ?? `http://localhost:${port}`);
  const adminEmail = demoAdminEmail(process.env.DEMO_ADMIN_EMAIL);
  if (process.env.DEMO_ADMIN_EMAIL && !adminEmail)
    console.warn("[demo] DEMO_ADMIN_EMAIL is not an email address: ignored");
  const app = createDemoApp({ db: database.db, sessionSecret, authSecret, authConfig: { providers }, adminEmail });
  const applied = await createAuthTables(app.locals.authConfig);
  console.log(`[demo] database: ${database.label}; ${applied} migration(s) applied`);
  if (adminEmail) {
    // An account registered before DEMO_ADMIN_EMAIL was set becomes an admin now; a new one at /register.
    const exists = await ensureDemoAdmin(app.locals.authConfig, adminEmail);
    console.log(
      `[demo] admin: ${adminEmail} (${exists ? "has the admin role" : "gets it on registration"}); GET /admin`,
    );
  }
  const names = Object.keys(providers ?? {});
  console.log(
    `[demo] OAuth providers: ${names.length ? names.join(", ") : "none (set GITHUB_CLIENT_ID etc., see README)"}`,
  );

  const server: Server = app.listen(port, () => {
    console.log(`[demo] listening on http://localhost:${port}`);
    console.log("[demo] DEVELOPMENT ONLY: emailed tokens and 2FA codes are printed here and listed at GET /dev/outbox");
  });
  server.on("error", (err) => {
    console.error(`[demo] cannot listen on port ${port}:`, err.message);
    void database.close().finally(() => process.exit(1));
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[demo] ${signal}: shutting down`);
    server.close();
    server.closeAllConnections();
    database.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err) => {
  console.error("[demo] failed to start:", err);
  process.exit(1);
});
