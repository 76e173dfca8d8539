/**
 * The architecture, checked: `npm run lint:deps` (CI) and test/schema/layering.test.ts.
 *
 * 1. No import cycles, type-only imports included (`tsPreCompilationDeps`).
 * 2. Layers: every folder of src/ (and the root schema/) is one layer; a layer imports only its own
 *    files and the layers listed before it, so the folder graph is a DAG. The layers are listed bottom
 *    to top below; docs/architecture.md describes what each owns.
 * 3. Packages: arctic behind src/providers/, Express behind the two HTTP surfaces, no queries in them.
 *
 * A new folder (or top-level file) in src/ must be given a layer here: `src-file-outside-layers` fails
 * until it is.
 */

/** Bottom to top. `path` matches the files of the layer; `comment` says what it owns and why it sits there. */
const layers = [
  {
    name: "schema",
    path: "^schema/",
    comment:
      "The Drizzle tables. Published on its own as `express-drizzle-auth/schema` (the app's drizzle-kit loads it), " +
      "so it may import nothing of src/: importing it must never load Express, argon2 or the services.",
  },
  {
    name: "errors",
    path: "^src/errors\\.ts$",
    comment: "The error classes: thrown by every layer, so they depend on nothing.",
  },
  {
    name: "primitives",
    path: "^src/primitives/",
    comment:
      "Pure building blocks with no context: durations, roles, statuses, the account and notification types, " +
      "the database input and its Drizzle wrapping, SQL timestamp parameters. Config and every service use them.",
  },
  {
    name: "crypto",
    path: "^src/crypto/",
    comment: "Password hashing, tokens, secrets at rest: pure functions over bytes, usable by any service.",
  },
  {
    name: "tracing",
    path: "^src/tracing/",
    comment:
      "Spans. `withSpan` takes a structural scope (the config's `tracer` option), not the auth context, " +
      "so the config can validate a tracer and every service can trace.",
  },
  {
    name: "providers",
    path: "^src/providers/",
    comment:
      "The OAuth providers behind our own interface, and the registry config builds from `providers`. " +
      "Below config (the registry is resolved at config time), so it knows nothing of accounts or sessions.",
  },
  {
    name: "rate-limit",
    path: "^src/rate-limit/",
    comment:
      "The built-in limiter and the external-limiter adapter, with their options. The limiter takes a " +
      "structural `RateLimitScope`, so config resolves `rateLimits` and the services (core, two-factor, " +
      "sign-in) call the limiter: one direction.",
  },
  {
    name: "impersonation",
    path: "^src/impersonation/",
    comment:
      "The impersonation options and policy: pure decisions over accounts (primitives), resolved by config " +
      "and applied by sessions/ and express/.",
  },
  {
    name: "invalidation",
    path: "^src/invalidation/",
    comment:
      "LISTEN/NOTIFY: payloads, the listener, the hub, `notifyInvalidation`. Below the services, which notify " +
      "inside their transactions; the context holds the hub. Its public status API is in core/invalidation-status.ts.",
  },
  {
    name: "session-cache",
    path: "^src/session-cache/",
    comment:
      "The in-process session cache, its options and its coherence over the invalidation hub. The context " +
      "creates it and holds it, so it sits below core.",
  },
  {
    name: "options",
    path: "^src/options/",
    comment:
      "The option types and validation of features whose runtime sits above config (two-factor, the audit " +
      "log retention): config composes them without importing those features' services.",
  },
  {
    name: "config",
    path: "^src/config\\.ts$",
    comment:
      "`AuthConfig` and `resolveAuthConfig`: composes the option modules of the layers below. Never imports " +
      "core/ (the context depends on the resolved config, not the other way).",
  },
  {
    name: "core",
    path: "^src/core/",
    comment:
      "The auth context (created from a config, wiring the hasher, the invalidation hub and the session " +
      "cache) and the services over it: registration, login checks, confirmations, resets, roles, audit log.",
  },
  {
    name: "two-factor",
    path: "^src/two-factor/",
    comment: "Second factors (TOTP, codes, backup codes, the pending second step): services over core.",
  },
  {
    name: "oauth",
    path: "^src/oauth/",
    comment: "OAuth identities and linking: services over core and the providers.",
  },
  {
    name: "sessions",
    path: "^src/sessions/",
    comment:
      "The stored session's auth state and its one validity decision, the session rows, reading a stored " +
      "session without express-session: over core, two-factor state, impersonation and invalidation.",
  },
  {
    name: "sign-in",
    path: "^src/sign-in/",
    comment:
      "The sign-in use case (password and OAuth, lockout, rate limits, second step, recording): composes " +
      "core, two-factor, oauth, rate-limit, sessions and tracing, independent of HTTP; the surfaces call it.",
  },
  {
    name: "standalone",
    path: "^src/standalone\\.ts$",
    comment: "The requestless @prsm/auth functions taking a config: thin wrappers over core services.",
  },
  {
    name: "express",
    path: "^src/express/",
    comment:
      "The `req.auth` facade, middleware, session store, remember-me cookies: the first HTTP surface, over " +
      "every service layer.",
  },
  {
    name: "rest",
    path: "^src/rest/",
    comment: "The Auth.js-style router and pages: the second HTTP surface, built on express/.",
  },
  {
    name: "admin",
    path: "^src/admin/",
    comment:
      "The requestless admin context and `authenticateRequest`: uses the services and the standalone " +
      "functions, never an HTTP surface's internals.",
  },
  {
    name: "testing",
    path: "^src/testing/",
    comment:
      "The test kit (`express-drizzle-auth/testing`), a separate entry point: nothing in the library imports it.",
  },
  {
    name: "index",
    path: "^src/index\\.ts$",
    comment: "The public entry point: re-exports from every layer, imported by none.",
  },
];

/** Files of the repository a dependency can point at (npm packages and node: modules are outside). */
const INTERNAL = "^(src|schema|test|bench|examples|scripts|docs)/";

const layerRules = layers.map((layer, i) => {
  const allowed = layers.slice(0, i + 1);
  return {
    name: `layer-${layer.name}`,
    severity: "error",
    comment: `${layer.comment} May import: ${allowed.map((l) => l.name).join(", ")}.`,
    from: { path: layer.path },
    to: { path: INTERNAL, pathNot: allowed.map((l) => l.path) },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "No module cycle, type-only imports included: a cycle makes load order matter (an undefined import at " +
        "runtime) and means two modules are one module in two files. Break it by moving the shared part down.",
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "src-file-outside-layers",
      severity: "error",
      comment:
        "Every file of src/ belongs to a layer above. A new folder or top-level file must be given its place " +
        "in `layers` (in .dependency-cruiser.cjs) before it may import anything.",
      from: { path: "^src/", pathNot: layers.map((l) => l.path) },
      to: {},
    },
    {
      name: "schema-imports-only-drizzle",
      severity: "error",
      comment:
        "`express-drizzle-auth/schema` is loaded by the app's drizzle-kit config: it may import only " +
        "drizzle-orm and itself (no Node built-ins, no other package).",
      from: { path: "^schema/" },
      to: { pathNot: ["^schema/", "^node_modules/drizzle-orm/"] },
    },
    {
      name: "only-providers-import-arctic",
      severity: "error",
      comment: "arctic is an implementation detail of the providers: it can be replaced in one folder.",
      from: { path: "^(src|schema)/", pathNot: "^src/providers/" },
      to: { path: "^node_modules/arctic/" },
    },
    {
      name: "only-http-surfaces-import-express",
      severity: "error",
      comment:
        "Express and express-session (and their types) stay behind the two HTTP surfaces, src/express/ and " +
        "src/rest/: the services, the admin context and the schema run without a request.",
      from: { path: "^(src|schema)/", pathNot: "^src/(express|rest)/" },
      to: { path: "^node_modules/(@types/)?express(-session|-serve-static-core)?/" },
    },
    {
      name: "http-surfaces-do-not-query",
      severity: "error",
      comment:
        "Queries belong in the service folders (core, sessions, two-factor, oauth, sign-in…): the HTTP surfaces " +
        "call services and may import drizzle-orm for types only.",
      from: { path: "^src/(express|rest)/" },
      to: { path: "^node_modules/drizzle-orm/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "library-does-not-import-tools",
      severity: "error",
      comment:
        "The published library never imports the tests, benchmarks, examples, scripts or docs: they are not " +
        "in the package, and would drag test dependencies into it.",
      from: { path: "^(src|schema)/" },
      to: { path: "^(test|bench|examples|scripts|docs)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import resolves: a moved module left a stale specifier somewhere.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
