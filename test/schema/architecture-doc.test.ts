/**
 * docs/architecture.md stays true: its layer table lists exactly the layers of .dependency-cruiser.cjs,
 * in their order, and every file or folder it names exists.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = process.cwd();
const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
const config = createRequire(import.meta.url)(join(root, ".dependency-cruiser.cjs")) as {
  forbidden: { name: string; from: { path?: string } }[];
};

/** The path pattern of each `layer-*` rule, bottom to top, as the plain path it matches. */
function configLayers(): string[] {
  return config.forbidden
    .filter((rule) => rule.name.startsWith("layer-"))
    .map((rule) => rule.from.path!.replace(/^\^/, "").replace(/\$$/, "").replace(/\\\./g, "."));
}

/** The first column of the layer table, bottom to top. */
function documentedLayers(): string[] {
  const table = doc.slice(doc.indexOf("| layer"), doc.indexOf("\n\n", doc.indexOf("| layer")));
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

describe("docs/architecture.md", () => {
  it("lists every layer of .dependency-cruiser.cjs, in its order", () => {
    expect(configLayers().length).toBeGreaterThan(10);
    expect(documentedLayers()).toEqual(configLayers());
  });

  it("names only files and folders that exist", () => {
    const paths = [...doc.matchAll(/`((?:src|schema|test|docs|bench)\/[\w./-]*)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it("names only functions that the file beside them exports", () => {
    // "`name` (`src/…ts`" pairs: the function is exported by that file.
    const pairs = [...doc.matchAll(/`(\w+)`[^`(]{0,40}\(`((?:src)\/[\w/-]+\.ts)`/g)];
    expect(pairs.length).toBeGreaterThan(3);
    const missing = pairs.filter(([, name, file]) => {
      const source = readFileSync(join(root, file!), "utf8");
      return !new RegExp(`export (?:async )?(?:function|const|class|interface|type) ${name}\\b`).test(source);
    });
    expect(missing.map(([, name, file]) => `${name} in ${file}`)).toEqual([]);
  });
});
