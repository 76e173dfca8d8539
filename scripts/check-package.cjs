// Smoke test of the built package (run after `npm run build`): the CommonJS and ESM entry points load,
// the shipped migrations are found from dist/, and a registration works on PGlite.
const assert = require("node:assert");
const { PGlite } = require("@electric-sql/pglite");

async function check(label, auth, schema) {
  const client = new PGlite();
  const config = { db: client };
  assert.ok((await auth.createAuthTables(config)) > 0, `${label}: migrations applied`);
  const account = await auth.register(config, "Smoke@Example.test", "correct horse battery staple");
  assert.strictEqual(account.email, "smoke@example.test");
  assert.ok(schema.authAccounts && typeof schema.createAuthSchema === "function", `${label}: schema entry`);
  await client.close();
  console.log(`${label}: ok`);
}

(async () => {
  await check("cjs", require("../dist/index.cjs"), require("../dist/schema.cjs"));
  await check("esm", await import("../dist/index.js"), await import("../dist/schema.js"));
  const testing = await import("../dist/testing.js");
  const db = await testing.createTestDatabase();
  await db.close();
  console.log("testing entry: ok");
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
