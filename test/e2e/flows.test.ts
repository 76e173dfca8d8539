/**
 * End to end, in headless Chromium against the demo's built-in pages under /auth (plain HTML forms, no
 * JavaScript): register → confirm the address from the emailed link → sign in → enrol TOTP → sign out →
 * sign in with the second factor → reset the password → sign in with the new one. Every page is saved
 * under test-results/e2e/<driver>/. Skips, with a warning, when no Chromium executable exists.
 */
import type { Locator, Page, Response } from "playwright-core";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import type { OutboxMessage } from "../../examples/demo/outbox.js";
import { NEW_PASSWORD, PASSWORD, useTestEnv } from "../helpers/setup.js";
import { NAVIGATION_TIMEOUT, chromiumPath, screenshot, useBrowser } from "./browser.js";
import { type DemoServer, linkOf, startDemoServer, waitForMessage } from "./server.js";
import { freshTotpCode, totpCode } from "./totp.js";

const env = useTestEnv();

const EMAIL = "e2e-user@example.com";

/** Each test's screenshots, numbered in the order taken: test-results/e2e/<driver>/<test>/<nn>-<name>.png */
function camera(test: string) {
  let n = 0;
  return (page: Page, name: string) =>
    screenshot(page, `${inject("dbDriver")}/${test}/${String(++n).padStart(2, "0")}-${name}`);
}

/** The page's visible text, shortened, for failure messages. */
async function pageText(page: Page): Promise<string> {
  const text = await page
    .locator("body")
    .innerText({ timeout: 2_000 })
    .catch(() => "(no body)");
  return text.replace(/\s+/g, " ").trim().slice(0, 600);
}

/**
 * The submit button named `name`, else the only form submit button, within `scope` (the pages' wording is
 * theirs to choose). @throws listing the buttons found when neither is unambiguous
 */
async function findButton(page: Page, name: RegExp, scope: Page | Locator = page) {
  const named = scope.getByRole("button", { name });
  if ((await named.count()) === 1) return named;
  const submits = scope.locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]');
  if ((await submits.count()) === 1) return submits;
  const found = await scope
    .getByRole("button")
    .evaluateAll((els) => els.map((e) => (e.textContent || (e as HTMLInputElement).value || "").trim()));
  throw new Error(
    `${page.url()}: no single button matching ${name} (buttons: ${JSON.stringify(found)}); page: ${await pageText(page)}`,
  );
}

/** The form holding `field` (so other forms on the page, such as provider buttons, do not interfere). */
function formOf(page: Page, field: Locator): Locator {
  return page.locator("form").filter({ has: field });
}

/**
 * Clicks a submit button (of the form `within`, when given) and waits for the page it leads to. Unless
 * `allowError`, fails on an HTTP error or on the /auth/error page, quoting the page.
 */
async function submit(
  page: Page,
  name: RegExp,
  { allowError = false, within }: { allowError?: boolean; within?: Locator } = {},
): Promise<Response | null> {
  const button = await findButton(page, name, within ?? page.locator("form"));
  const [response] = await Promise.all([page.waitForNavigation({ timeout: NAVIGATION_TIMEOUT }), button.click()]);
  if (!allowError) {
    const status = response?.status() ?? 0;
    if (status >= 400 || new URL(page.url()).pathname.startsWith("/auth/error"))
      throw new Error(`submitting ${name} led to ${page.url()} (HTTP ${status}): ${await pageText(page)}`);
  }
  return response;
}

/** Opens a page and fails on an HTTP error, quoting it. */
async function open(page: Page, url: string): Promise<Response> {
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  if (response.status() >= 400) throw new Error(`GET ${url}: HTTP ${response.status()}: ${await pageText(page)}`);
  return response;
}

/** Fills every password input of the page's form (a "confirm password" field gets the same value). */
async function fillPasswords(page: Page, value: string): Promise<void> {
  const inputs = page.locator('form input[type="password"]');
  const count = await inputs.count();
  if (count === 0) throw new Error(`${page.url()}: no password field; page: ${await pageText(page)}`);
  for (let i = 0; i < count; i++) await inputs.nth(i).fill(value);
}

describe.skipIf(!chromiumPath)("e2e (Chromium): the built-in /auth pages", () => {
  const browser = useBrowser();
  let demo: DemoServer;

  beforeEach(async () => {
    demo = await startDemoServer(env.db);
  });
  afterEach(async () => {
    await demo?.close();
  });

  /** The session as `GET /auth/session` shows it in the browser (its JSON), screenshotted. */
  async function session(page: Page, shoot: (page: Page, name: string) => Promise<string>, name: string) {
    const response = await open(page, `${demo.url}/auth/session`);
    await shoot(page, name);
    const body = (await response.json()) as { user?: { email?: string } } | null;
    return body?.user ?? null;
  }

  /**
   * Opens the emailed link of a message the way a person would: through the outbox page (its link when
   * it is an HTML page listing links, else the URL it records).
   */
  async function followEmailedLink(
    page: Page,
    shoot: (page: Page, name: string) => Promise<string>,
    message: OutboxMessage,
    path: string,
  ): Promise<void> {
    const outbox = await open(page, `${demo.url}/dev/outbox`);
    await shoot(page, `outbox-${message.kind}`);
    const link = linkOf(message, demo.url, path);
    const anchor = page.locator(`a[href*="${encodeURIComponent(message.token)}"], a[href*="${message.token}"]`);
    if ((outbox.headers()["content-type"] ?? "").includes("text/html") && (await anchor.count()) > 0) {
      await Promise.all([page.waitForNavigation(), anchor.last().click()]);
    } else {
      await open(page, link);
    }
    expect(new URL(page.url()).pathname).toBe(path);
  }

  /** Signs in with the sign-in form (email, password; "Remember me" left unticked). */
  async function signIn(
    page: Page,
    shoot: (page: Page, name: string) => Promise<string>,
    password: string,
    { refused = false } = {},
  ) {
    await open(page, `${demo.url}/auth/signin`);
    const passwordField = page.getByLabel("Password", { exact: true });
    await page.getByLabel("Email address", { exact: true }).fill(EMAIL);
    await passwordField.fill(password);
    expect(await page.getByLabel("Keep me signed in on this device").isChecked()).toBe(false);
    await shoot(page, "signin");
    await submit(page, /^(sign in|log in|continue)/i, { allowError: refused, within: formOf(page, passwordField) });
    await shoot(page, refused ? "signin-refused" : "signin-submitted");
  }

  async function signOut(page: Page, shoot: (page: Page, name: string) => Promise<string>) {
    await open(page, `${demo.url}/auth/signout`);
    await shoot(page, "signout");
    await submit(page, /sign ?out|log ?out|confirm/i);
    await shoot(page, "signed-out");
    expect(await session(page, shoot, "session-signed-out")).toBeNull();
  }

  /** Answers the second step on /auth/two-factor with a TOTP code of a step after `usedStep`. */
  async function secondFactor(
    page: Page,
    shoot: (page: Page, name: string) => Promise<string>,
    secret: string,
    usedStep: number,
  ): Promise<number> {
    await page.waitForURL((url) => url.pathname === "/auth/two-factor");
    await shoot(page, "two-factor");
    const { code, step } = await freshTotpCode(secret, usedStep);
    const field = page.locator("#code");
    await field.fill(code);
    await submit(page, /verify|continue|sign in|submit|confirm/i, { within: formOf(page, field) });
    await shoot(page, "two-factor-passed");
    return step;
  }

  it("register, confirm, sign in, enrol TOTP, sign in with it, reset the password, sign in again", async () => {
    const shoot = camera("account-lifecycle");
    const page = await browser.newPage();
    try {
      await accountLifecycle(page, shoot);
    } catch (err) {
      // The page the flow stopped on, for the report.
      await shoot(page, "FAILED").catch(() => {});
      throw err;
    }
    expect(demo.errors).toEqual([]);
  }, 300_000);

  async function accountLifecycle(page: Page, shoot: (page: Page, name: string) => Promise<string>): Promise<void> {
    // ── register ──────────────────────────────────────────────────────
    await open(page, `${demo.url}/auth/register`);
    await page.getByLabel("Email address", { exact: true }).fill(EMAIL);
    await fillPasswords(page, PASSWORD);
    await shoot(page, "register");
    await submit(page, /sign up|register|create/i, { within: formOf(page, page.locator('input[type="password"]')) });
    await shoot(page, "registered");

    // ── confirm the address from the emailed link ─────────────────────
    const confirmation = await waitForMessage(demo.outbox, "confirm-email", EMAIL);
    await followEmailedLink(page, shoot, confirmation, "/auth/verify-request");
    await shoot(page, "verify-request");
    await submit(page, /confirm|verify/i);
    await shoot(page, "confirmed");

    // ── sign in ───────────────────────────────────────────────────────
    await signIn(page, shoot, PASSWORD);
    expect(await session(page, shoot, "session-signed-in")).toMatchObject({ email: EMAIL });

    // ── enrol TOTP: QR code and secret, first code, backup codes ──────
    await open(page, `${demo.url}/auth/two-factor/setup`);
    await shoot(page, "two-factor-setup");
    await submit(page, /start|set ?up|enable|begin|add|totp|authenticator/i);
    const qrByName = page.getByRole("img", { name: /qr/i });
    const qr = (await qrByName.count()) > 0 ? qrByName.first() : page.locator("img").first();
    await qr.waitFor({ state: "visible" });
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = ((await page.locator("#totp-secret").textContent()) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/i);
    await shoot(page, "two-factor-setup-secret");
    const enrolment = totpCode(secret);
    const codeField = page.getByLabel(/code/i).or(page.locator('form input[name="code"]')).first();
    await codeField.fill(enrolment.code);
    await submit(page, /confirm|verify|enable|activate|submit|save/i, { within: formOf(page, codeField) });
    const backupCodes = page.locator("#backup-codes");
    await backupCodes.waitFor({ state: "visible" });
    expect(await backupCodes.innerText()).toMatch(/[0-9A-Z]{4}/i);
    await shoot(page, "two-factor-backup-codes");

    // ── sign out, sign in again: the second step asks for a code ──────
    await signOut(page, shoot);
    await signIn(page, shoot, PASSWORD);
    const loginStep = await secondFactor(page, shoot, secret, enrolment.step);
    expect(await session(page, shoot, "session-two-factor")).toMatchObject({ email: EMAIL });
    await signOut(page, shoot);

    // ── forgotten password: request the link, set a new password ──────
    await open(page, `${demo.url}/auth/reset`);
    const before = demo.outbox.messages.length;
    const emailField = page.getByLabel("Email address", { exact: true });
    await emailField.fill(EMAIL);
    await shoot(page, "reset-request");
    await submit(page, /send|reset|continue|email/i, { within: formOf(page, emailField) });
    await shoot(page, "reset-requested");
    const reset = await waitForMessage(demo.outbox, "password-reset", EMAIL, { after: before });
    await followEmailedLink(page, shoot, reset, "/auth/reset");
    expect(await page.locator('form input[type="password"]').count()).toBeGreaterThan(0);
    await fillPasswords(page, NEW_PASSWORD);
    await shoot(page, "reset-new-password");
    await submit(page, /reset|set|change|save|update|continue/i, {
      within: formOf(page, page.locator('input[type="password"]')),
    });
    await shoot(page, "reset-done");

    // ── the old password no longer works; the new one does (with the second factor) ──
    await signIn(page, shoot, PASSWORD, { refused: true });
    expect(new URL(page.url()).pathname).not.toBe("/auth/two-factor");
    expect(await session(page, shoot, "session-old-password")).toBeNull();
    await signIn(page, shoot, NEW_PASSWORD);
    await secondFactor(page, shoot, secret, loginStep);
    expect(await session(page, shoot, "session-new-password")).toMatchObject({ email: EMAIL });
  }
});
