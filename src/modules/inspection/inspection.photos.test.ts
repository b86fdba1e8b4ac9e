import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES } from '../../../test/support/parcels.ts';
import { apiCall, declareParcel } from '../../../test/support/clearance.ts';
import { PHOTO_MAX_BYTES } from './rules/photo.rules.ts';

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(79, ++g);
/** Two open tasks of the demo seller: photos are taken for one and must not serve the other. */
const task: { a: string; b: string } = { a: '', b: '' };

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF floor photo 1')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR floor photo 2')]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 floor photo 3')]);

const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Record<string, unknown> & { items?: unknown[] }>(tp, t[user]!, method, url, payload);

function upload(user: string, taskId: string, contentType: string, body: Buffer | string) {
  return tp.platform.app.inject({
    method: 'POST',
    url: `/api/v1/inspection/tasks/${taskId}/photos`,
    headers: { authorization: `Bearer ${t[user]!}`, 'content-type': contentType },
    payload: body,
  });
}

const fetchPhoto = (user: string, id: string, headers: Record<string, string> = {}) =>
  tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/inspection/photos/${id}`,
    headers: { authorization: `Bearer ${t[user]!}`, ...headers },
  });

const photoCount = async (): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from insp_photo`.execute(tp.platform.database.db)).rows[0]!.n;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'seller', 'customs', 'inspection', 'admin'])
    t[u] = await login(tp.platform, u);
  // Customs samples every C-graded seller: each of the seller's parcels gets a (customs) task.
  const saved = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-CREDIT-SAMPLE',
    effectiveFrom: '2020-01-01',
    kind: 'credit_sampling',
    lane: 'inspect',
    params: { seed: '2026', ratesPct: { AA: 0, A: 0, B: 0, C: 100 } },
    explainZh: '按企业信用等级随机布控查验',
    explainEn: 'random inspection sample by enterprise credit level',
    enabled: true,
  });
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'C' })).status, 200);
  for (const [k, n] of [
    ['a', 1],
    ['b', 2],
  ] as const) {
    const p = makeParcel(n, 'PH');
    await declareParcel(tp, t, p, nextGuid);
    const r = await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'open');
    task[k] = r.body.id as string;
  }
});
after(async () => {
  await tp.stop();
});

test('upload: JPEG, PNG and WebP are stored with their digest and listed on the task; the same bytes again answer the same photo', async () => {
  const jpeg = await upload('customs', task.a, 'image/jpeg', JPEG);
  assert.equal(jpeg.statusCode, 201, jpeg.body);
  const body = jpeg.json() as { id: string; taskId: string; contentType: string; size: number; sha256: string; url: string };
  assert.match(body.id, /^[0-9a-f-]{36}$/);
  assert.equal(body.taskId, task.a);
  assert.equal(body.contentType, 'image/jpeg');
  assert.equal(body.size, JPEG.length);
  assert.match(body.sha256, /^[0-9a-f]{64}$/);
  assert.equal(body.url, `/api/v1/inspection/photos/${body.id}`);

  const again = await upload('customs', task.a, 'image/jpeg', JPEG);
  assert.equal(again.statusCode, 200, 'a retried upload does not store the photo twice');
  assert.equal((again.json() as { id: string }).id, body.id);

  assert.equal((await upload('customs', task.a, 'image/png', PNG)).statusCode, 201);
  assert.equal(
    (await upload('customs', task.a, 'image/webp; foo=bar', WEBP)).statusCode,
    201,
    'parameters of the type are ignored',
  );

  const view = await api('customs', 'GET', `/api/v1/inspection/tasks/${task.a}`);
  const photos = view.body.photos as { id: string; contentType: string }[];
  assert.deepEqual(
    photos.map((p) => p.contentType),
    ['image/jpeg', 'image/png', 'image/webp'],
  );
  assert.equal(photos[0]!.id, body.id);
  const listed = (await api('customs', 'GET', '/api/v1/inspection/tasks?status=open')).body.items as {
    id: string;
    photos: unknown[];
  }[];
  assert.equal(listed.find((x) => x.id === task.a)?.photos.length, 3);
  await tp.platform.settle();
  const audited = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where action = 'inspection.photo.upload'`.execute(tp.platform.database.db);
  assert.equal(audited.rows[0]!.n, 3, 'each stored photo is audited once');
});

test('wrong magic bytes, an empty body or another type are refused, named, and nothing is stored', async () => {
  const before = await photoCount();
  const png = await upload('customs', task.a, 'image/jpeg', PNG);
  assert.equal(png.statusCode, 400);
  const problem = png.json() as { code: string; detailZh: string; detailEn: string; errors: { field: string; rule: string }[] };
  assert.equal(problem.code, 'validation');
  assert.deepEqual(
    problem.errors.map((e) => `${e.field}:${e.rule}`),
    ['body:magicBytes'],
  );
  assert.match(problem.detailZh, /声明为 image\/jpeg，文件实际是 PNG/);
  assert.match(problem.detailEn, /declared image\/jpeg, the file is a PNG/);

  const html = await upload('customs', task.a, 'image/png', '<html><script>alert(1)</script></html>');
  assert.equal(html.statusCode, 400);
  assert.match((html.json() as { detailEn: string }).detailEn, /not a PNG image/);
  const truncatedWebp = await upload('customs', task.a, 'image/webp', Buffer.from('RIFF\0\0\0\0WEB'));
  assert.equal(truncatedWebp.statusCode, 400);
  const empty = await upload('customs', task.a, 'image/jpeg', Buffer.alloc(0));
  assert.equal(empty.statusCode, 400);

  const json = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.a}/photos`, { photo: 'base64…' });
  assert.equal(json.status, 415);
  assert.match(String(json.body.detailEn), /image\/jpeg, image\/png, image\/webp/);
  const gif = await upload('customs', task.a, 'image/gif', Buffer.from('GIF89a'));
  assert.equal(gif.statusCode, 415);
  assert.equal((gif.json() as { code: string }).code, 'inspection.unsupported_media_type');

  assert.equal(await photoCount(), before);
});

test('a photo over 8 MB is refused with 413 naming the limit; one of exactly 8 MB is taken', async () => {
  const before = await photoCount();
  const big = Buffer.alloc(PHOTO_MAX_BYTES + 1, 0x41);
  JPEG.copy(big);
  const res = await upload('customs', task.a, 'image/jpeg', big);
  assert.equal(res.statusCode, 413);
  const problem = res.json() as { code: string; detailZh: string; detailEn: string; errors: { field: string; rule: string }[] };
  assert.equal(problem.code, 'inspection.payload_too_large');
  assert.match(problem.detailZh, /8 MB/);
  assert.match(problem.detailEn, /exceeds the 8 MB limit/);
  assert.deepEqual(
    problem.errors.map((e) => `${e.field}:${e.rule}`),
    ['body:maxBytes'],
  );
  assert.equal(await photoCount(), before);
  const limit = await upload('customs', task.b, 'image/jpeg', big.subarray(0, PHOTO_MAX_BYTES));
  assert.equal(limit.statusCode, 201, limit.body);
});

test('a task outside the officer’s jurisdiction, or none, answers 404 to an upload and serves none of its photos', async () => {
  const db = tp.platform.database.db;
  const mine = (await upload('customs', task.b, 'image/png', PNG)).json() as { id: string };
  const before = await photoCount();
  await sql`update insp_task set customs_code = '5100' where id = ${task.b}`.execute(db);
  try {
    const foreign = await upload('customs', task.b, 'image/jpeg', JPEG);
    assert.equal(foreign.statusCode, 404);
    // The scope is checked before the body: a foreign task answers 404 whatever was sent.
    assert.equal((await upload('customs', task.b, 'image/jpeg', PNG)).statusCode, 404);
    assert.equal((await fetchPhoto('customs', mine.id)).statusCode, 404);
    assert.equal((await fetchPhoto('inspection', mine.id)).statusCode, 404);
    assert.equal((await fetchPhoto('admin', mine.id)).statusCode, 200, 'the administrator sees every jurisdiction');
  } finally {
    await sql`update insp_task set customs_code = '4006' where id = ${task.b}`.execute(db);
  }
  assert.equal((await upload('customs', '00000000-0000-7000-8000-000000000000', 'image/jpeg', JPEG)).statusCode, 404);
  assert.equal((await fetchPhoto('customs', '00000000-0000-7000-8000-000000000000')).statusCode, 404);
  // Enterprises have no inspection duty at all.
  assert.equal((await upload('seller', task.a, 'image/jpeg', JPEG)).statusCode, 403);
  assert.equal((await fetchPhoto('seller', mine.id)).statusCode, 403);
  assert.equal(await photoCount(), before);
});

test('a finding names photos of its own task only: another task’s photo is refused and nothing is recorded', async () => {
  const ofB = (await api('customs', 'GET', `/api/v1/inspection/tasks/${task.b}`)).body.photos as { id: string }[];
  const ofA = (await api('customs', 'GET', `/api/v1/inspection/tasks/${task.a}`)).body.photos as { id: string }[];
  assert.ok(ofA.length > 1 && ofB.length > 0);
  const refused = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.a}/findings`, {
    result: 'pass',
    codes: ['C01'],
    photos: [ofA[0]!.id, ofB[0]!.id],
  });
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  const errors = refused.body.errors as { field: string; rule: string }[];
  assert.deepEqual(
    errors.map((e) => `${e.field}:${e.rule}`),
    ['photos[1]:photoOfTask'],
  );
  assert.match(String(refused.body.detailEn), /was not uploaded for this inspection task/);
  const unchanged = await api('customs', 'GET', `/api/v1/inspection/tasks/${task.a}`);
  assert.equal(unchanged.body.status, 'open');
  assert.deepEqual(unchanged.body.findings, []);
  // Not an uploaded photo at all (the old free-text references): refused by the schema.
  assert.equal(
    (
      await api('customs', 'POST', `/api/v1/inspection/tasks/${task.a}/findings`, {
        result: 'pass',
        codes: ['C01'],
        photos: ['photo://1'],
      })
    ).status,
    400,
  );

  const ok = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.a}/findings`, {
    result: 'pass',
    codes: ['C01'],
    notes: '开箱查验，货证相符',
    photos: [ofA[0]!.id, ofA[1]!.id],
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'passed');
  const findings = ok.body.findings as { photos: string[] }[];
  assert.deepEqual(findings[0]!.photos, [ofA[0]!.id, ofA[1]!.id]);
  // The task is closed: no more photos for it.
  assert.equal((await upload('customs', task.a, 'image/jpeg', Buffer.concat([JPEG, Buffer.from('late')]))).statusCode, 409);
});

test('a photo is served with its content type, cacheable privately, to officers who may see the task', async () => {
  const photos = (await api('customs', 'GET', `/api/v1/inspection/tasks/${task.a}`)).body.photos as {
    id: string;
    contentType: string;
    sha256: string;
  }[];
  for (const [p, bytes] of [
    [photos[0]!, JPEG],
    [photos[1]!, PNG],
    [photos[2]!, WEBP],
  ] as const) {
    for (const who of ['customs', 'inspection']) {
      const res = await fetchPhoto(who, p.id);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], p.contentType);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['cache-control']), /^private/);
      assert.equal(res.headers.etag, `"${p.sha256}"`);
      assert.deepEqual(res.rawPayload, bytes);
    }
  }
  const cached = await fetchPhoto('customs', photos[0]!.id, { 'if-none-match': `"${photos[0]!.sha256}"` });
  assert.equal(cached.statusCode, 304);
  assert.equal(cached.rawPayload.length, 0);
});
