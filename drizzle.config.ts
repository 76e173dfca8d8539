import { defineConfig } from "drizzle-kit";

// Generates the migrations shipped in drizzle/ from the default-prefix tables.
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/index.ts",
  out: "./drizzle",
});
