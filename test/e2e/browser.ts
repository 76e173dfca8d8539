/**
 * Headless Chromium for the end-to-end tests, driven by playwright-core (which downloads no browser of its
 * own): Debian's `chromium` package, or the binary named by CHROMIUM_PATH. Without one, the e2e suites
 * skip with a warning naming the paths tried (`describe.skipIf(!chromiumPath)`).
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";

/** Where the executable is looked for, in order: CHROMIUM_PATH first, then Debian's and Ubuntu's paths. */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  ...(process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : []),
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/lib/chromium/chromium",
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium executable to drive, or null when there is none. */
export const chromiumPath: string | null = CHROMIUM_CANDIDATES.find(isExecutable) ?? null;

if (chromiumPath === null && process.env.REQUIRE_CHROMIUM === "1") {
  // CI installs Chromium and sets REQUIRE_CHROMIUM=1: there, a missing browser fails instead of skipping.
  throw new Error(
    `[e2e] REQUIRE_CHROMIUM=1 but no Chromium executable found (tried ${CHROMIUM_CANDIDATES.join(", ")})`,
  );
}
if (chromiumPath === null) {
  console.warn(
    `[e2e] SKIPPED: no Chromium executable found (tried ${CHROMIUM_CANDIDATES.join(", ")}). ` +
      "Install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH.",
  );
} else if (process.env.CHROMIUM_PATH && chromiumPath !== process.env.CHROMIUM_PATH) {
  console.warn(`[e2e] CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not executable: using ${chromiumPath}`);
}

/** Generous timeouts: 2 shared cores, other test files running, Argon2 on every sign-in. */
export const ACTION_TIMEOUT = 20_000;
export const NAVIGATION_TIMEOUT = 45_000;

/**
 * The launch flags: as root in CI Chromium needs `--no-sandbox`; `/dev/shm` may be small in containers;
 * the machine has no network beyond loopback, so background networking (updates, sync, QUIC probes) is off.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium (the caller closes it). @throws when no executable was found */
export async function launchChromium(): Promise<Browser> {
  if (chromiumPath === null) throw new Error(`No Chromium executable (tried ${CHROMIUM_CANDIDATES.join(", ")})`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

/** What {@link useBrowser} hands a test file. */
export interface BrowserHandle {
  /** The file's browser (set in `beforeAll`). */
  readonly browser: Browser;
  /** A fresh page in a fresh context (own cookies), closed after the test. */
  newPage(): Promise<Page>;
}

/**
 * One browser per test file: launched in `beforeAll`, closed in `afterAll`; every `newPage()` gets its own
 * context (cookie jar), closed in `afterEach`. Call inside a `describe.skipIf(!chromiumPath)` block.
 */
export function useBrowser(): BrowserHandle {
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  }, 90_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
  });
  afterAll(async () => {
    await browser?.close();
    browser = null;
  });
  return {
    get browser() {
      if (!browser) throw new Error("the browser is not launched (use inside a test)");
      return browser;
    },
    async newPage() {
      if (!browser) throw new Error("the browser is not launched (use inside a test)");
      const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, locale: "en-US" });
      context.setDefaultTimeout(ACTION_TIMEOUT);
      context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** The folder screenshots go to: `test-results/e2e/` at the repository root (ignored by git). */
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../test-results/e2e", import.meta.url));

/**
 * Saves a full-page PNG of the page as `test-results/e2e/<name>.png` (`name` may contain `/` for a
 * subfolder) and returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = resolve(SCREENSHOT_DIR, `${name}.png`);
  if (!path.startsWith(`${SCREENSHOT_DIR}/`)) throw new Error(`screenshot name escapes ${SCREENSHOT_DIR}: ${name}`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
