/**
 * Reset-request timing by kind of address (EN-04): the median time of `req.auth.resetPassword`'s service
 * (`requestPasswordResetQuietly`, the code behind `req.auth.resetPassword` and `POST /auth/password/forgot`)
 * for unknown, unverified and verified addresses, 200 calls each, interleaved in a shuffled order so
 * drift (JIT, caches, table growth) hits every kind alike. Goal: the medians within 10% of each other.
 * A benchmark, not a test: run it alone, on a quiet machine.
 *
 * Run: `npx tsx bench/reset-timing.ts` (in-memory PGlite), or with `DATABASE_URL=postgres://…` (an admin
 * URL: the scratch database `eda_bench_reset` is created, used and dropped). `BENCH_RESET_CALLS` changes
 * the number of calls per kind (default 200).
 */
import { performance } from "node:perf_hooks";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { AuthConfig } from "../src/config.js";
import { closeAuth, getAuthContext } from "../src/core/context.js";
import { requestPasswordResetQuietly } from "../src/core/password-reset.js";
import { createAuthTables, register } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";
import { databaseUrl } from "./db.js";

const CALLS = Number(process.env.BENCH_RESET_CALLS ?? 200);
const WARMUP = 20;
const DATABASE = "eda_bench_reset";
const PASSWORD = "bench reset timing passphrase, long enough";
const KINDS = ["unknown", "unverified", "verified"] as const;
type Kind = (typeof KINDS)[number];

/** The database: PGlite in memory, or a scratch database on the server DATABASE_URL names. */
async function openDatabase(): Promise<{ db: AuthConfig["db"]; label: string; close(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const test = await createTestDatabase();
    return { db: test.db, label: "PGlite (in memory)", close: () => test.close() };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  const client = postgres(databaseUrl(adminUrl, DATABASE), { max: 4, onnotice: () => {} });
  const db = drizzle({ client });
  await createAuthTables({ db });
  return {
    db,
    label: `PostgreSQL (${new URL(adminUrl).host}, database ${DATABASE})`,
    close: async () => {
      await client.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

function address(kind: Kind, i: number): string {
  return `${kind}-${i}@bench.example`;
}

/** Median and 90th percentile of a sample, in ms. */
function stats(values: number[]): { median: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, p90: at(0.9) };
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function main(): Promise<void> {
  const database = await openDatabase();
  const config: AuthConfig = { db: database.db };
  try {
    const total = CALLS + WARMUP;
    console.log(`reset timing: ${database.label}; ${CALLS} calls per kind after ${WARMUP} warm-up rounds`);
    // The accounts (a reset request itself hashes nothing), a batch at a time.
    for (let i = 0; i < total; i += 20) {
      const batch = Array.from({ length: Math.min(20, total - i) }, (_, k) => i + k);
      await Promise.all(
        batch.flatMap((n) => [
          register(config, address("verified", n), PASSWORD),
          register(config, address("unverified", n), PASSWORD, undefined, () => {}),
        ]),
      );
    }
    const ctx = await getAuthContext(config);
    const samples: Record<Kind, number[]> = { unknown: [], unverified: [], verified: [] };
    let issued = 0;
    for (let i = 0; i < total; i++) {
      for (const kind of shuffle([...KINDS])) {
        // A client address of its own per call, so the per-IP limit (20 an hour) never interferes.
        const ip = `10.${KINDS.indexOf(kind)}.${i >> 8}.${i & 255}`;
        const started = performance.now();
        const token = await requestPasswordResetQuietly(ctx, address(kind, i), null, null, { ip });
        const elapsed = performance.now() - started;
        if (token !== null) issued++;
        if (i >= WARMUP) samples[kind].push(elapsed);
      }
    }
    if (issued !== total) throw new Error(`expected ${total} tokens (verified only), got ${issued}`);
    const medians = KINDS.map((kind) => stats(samples[kind]).median);
    for (const kind of KINDS) {
      const { median, p90 } = stats(samples[kind]);
      console.log(`  ${kind.padEnd(10)} median ${median.toFixed(3)} ms   p90 ${p90.toFixed(3)} ms`);
    }
    const ratio = Math.max(...medians) / Math.min(...medians);
    const spread = (Math.max(...medians) - Math.min(...medians)) / Math.max(...medians);
    console.log(
      `  slowest / fastest median: ${ratio.toFixed(3)} (spread ${(spread * 100).toFixed(1)}%; goal: within 10%) ` +
        (spread < 0.1 ? "ok" : "OVER THE GOAL"),
    );
  } finally {
    await closeAuth(config);
    await database.close();
  }
}

await main();
