import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", schema: "schema/index.ts", testing: "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  shims: true,
  target: "node20",
  splitting: true,
  sourcemap: true,
});
