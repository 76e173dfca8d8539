import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { InvalidationMarks } from "../../src/invalidation/marks.js";
import { templateDumpPath } from "../helpers/paths.js";

const onServer = inject("dbDriver") === "postgres";

describe("marks", () => {
  it("forgets a mark after its TTL", () => {
    const marks = new InvalidationMarks({ ttlMs: 1_000, maxEntries: 10 });
    marks.mark(1, 10_000);
    marks.mark(2, 10_500);
    marks.prune(11_200);
    expect(marks.latest(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(marks.latest(2)).toBe(10_500);
  });

  it("folds marks beyond its size into the floor instead of forgetting them", () => {
    const marks = new InvalidationMarks({ ttlMs: 60_000, maxEntries: 2 });
    marks.mark(1, 1_000);
    marks.mark(2, 2_000);
    marks.mark(3, 3_000);
    expect(marks.size).toBe(2);
    expect(marks.latest(1)).toBe(1_000); // through the floor
    expect(marks.latest(99)).toBe(1_000);
    expect(marks.latest(3)).toBe(3_000);
  });

  it("counts every account as invalidated at a reconnect", () => {
    const marks = new InvalidationMarks({ ttlMs: 60_000, maxEntries: 10 });
    marks.mark(1, 5_000);
    marks.markAll(4_000);
    expect(marks.latest(7)).toBe(4_000);
    expect(marks.latest(1)).toBe(5_000);
  });
});

const FIXTURE = fileURLToPath(new URL("./fixtures/exit-after-close.ts", import.meta.url));

/** Runs the fixture in a child process; resolves with its exit code, or "hung" after 45 s (a busy CI box is slow to start one). */
function runFixture(driver: string, mode: "close" | "no-close"): Promise<{ code: number | "hung"; out: string }> {
  return new Promise((resolve) => {
    const target = driver === "pglite" ? templateDumpPath(inject("testRunId")) : inject("databaseUrl")!;
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, driver, target, mode], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: "hung", out });
    }, 45_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

describe("process lifetime", () => {
  const cases: [string, "close" | "no-close"][] = onServer
    ? [
        ["node-postgres", "close"],
        ["node-postgres", "no-close"],
        ["postgres.js", "close"],
      ]
    : [["pglite", "close"]];

  it.each(cases)(
    "a %s app exits on its own after %s and ending its database",
    async (driver, mode) => {
      const { code, out } = await runFixture(driver, mode);
      expect(out).toContain("ended");
      expect(code).toBe(0);
    },
    60_000,
  );
});
