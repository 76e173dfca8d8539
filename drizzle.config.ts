import { defineConfig } from "drizzle-kit";

// Generates the migrations shipped in drizzle/ from the default-prefix tables.
// DRIZZLE_OUT lets scripts/check-migrations.ts regenerate into a scratch copy.
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/index.ts",
  out: process.env.DRIZZLE_OUT ?? "./drizzle",
});
