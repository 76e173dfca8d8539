import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/g)].map((m) => m[1]!);
}

const root = process.cwd();

describe("layering", () => {
  it("schema/ imports nothing but drizzle-orm and itself, so `express-drizzle-auth/schema` never loads Express", () => {
    for (const file of files(join(root, "schema"))) {
      for (const spec of imports(file)) {
        expect(spec.startsWith("./") || spec.startsWith("drizzle-orm"), `${relative(root, file)} imports ${spec}`).toBe(
          true,
        );
      }
    }
  });

  it("only src/express/ and the REST router (src/rest/) import express or express-session", () => {
    for (const file of files(join(root, "src"))) {
      if (file.includes(`${join("src", "express")}`) || file.includes(`${join("src", "rest")}`)) continue;
      for (const spec of imports(file)) {
        expect(["express", "express-session"].includes(spec), `${relative(root, file)} imports ${spec}`).toBe(false);
      }
    }
  });

  it("core/ and crypto/ never import from express/", () => {
    for (const file of [...files(join(root, "src", "core")), ...files(join(root, "src", "crypto"))]) {
      for (const spec of imports(file)) {
        expect(spec.includes("/express/"), `${relative(root, file)} imports ${spec}`).toBe(false);
      }
    }
  });

  it("only src/providers/ imports arctic, so it can be replaced in one folder", () => {
    for (const file of files(join(root, "src"))) {
      if (file.includes(join("src", "providers"))) continue;
      for (const spec of imports(file)) {
        expect(spec === "arctic", `${relative(root, file)} imports ${spec}`).toBe(false);
      }
    }
  });
});
