/** The bench's scratch database and its statement-counting postgres.js clients. */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createAuthTables } from "../src/index.js";

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const BENCH_DATABASE = "eda_bench";

/** The admin URL pointed at another database. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and recreates `eda_bench`, applies the auth tables, and returns its URL. */
export async function recreateBenchDatabase(): Promise<string> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${BENCH_DATABASE} with (force)`);
    await admin.unsafe(`create database ${BENCH_DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(ADMIN_URL, BENCH_DATABASE);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await createAuthTables({ db: drizzle({ client }) });
  } finally {
    await client.end({ timeout: 5 });
  }
  return url;
}

/** Statements sent by one client; `transaction` counts BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE. */
export interface StatementCounts {
  total: number;
  transaction: number;
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release|start\s+transaction|end)\b/i;

/** A postgres.js pool whose `debug` hook counts every statement it sends (BEGIN/COMMIT included). */
export function countingClient(url: string, max = 10) {
  const counts: StatementCounts = { total: 0, transaction: 0 };
  const client = postgres(url, {
    max,
    onnotice: () => {},
    debug: (_connection, query) => {
      counts.total++;
      if (TRANSACTION_CONTROL.test(query)) counts.transaction++;
    },
  });
  return { db: drizzle({ client }), counts, close: () => client.end({ timeout: 5 }) };
}
