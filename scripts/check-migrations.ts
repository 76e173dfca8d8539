// Fails when `drizzle-kit generate` would add a migration, i.e. when schema/ changed without one.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";

// drizzle-kit resolves `out` relative to the working directory, so the scratch copy lives inside it.
const scratch = "node_modules/.cache/express-drizzle-auth/migrations-check";
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
try {
  cpSync("drizzle", scratch, { recursive: true });
  const before = readdirSync(scratch).sort();
  const output = execFileSync("npx", ["drizzle-kit", "generate"], {
    env: { ...process.env, DRIZZLE_OUT: scratch },
    encoding: "utf8",
    stdio: "pipe",
  });
  if (/error|ENOENT/i.test(output)) {
    console.error(output);
    process.exit(1);
  }
  const added = readdirSync(scratch).filter((f) => !before.includes(f));
  if (added.length > 0) {
    console.error(
      `schema/ changed but drizzle/ has no migration for it; run \`npm run db:generate\` (would add ${added.join(", ")})`,
    );
    process.exit(1);
  }
  console.log("migrations are up to date with schema/");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
