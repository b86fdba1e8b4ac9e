import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Locator, type Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = 'test-results';
const INSTALL_HINT = 'install chromium: apt-get install -y chromium fonts-wqy-zenhei';

/**
 * Runs a browser test against a fresh platform in Debian's Chromium (never a downloaded browser).
 * Without Chromium it fails in CI and skips loudly elsewhere. Uncaught page errors and anything the
 * Content-Security-Policy blocked fail the test.
 */
export async function withBrowser(t: TestContext, fn: (page: Page, tp: TestPlatform) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.fail(INSTALL_HINT);
    console.error(
      `\n${'!'.repeat(78)}\n!! SKIPPING the browser test: ${CHROMIUM} is missing.\n!! ${INSTALL_HINT}\n${'!'.repeat(78)}\n`,
    );
    t.skip(INSTALL_HINT);
    return;
  }
  mkdirSync(RESULTS, { recursive: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'cbec-e2e-profile-'));
  const tp = await startTestPlatform();
  // A fresh profile per run, passed as the persistent context's directory (not --user-data-dir).
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Chromium reports each blocked resource or style on the console: every browser test is
    // also a test that the pages it visits run under the platform's Content-Security-Policy.
    const cspViolations: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' && msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
    });
    await fn(page, tp);
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(cspViolations, [], 'nothing the Content-Security-Policy blocked');
  } finally {
    await context.close();
    await tp.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

/**
 * Logs in through the log-in page as a demo user (password `cbec-demo`) and waits for the
 * dashboard; cookies are cleared first, so the same page can change users.
 */
export async function loginAs(page: Page, baseUrl: string, username: string, timeoutMs = 20_000): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('cbec-demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: timeoutMs });
  await page.getByTestId('dashboard-title').waitFor({ timeout: timeoutMs });
}

/** Waits until the locator's single element's text (trimmed) contains `expected`; fails with the last text seen. */
export async function expectContains(locator: Locator, expected: string, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let actual: string | null = null;
  while (Date.now() < deadline) {
    actual = (await locator.count()) === 1 ? ((await locator.textContent()) ?? '').trim() : null;
    if (actual?.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`${what}: expected "${expected}", got ${actual === null ? 'no single element' : `"${actual}"`}`);
}

/** Polls `check` until it holds; fails naming `what` when it does not within `ms`. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(what);
}

/**
 * Clicks `trigger` and the visible pop-confirm's OK until `done` holds: under load the pop-up may
 * still be opening when its button is clicked, and the click is then lost.
 */
export async function confirmUntil(page: Page, what: string, trigger: Locator, done: () => Promise<boolean>): Promise<void> {
  await eventually(
    what,
    async () => {
      if (await done()) return true;
      const confirm = page.locator('.ant-popconfirm:visible .ant-btn-primary');
      if (!(await confirm.count())) await trigger.click({ timeout: 5_000 }).catch(() => undefined);
      await confirm
        .first()
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      return done();
    },
    30_000,
  );
}

/** The text of the locator's first element, '' when there is none. */
export const firstText = async (l: Locator): Promise<string> =>
  (await l.count()) ? ((await l.first().textContent()) ?? '') : '';

/**
 * Chooses `label` in an Ant Design select: opens it and clicks the option until the select shows
 * the label. Under load the dropdown may still be opening when the option is clicked, and the
 * click is lost without an error.
 */
export async function chooseOption(page: Page, select: Locator, label: string): Promise<void> {
  await eventually(`"${label}" chosen`, async () => {
    if ((await firstText(select)).includes(label)) return true;
    await select.click({ timeout: 5_000 }).catch(() => undefined);
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: label })
      .first()
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    return (await firstText(select)).includes(label);
  });
}
