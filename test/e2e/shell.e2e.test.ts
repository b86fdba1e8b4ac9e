/**
 * Browser test of the web shell: log-in, role-dependent menu, role workbench, log-out, language
 * switch remembered per user. Drives Debian's Chromium through playwright-core.
 *
 *   node --import tsx --test test/e2e/shell.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { RESULTS, withBrowser } from '../support/browser.ts';

const PASSWORD = 'cbec-demo';
const WAIT_MS = 15_000;

/** Waits until the locator's text (trimmed) equals `expected`; fails with the last text seen. */
async function expectText(locator: Locator, expected: string, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let actual: string | null = null;
  while (Date.now() < deadline) {
    actual = (await locator.count()) === 1 ? ((await locator.textContent()) ?? '').trim() : null;
    if (actual === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: expected "${expected}", got ${actual === null ? 'no single element' : `"${actual}"`}`);
}

/** Asserts that the visible side menu holds exactly these labels under these keys. */
async function expectMenu(page: Page, shown: Record<string, string>, hidden: readonly string[], who: string): Promise<void> {
  for (const [key, label] of Object.entries(shown)) {
    await expectText(page.getByTestId(`menu-${key}`), label, `${who}: menu item ${key}`);
  }
  for (const key of hidden) {
    assert.equal(await page.getByTestId(`menu-${key}`).count(), 0, `${who}: menu item ${key} must not be shown`);
  }
}

async function login(page: Page, baseUrl: string, username: string, password = PASSWORD) {
  if (!page.url().includes('/login')) await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

async function loginOk(page: Page, baseUrl: string, username: string): Promise<void> {
  await login(page, baseUrl, username);
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: WAIT_MS });
  await page.getByTestId('dashboard-title').waitFor({ timeout: WAIT_MS });
}

async function logout(page: Page): Promise<void> {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout') && r.request().method() === 'POST');
  await page.getByTestId('logout').click();
  assert.equal((await answer).status(), 204, 'POST /api/v1/auth/logout answers 204');
  await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT_MS });
}

void test('web shell: log-in, role menus and workbenches, language remembered per user', { timeout: 180_000 }, async (t) => {
  await withBrowser(t, async (page, platform) => {
    const { baseUrl } = platform;

    // Not logged in: the app sends us to the log-in page, in Chinese.
    await page.goto(`${baseUrl}/`);
    await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT_MS });
    assert.equal(await page.title(), 'CBEC Window 跨境电商出口单一窗口');

    // A wrong password is refused with the server's message and we stay on /login.
    await login(page, baseUrl, 'seller', 'not-the-password');
    const error = page.getByTestId('login-error');
    await error.waitFor({ timeout: WAIT_MS });
    assert.ok(((await error.textContent()) ?? '').trim().length > 0, 'log-in error has a message');
    assert.equal(new URL(page.url()).pathname, '/login');

    // Seller (e-commerce enterprise).
    await loginOk(page, baseUrl, 'seller');
    await expectMenu(
      page,
      { dashboard: '工作台', organisation: '本企业', 'api-keys': 'API 密钥', codes: '代码表' },
      ['organisations', 'audit'],
      'seller',
    );
    await expectText(page.getByTestId('dashboard-title'), '电商企业工作台', 'seller dashboard title');
    await page.getByTestId('organisation-card').waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(RESULTS, 'shell-seller-zh.png'), fullPage: true });

    await logout(page);
    // The session is gone on the server too: the app sends us back to /login.
    await page.goto(`${baseUrl}/`);
    await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT_MS });

    // Customs officer.
    await loginOk(page, baseUrl, 'customs');
    await expectMenu(page, { dashboard: '工作台', codes: '代码表', organisations: '企业与机构' }, ['api-keys'], 'customs');
    await expectText(page.getByTestId('dashboard-title'), '海关工作台', 'customs dashboard title');

    // Switch to English: saved for the user on the server.
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me/locale') && r.request().method() === 'PUT');
    await page.getByTestId('lang-en').click();
    const answer = await saved;
    assert.equal(answer.status(), 204, 'PUT /api/v1/auth/me/locale answers 204');
    assert.deepEqual(answer.request().postDataJSON(), { locale: 'en' });
    const english = { dashboard: 'Dashboard', codes: 'Code tables', organisations: 'Organisations' };
    await expectMenu(page, english, ['api-keys'], 'customs (en)');
    await expectText(page.getByTestId('dashboard-title'), 'Customs workbench', 'customs title (en)');

    // Reload without the browser's own memory: English must come from the user's record.
    await page.evaluate('window.localStorage.clear()');
    await page.reload();
    await page.getByTestId('dashboard-title').waitFor({ timeout: WAIT_MS });
    await expectMenu(page, english, ['api-keys'], 'customs after reload');
    await expectText(page.getByTestId('dashboard-title'), 'Customs workbench', 'title after reload');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.screenshot({ path: join(RESULTS, 'shell-customs-en.png'), fullPage: true });

    // Per user: the seller still gets Chinese after the customs officer chose English.
    await logout(page);
    await loginOk(page, baseUrl, 'seller');
    await expectText(page.getByTestId('menu-dashboard'), '工作台', 'seller menu after customs chose en');
    await expectText(page.getByTestId('dashboard-title'), '电商企业工作台', 'seller title, zh again');
  });
});
