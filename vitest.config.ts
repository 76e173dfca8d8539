import { configDefaults, defineConfig } from "vitest/config";

// Two projects: `pglite` always (in-memory, one instance per worker), `postgres` when DATABASE_URL is set
// (one database per worker, cloned from a migrated template). Both run the whole suite, except the
// `*.server.test.ts` files: they need a real server (two instances over LISTEN/NOTIFY, dropped
// connections) and run in the `postgres` project only.
const databaseUrl = process.env.DATABASE_URL;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    isolate: false,
    sequence: { shuffle: { files: false, tests: true } },
    projects: [
      {
        extends: true,
        test: {
          name: "pglite",
          provide: { dbDriver: "pglite" },
          globalSetup: ["test/helpers/global-setup.ts"],
          exclude: [...configDefaults.exclude, "test/**/*.server.test.ts"],
        },
      },
      ...(databaseUrl
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                provide: { dbDriver: "postgres" as const, databaseUrl },
                globalSetup: ["test/helpers/global-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
