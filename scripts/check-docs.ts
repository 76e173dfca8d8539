/**
 * `npm run docs:check`: type-checks every ```ts block of README.md and docs/*.md.
 *
 * Each block becomes its own module under node_modules/.cache/docs-check/, and `tsc --noEmit` runs on
 * them with a generated tsconfig whose `paths` map the package's entry points to the sources:
 *
 *   express-drizzle-auth          -> src/index.ts
 *   express-drizzle-auth/schema   -> schema/index.ts
 *   express-drizzle-auth/testing  -> src/testing/index.ts
 *
 * A block may rely on hidden lines, given in an HTML comment (invisible on GitHub and npm):
 *
 *   <!-- check:preamble
 *   import type { Request } from "express"
 *   -->                         prepended to the next ```ts block only
 *
 *   <!-- check:file-preamble
 *   ...
 *   -->                         prepended to every later ```ts block of the same file
 *
 * A block whose first line is a file-name comment such as `// db/schema.ts` can be imported by the later
 * blocks of the same page (`import { authTables } from "./db/schema.js"`), as in a real app.
 *
 * Errors are reported as `<doc>.md:<line>:<col>` of the block (or of the preamble comment).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "node_modules", ".cache", "docs-check");

/** One ```ts block, written out as a module (possibly in several places, see `published`). */
interface Snippet {
  /** The Markdown file, relative to the root. */
  doc: string;
  /** 1-based line in the doc of the block's first code line. */
  codeLine: number;
  /** Lines of hidden preamble at the top of the module. */
  preambleLines: number;
  /** 1-based line in the doc of the preamble comment that supplied each hidden line. */
  preambleOrigin: number[];
}

function markdownFiles(): string[] {
  const files = ["README.md"].filter((f) => existsSync(join(root, f)));
  const docs = join(root, "docs");
  if (existsSync(docs)) {
    for (const name of readdirSync(docs).sort()) if (name.endsWith(".md")) files.push(join("docs", name));
  }
  return files;
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const PREAMBLE_OPEN = /^\s*<!--\s*check:(preamble|file-preamble)\s*$/;
const FILE_NAME = /^\/\/\s*((?:[\w-]+\/)*[\w.-]+\.ts)\s*$/;

/** Every generated module and the block it came from. */
const modules = new Map<string, Snippet>();
/** The entry module of each block (what tsc is pointed at). */
const entries: string[] = [];

function extract(doc: string): number {
  const lines = readFileSync(join(root, doc), "utf8").split(/\r?\n/);
  const docDir = join(outDir, doc.replace(/\.md$/i, "").replace(/[^\w-]+/g, "_"));
  const published = new Map<string, { content: string; snippet: Snippet }>();
  let filePreamble: { text: string; line: number }[] = [];
  let pending: { text: string; line: number }[] = [];
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const preamble = PREAMBLE_OPEN.exec(line);
    if (preamble) {
      const body: { text: string; line: number }[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^\s*-->\s*$/.test(lines[j]!); j++) body.push({ text: lines[j]!, line: i + 1 });
      if (j === lines.length) throw new Error(`${doc}:${i + 1}: unterminated check:${preamble[1]} comment`);
      if (preamble[1] === "file-preamble") filePreamble = [...filePreamble, ...body];
      else pending = [...pending, ...body];
      i = j;
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (!fence) continue;
    const marker = fence[2]!;
    const lang = fence[3]!.toLowerCase();
    const close = new RegExp(`^\\s*${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: unterminated code fence`);
    if (lang === "ts" || lang === "typescript") {
      count++;
      const hidden = [...filePreamble, ...pending];
      const body = lines.slice(start, end);
      const snippet: Snippet = {
        doc,
        codeLine: start + 1,
        preambleLines: hidden.length,
        preambleOrigin: hidden.map((h) => h.line),
      };
      const content = [...hidden.map((h) => h.text), ...body, "", "export {};", ""].join("\n");
      const blockDir = join(docDir, `L${start + 1}`);
      // The modules published by earlier blocks of this page, importable by relative path.
      for (const [path, module] of published) {
        const file = join(blockDir, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, module.content);
        modules.set(file, module.snippet);
      }
      const name = FILE_NAME.exec(body.find((l) => l.trim() !== "") ?? "")?.[1];
      const entry = join(blockDir, name ?? "snippet.ts");
      mkdirSync(dirname(entry), { recursive: true });
      writeFileSync(entry, content);
      modules.set(entry, snippet);
      entries.push(entry);
      if (name) published.set(name, { content, snippet });
    }
    pending = [];
    i = end;
  }
  return count;
}

function writeTsconfig(files: string[]): string {
  const path = join(outDir, "tsconfig.json");
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023", "DOM"],
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      noEmit: true,
      types: ["node"],
      paths: {
        "express-drizzle-auth": [join(root, "src", "index.ts")],
        "express-drizzle-auth/schema": [join(root, "schema", "index.ts")],
        "express-drizzle-auth/testing": [join(root, "src", "testing", "index.ts")],
      },
    },
    files,
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

interface Diagnostic {
  file: string;
  line: number;
  col: number;
  text: string;
}

function parseDiagnostics(output: string): { diagnostics: Diagnostic[]; other: string[] } {
  const diagnostics: Diagnostic[] = [];
  const other: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const m = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
    if (m) diagnostics.push({ file: resolve(outDir, m[1]!), line: Number(m[2]), col: Number(m[3]), text: m[4]! });
    else if (/^\s/.test(line) && diagnostics.length > 0) diagnostics[diagnostics.length - 1]!.text += `\n${line}`;
    else other.push(line);
  }
  return { diagnostics, other };
}

function main(): number {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The blocks are ES modules (top-level await, `import … from`), like the package.
  writeFileSync(join(outDir, "package.json"), '{ "type": "module", "private": true }\n');

  const docs = markdownFiles();
  const blocks = docs.reduce((n, doc) => n + extract(doc), 0);
  if (blocks === 0) {
    console.error("docs:check: no ```ts blocks found in README.md or docs/*.md");
    return 1;
  }
  const tsconfig = writeTsconfig(entries);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], {
    cwd: outDir,
    encoding: "utf8",
  });
  if (run.error) throw run.error;
  const { diagnostics, other } = parseDiagnostics(`${run.stdout}${run.stderr}`);

  let docErrors = 0;
  const elsewhere: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const d of diagnostics) {
    const s = modules.get(d.file);
    if (!s) {
      elsewhere.push(d);
      continue;
    }
    const where =
      d.line <= s.preambleLines
        ? `${s.doc}:${s.preambleOrigin[d.line - 1]} (hidden preamble, line ${d.line})`
        : `${s.doc}:${s.codeLine + d.line - s.preambleLines - 1}:${d.col}`;
    const message = `${where} - ${d.text}`;
    // A published module is checked once per page that imports it; report each error once.
    if (reported.has(message)) continue;
    reported.add(message);
    docErrors++;
    console.error(message);
  }
  if (elsewhere.length > 0) {
    // Errors in the library's own files are `npm run typecheck`'s to report; shown here for context.
    console.warn(`docs:check: ${elsewhere.length} diagnostic(s) outside the docs (see \`npm run typecheck\`):`);
    for (const d of elsewhere) console.warn(`  ${relative(root, d.file)}:${d.line}:${d.col} - ${d.text}`);
  }
  if (other.length > 0 && run.status !== 0 && diagnostics.length === 0) {
    console.error(other.join("\n"));
    return 1;
  }
  const summary = `${blocks} ts block(s) in ${docs.length} file(s)`;
  if (docErrors > 0) {
    console.error(`docs:check: ${docErrors} error(s) in ${summary}`);
    return 1;
  }
  console.log(`docs:check: ${summary} type-check`);
  return 0;
}

process.exit(main());
