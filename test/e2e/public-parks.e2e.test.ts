/**
 * Browser test of the public parks, training and support-programme page (issue 8 point 4): the
 * commerce department registers a park, schedules a course and publishes a programme (API); anyone,
 * without logging in, finds all three, in Chinese and English, and nothing needing a session is called.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx --test test/e2e/public-parks.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBrowser, eventually, firstText } from '../support/browser.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';

const text = firstText;

async function post(tp: TestPlatform, token: string, url: string, payload: Record<string, unknown>): Promise<void> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    payload,
  });
  assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
}

test('public parks page: no log-in, shows a park, a course and a programme, zh/en, no 401', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const token = await apiLogin(tp.platform, 'commerce');
    await post(tp, token, '/api/v1/parks', {
      name: '赣州跨境电商测试园',
      nameEn: 'Ganzhou E2E Test Park',
      region: '36070',
      kind: 'park',
      address: '赣州市章贡区',
    });
    await post(tp, token, '/api/v1/offerings', {
      kind: 'course',
      title: '跨境电商 9710 申报公开课',
      titleEn: '9710 declaration open class',
      startsAt: '2099-03-10T01:00:00Z',
      endsAt: '2099-03-10T09:00:00Z',
      place: '南昌综合保税区 培训中心',
      capacity: 40,
    });
    await post(tp, token, '/api/v1/programmes', {
      name: '海外仓建设补助测试项目',
      category: 'overseas_service',
      rules: [],
      opensOn: '2020-01-01',
      closesOn: '2099-12-31',
    });

    const apiCalls: string[] = [];
    const unauthorised: string[] = [];
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(url.pathname);
      if (res.status() === 401) unauthorised.push(res.url());
    });

    await page.goto(`${tp.baseUrl}/public/parks`);
    const title = page.getByTestId('public-parks-title');
    const parks = page.getByTestId('public-parks-table');
    const offerings = page.getByTestId('public-offerings-table');
    const programmes = page.getByTestId('public-programmes-table');
    await eventually('the page opens without a session, in Chinese', async () =>
      (await text(title)).includes('产业园区、培训与扶持项目'),
    );
    assert.ok(!page.url().includes('/login'), page.url());
    await eventually('the park is listed', async () => (await text(parks)).includes('赣州跨境电商测试园'));
    await eventually('the course is listed with its time and seats', async () => {
      const s = await text(offerings);
      return s.includes('跨境电商 9710 申报公开课') && s.includes('2099-03-10 09:00') && s.includes('培训课程');
    });
    assert.match(await text(offerings), /40/);
    await eventually('the programme is listed with its window, open', async () => {
      const s = await text(programmes);
      return s.includes('海外仓建设补助测试项目') && s.includes('2020-01-01 ~ 2099-12-31') && s.includes('申报中');
    });
    assert.ok((await page.getByTestId('public-parks-login').count()) === 1, 'a link to log in to enrol or apply');

    await page.getByTestId('lang-en').click();
    await eventually('in English', async () => (await text(title)).includes('Parks, training and support programmes'));
    await eventually('the park in English', async () => (await text(parks)).includes('Ganzhou E2E Test Park'));
    await eventually('the course in English', async () => {
      const s = await text(offerings);
      return s.includes('9710 declaration open class') && s.includes('Training course');
    });
    await eventually('the programme in English', async () => {
      const s = await text(programmes);
      return s.includes('海外仓建设补助测试项目') && s.includes('Overseas services') && s.includes('Open');
    });

    // the service-point directory links here
    await page.goto(`${tp.baseUrl}/public/service-points`);
    await page.getByTestId('public-points-parks-link').click();
    await eventually('back on the parks page', async () => (await text(title)).includes('Parks, training'));

    assert.deepEqual(unauthorised, [], 'no call needing a session');
    const notPublic = apiCalls.filter((p) => !p.startsWith('/api/v1/public/'));
    assert.deepEqual(notPublic, [], 'only public APIs are called');
    for (const p of ['/api/v1/public/parks', '/api/v1/public/offerings', '/api/v1/public/programmes'])
      assert.ok(apiCalls.includes(p), `${p} called`);
  });
});
