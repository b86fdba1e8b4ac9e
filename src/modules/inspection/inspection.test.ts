import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { receiptStatuses } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, ORANGE_FILING } from '../../../test/support/inspection.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

const { tp, api, statusNow, declare, photoFor, jointTask } = inspectionSuite({ guids: 78 });

test('demo: the orange seller is filed with inspection, so an ordinary orange parcel releases (399)', async () => {
  const { p } = await declare(1, 'Q', asOrange);
  assert.deepEqual(await statusNow(p), ['399']);
});

test('inspection filing: a quarantine product without it is held; filed, rejected, resubmitted, approved, the next parcel passes', async () => {
  await sql`delete from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(tp.platform.database.db);
  const held = await declare(2, 'Q', asOrange);
  assert.deepEqual(await statusNow(held.p), ['300']);
  assert.equal((await api('customs', 'GET', `/api/v1/risk/decisions/${held.id}`)).body.lane, 'hold');

  const filing = ORANGE_FILING;
  // Every problem named, nothing stored.
  const bad = await api('seller2', 'POST', '/api/v1/inspection/filings', {
    ...filing,
    quarantineCategory: 'rocks',
    certificates: [],
  });
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.body.errors as { field: string }[]).map((e) => e.field).sort(), ['certificates', 'quarantineCategory']);
  assert.equal((await api('customs', 'POST', '/api/v1/inspection/filings', filing)).status, 403, 'an agency does not file');

  const submitted = await api('seller2', 'POST', '/api/v1/inspection/filings', filing);
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  assert.equal(submitted.body.status, 'submitted');
  const id = submitted.body.id as string;
  assert.equal((await api('seller2', 'POST', '/api/v1/inspection/filings', filing)).status, 409, 'one live filing per product');
  assert.equal(
    (await api('seller', 'GET', '/api/v1/inspection/filings')).body.items!.length,
    0,
    'another seller sees none of it',
  );
  assert.equal(
    (await api('customs', 'POST', `/api/v1/inspection/filings/${id}/decision`, { approve: true })).status,
    403,
    'the inspection desk approves, not the customs officer',
  );
  assert.equal((await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/decision`, { approve: false })).status, 400);
  const rejected = await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/decision`, {
    approve: false,
    reason: '果园注册证书扫描件不清晰',
  });
  assert.equal(rejected.body.status, 'rejected');
  assert.equal((await api('seller2', 'POST', '/api/v1/inspection/filings', filing)).body.status, 'submitted', 'resubmitted');
  const approved = await api('inspection', 'POST', `/api/v1/inspection/filings/${id}/decision`, { approve: true });
  assert.equal(approved.body.status, 'approved');
  const mine = (await api('seller2', 'GET', '/api/v1/inspection/filings')).body.items as { id: string; status: string }[];
  assert.deepEqual(
    mine.filter((f) => f.id === id).map((f) => f.status),
    ['approved'],
  );

  const next = await declare(3, 'Q', asOrange);
  assert.deepEqual(await statusNow(next.p), ['399']);
});

test('joint inspection: both agencies select, one task; release needs both clearances, recorded once', async () => {
  // Customs samples every C-graded seller; inspection selects porcelain (HS 6911) for a check.
  // n = 4: one line, a bowl (6911). The floor scans the waybill number.
  const { p, taskId } = await jointTask(4, 'Q', 'customs');
  assert.equal((await api('seller', 'GET', `/api/v1/inspection/tasks/${taskId}`)).status, 403);

  const customs = await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['C01'],
    notes: '开箱查验，货证相符',
    photos: [await photoFor('customs', taskId, 'photo 1')],
  });
  assert.equal(customs.status, 200, JSON.stringify(customs.body));
  assert.equal(customs.body.status, 'open');
  assert.deepEqual(customs.body.pending, ['inspection']);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['300'], 'customs alone does not release');
  assert.equal(
    (await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, { result: 'pass', codes: ['C01'], photos: [] }))
      .status,
    409,
    'an agency records once',
  );
  assert.equal(
    (
      await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
        agency: 'inspection',
        result: 'pass',
        codes: ['Q00'],
        photos: [],
      })
    ).status,
    403,
    'a customs officer does not record for inspection',
  );

  const ciq = await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['Q00'],
    notes: '未见有害生物',
    photos: [],
  });
  assert.equal(ciq.status, 200, JSON.stringify(ciq.body));
  assert.equal(ciq.body.status, 'passed');
  // The release goes to clearance through the outbox, committed with the finding.
  await tp.platform.settle();
  const released = await api('inspection', 'GET', `/api/v1/inspection/tasks/${taskId}`);
  assert.ok(released.body.releasedAt, 'released once every agency has cleared it');
  assert.deepEqual(await statusNow(p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500', '399']);

  // A failed finding rejects the inventory (100) with the finding as reason.
  const bad = await declare(6, 'Q');
  const badTask = (await api('inspection', 'GET', `/api/v1/inspection/tasks/by-waybill/${bad.p.logisticsNo}`)).body;
  assert.equal(
    (
      await api('inspection', 'POST', `/api/v1/inspection/tasks/${badTask.id as string}/findings`, {
        result: 'fail',
        codes: ['Q20'],
        photos: [],
      })
    ).status,
    400,
    'a failure needs notes',
  );
  // Result codes come from the code list, matching the result: free text and a pass code on a
  // failure are refused, each named in both languages; nothing is recorded.
  const free = await api('inspection', 'POST', `/api/v1/inspection/tasks/${badTask.id as string}/findings`, {
    result: 'fail',
    codes: ['虫子', 'Q00'],
    notes: '发现活体害虫',
    photos: [],
  });
  assert.equal(free.status, 400, JSON.stringify(free.body));
  assert.deepEqual(
    (free.body.errors as { field: string; rule: string }[]).map((e) => `${e.field}:${e.rule}`),
    ['codes[0]:code', 'codes[1]:result', 'codes:failureCode'],
  );
  assert.match(JSON.stringify(free.body), /查验结果代码 虫子 不在代码表中.*result code 虫子 is not in the code list/);
  assert.match(JSON.stringify(free.body), /结论为异常，不能使用代码 Q00.*a failure cannot carry code Q00/);
  const untouched = await api('inspection', 'GET', `/api/v1/inspection/tasks/${badTask.id as string}`);
  assert.deepEqual([untouched.body.status, untouched.body.findings], ['open', []]);
  const codeList = (await api('inspection', 'GET', '/api/v1/inspection/finding-codes')).body.items!;
  assert.deepEqual(
    codeList.filter((c) => c.code === 'Q20').map((c) => [c.category, c.zh]),
    [['fail_quarantine', '不合格-检疫：发现有害生物']],
  );
  assert.equal((await api('seller', 'GET', '/api/v1/inspection/finding-codes')).status, 403);

  const failed = await api('inspection', 'POST', `/api/v1/inspection/tasks/${badTask.id as string}/findings`, {
    result: 'fail',
    codes: ['Q20'],
    notes: '发现活体害虫',
    photos: [await photoFor('inspection', badTask.id as string, 'photo 2')],
  });
  assert.equal(failed.body.status, 'failed');
  assert.deepEqual(
    (failed.body.findings as { codes: string[] }[]).map((f) => f.codes),
    [['Q20']],
  );
  await tp.platform.settle();
  assert.deepEqual(await statusNow(bad.p), ['100']);

  const m = await api('customs', 'GET', '/api/v1/inspection/measures');
  assert.equal(m.body.total, 2);
  assert.equal(m.body.failed, 1);
  assert.equal(m.body.hitRate, 0.5);
  await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'AA' });
});

test('全备案: a filed product counts only while its enterprise is filed with inspection too', async () => {
  const db = tp.platform.database.db;
  const enterprise = sql`kind = 'enterprise' and enterprise_code = '3601260999'`;
  await sql`update insp_filing set status = 'submitted' where ${enterprise}`.execute(db);
  const held = await declare(40, 'Q', asOrange);
  assert.deepEqual(await statusNow(held.p), ['300'], 'the product is filed, its enterprise is not (yet)');
  const decision = await api('customs', 'GET', `/api/v1/risk/decisions/${held.id}`);
  assert.equal(decision.body.lane, 'hold');
  assert.match(JSON.stringify(decision.body), /enterprise and product/);
  await sql`update insp_filing set status = 'approved' where ${enterprise}`.execute(db);
  const passed = await declare(41, 'Q', asOrange);
  assert.deepEqual(await statusNow(passed.p), ['399']);
});
