import { createTestDatabase } from "./src/testing/index.js";
const t0 = Date.now();
const a = await createTestDatabase();
console.log("first", Date.now() - t0);
const t1 = Date.now();
const b = await createTestDatabase();
console.log("second", Date.now() - t1);
console.log(await b.db.execute("select count(*) from auth_accounts" as never).catch(String));
