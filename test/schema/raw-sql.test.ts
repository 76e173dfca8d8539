/**
 * A guard for the class of the second-factor bypass: a raw `sql` fragment with a subquery in it must
 * name its columns through `qualified()`. Drizzle strips table names from bare column interpolations
 * in the selected fields of a single-table query, so a bare `${table.column}` inside `(select … from
 * other …)` binds to whichever table the name resolves to first (IN-04, MF-08).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The bodies of the `sql` tagged templates of a source file (one level; nested templates are separate). */
function sqlTemplates(source: string): string[] {
  return [...source.matchAll(/\bsql(?:<[^`]*?>)?`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1]!);
}

const root = process.cwd();
const subquery = /\(\s*select\b|\bexists\b/i;
const bareColumn = /\$\{\s*[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+\s*\}/;

describe("raw SQL fragments", () => {
  it("qualify every column they name when they contain a subquery", () => {
    const offenders: string[] = [];
    for (const file of [...files(join(root, "src")), ...files(join(root, "schema"))]) {
      for (const body of sqlTemplates(readFileSync(file, "utf8"))) {
        if (subquery.test(body) && bareColumn.test(body)) offenders.push(`${relative(root, file)}: ${body.slice(0, 120)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the guard sees a bare column inside a subquery", () => {
    const body = sqlTemplates("sql`exists (select 1 from ${m} where ${m.accountId} = ${a.id})`")[0]!;
    expect(subquery.test(body) && bareColumn.test(body)).toBe(true);
  });
});
