/**
 * The architecture rules of .dependency-cruiser.cjs (the same run as `npm run lint:deps`): no import
 * cycle, type-only imports included; every folder a layer that imports only the layers below it; arctic
 * and Express each behind their folders; no queries in the HTTP surfaces; the library never imports the
 * tests or the tools. The rules themselves, and why, are in the config.
 */
import { join } from "node:path";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { beforeAll, describe, expect, it } from "vitest";

const root = process.cwd();
let result: ICruiseResult;

/** One line per violation: the rule, then the dependency (or the cycle) that breaks it. */
function describeViolation(v: IViolation): string {
  const cycle = v.cycle?.map((step) => step.name).join(" → ");
  return `${v.rule.name}: ${v.from} → ${cycle ?? v.to}`;
}

/** The `layer-*` rules, bottom to top, with the path pattern of their files. */
function layerPatterns(): { name: string; path: RegExp }[] {
  return (result.summary.ruleSetUsed?.forbidden ?? [])
    .filter((rule) => rule.name?.startsWith("layer-"))
    .map((rule) => ({ name: rule.name!, path: new RegExp(String((rule.from as { path: string }).path)) }));
}

beforeAll(async () => {
  const options = await extractDepcruiseOptions(join(root, ".dependency-cruiser.cjs"));
  const tsConfig = extractTSConfig(join(root, "tsconfig.json"));
  const { output } = await cruise(["src", "schema"], options, {}, { tsConfig });
  result = output as ICruiseResult;
}, 60_000);

describe("architecture (.dependency-cruiser.cjs)", () => {
  it("has no violation: no cycle, no import against the layers, packages only where allowed", () => {
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  });

  it("places every file of src/ and schema/ in exactly one layer", () => {
    const layers = layerPatterns();
    expect(layers.length).toBeGreaterThan(10);
    const misplaced = result.modules
      .filter((m) => /^(src|schema)\//.test(m.source))
      .filter((m) => layers.filter((l) => l.path.test(m.source)).length !== 1)
      .map((m) => m.source);
    expect(misplaced).toEqual([]);
  });

  it("makes the folder graph a DAG: no layer imports a layer above it", () => {
    const layers = layerPatterns();
    const rank = (file: string) => layers.findIndex((l) => l.path.test(file));
    const upward = result.modules.flatMap((m) =>
      m.dependencies
        .filter((d) => rank(d.resolved) > rank(m.source) && rank(m.source) >= 0)
        .map((d) => `${m.source} → ${d.resolved}`),
    );
    expect(upward).toEqual([]);
  });
});
