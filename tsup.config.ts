import { readdirSync } from "node:fs";
import { defineConfig } from "tsup";

/** `express-drizzle-auth/providers/<id>`: one entry per provider module, and the folder's index. */
const providerEntries = Object.fromEntries(
  readdirSync("src/providers/modules")
    .filter((file) => file.endsWith(".ts"))
    .map((file) => [`providers/${file.slice(0, -3)}`, `src/providers/modules/${file}`]),
);

export default defineConfig({
  entry: { index: "src/index.ts", schema: "schema/index.ts", testing: "src/testing/index.ts", ...providerEntries },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  shims: true,
  target: "node20",
  splitting: true,
  sourcemap: true,
});
