import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { DEMO_PRODUCTS } from '../filing/index.ts';
import { INSPECTION_USERS, inspectionSuite } from '../../../test/support/inspection.ts';
import { PARTIES } from '../../../test/support/parcels.ts';

// Inspection results on the trace chain (issue 8 audit): taken from the joint-inspection task's
// findings — a failure shows as failed, never as "inspected" — and entered by officers only on
// codes within their jurisdiction.
const suite = inspectionSuite({ guids: 8810, users: [...INSPECTION_USERS, 'warehouse', 'admin'] });
const { api, tp } = suite;
const product = DEMO_PRODUCTS.find((p) => p.ebcCode === PARTIES.seller.code)!;

async function newCode(batchNo: string): Promise<string> {
  const r = await api('seller', 'POST', '/api/v1/trace/codes', {
    kind: 'batch',
    itemNo: product.itemNo,
    batchNo,
    quantity: 20,
    producer: '景德镇',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body.items![0] as { code: string }).code;
}

async function inspectionLinks(code: string) {
  const r = await sql<{ result: string | null; source: string; logistics_no: string | null; note: string | null }>`
    select result, source, logistics_no, note from tr_event where code = ${code} and kind = 'inspection' order by at, id`.execute(
    tp.platform.database.db,
  );
  return r.rows;
}

type Verification = { checks: Record<string, unknown>; chain: { kind: string; result: string | null }[] };

test('a failed joint inspection joins the chain as failed: not "inspected", and the page says failed', async () => {
  const code = await newCode('INSP-FAIL');
  // parcel 4: one line, this porcelain bowl; both agencies select it, the task is open
  const { p, taskId } = await suite.jointTask(4, 'TQ', 'customs');
  assert.equal((await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: p.logisticsNo })).status, 200);
  const linked = await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, {
    kind: 'warehouse',
    logisticsNo: p.logisticsNo,
  });
  assert.equal(linked.status, 201, JSON.stringify(linked.body));
  assert.deepEqual(await inspectionLinks(code), [], 'the task is still open: no result yet');

  // customs passes, inspection finds a problem: the task fails
  const pass = await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['C01'],
    photos: [],
  });
  assert.equal(pass.status, 200, JSON.stringify(pass.body));
  const fail = await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'fail',
    codes: ['Q10'],
    notes: '釉面铅溶出量超标',
    photos: [],
  });
  assert.equal(fail.status, 200, JSON.stringify(fail.body));
  assert.equal(fail.body.status, 'failed');
  await tp.platform.settle();
  assert.deepEqual(await inspectionLinks(code), [
    { result: 'fail', source: 'inspection', logistics_no: p.logisticsNo, note: '釉面铅溶出量超标' },
  ]);
  // delivered again (the outbox repeats, the seller names the parcel again): still one link
  await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'warehouse', logisticsNo: p.logisticsNo });
  await tp.platform.settle();
  assert.equal((await inspectionLinks(code)).length, 1);

  const v = await tp.platform.app.inject({ method: 'GET', url: `/api/v1/public/trace/${code}?lang=en` });
  const body = v.json() as Verification;
  assert.deepEqual(body.checks, { filed: true, inspected: false, inspection: 'failed', departed: false });
  assert.deepEqual(
    body.chain.filter((c) => c.kind === 'inspection').map((c) => c.result),
    ['fail'],
  );
  const page = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=en` });
  assert.match(page.body, /<span data-testid="trace-inspected" class="fail">Inspected: ✘ failed<\/span>/);
  assert.doesNotMatch(page.body, /Inspected: ✔/);
  assert.match(page.body, /<b>Inspection result<\/b>.*✘ failed/);
  const zh = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=zh` });
  assert.match(zh.body, /已查验: ✘ 不合格/);

  // an officer's later pass does not hide the failure
  assert.equal(
    (await api('customs', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'inspection', result: 'pass', note: '复检' }))
      .status,
    201,
  );
  const again = (
    await tp.platform.app.inject({ method: 'GET', url: `/api/v1/public/trace/${code}?lang=en` })
  ).json() as Verification;
  assert.equal(again.checks.inspection, 'failed');
  assert.equal(again.checks.inspected, false);
});

test('a parcel named after its task passed brings the pass with it: "inspected"', async () => {
  const code = await newCode('INSP-PASS');
  // the first test's rules still select every porcelain parcel of the seller for both agencies
  const { p } = await suite.declare(6, 'TQ');
  const task = await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`);
  assert.equal(task.status, 200, JSON.stringify(task.body));
  const taskId = task.body.id as string;
  for (const user of ['customs', 'inspection'])
    assert.equal(
      (
        await api(user, 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
          result: 'pass',
          codes: [user === 'customs' ? 'C01' : 'Q00'],
          photos: [],
        })
      ).status,
      200,
    );
  await tp.platform.settle();
  assert.equal((await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: p.logisticsNo })).status, 200);
  const linked = await api('seller', 'POST', `/api/v1/trace/codes/${code}/events`, {
    kind: 'warehouse',
    logisticsNo: p.logisticsNo,
  });
  assert.equal(linked.status, 201, JSON.stringify(linked.body));
  assert.equal(linked.body.added, 2, 'the receipt and the inspection result');
  assert.deepEqual(
    (await inspectionLinks(code)).map((x) => [x.result, x.source]),
    [['pass', 'inspection']],
  );
  const v = (await tp.platform.app.inject({ method: 'GET', url: `/api/v1/public/trace/${code}?lang=en` })).json() as Verification;
  assert.deepEqual(v.checks, { filed: true, inspected: true, inspection: 'passed', departed: false });
  const page = await tp.platform.app.inject({ method: 'GET', url: `/t/${code}?lang=de` });
  assert.match(page.body, /Kontrolliert: ✔ bestanden/);
});

test('officers record inspection results only on codes within their jurisdiction', async () => {
  const code = await newCode('INSP-JUR');
  const org = await api('admin', 'POST', '/api/v1/organisations', {
    kind: 'agency',
    name: '上海海关',
    nameEn: 'Shanghai Customs',
    roles: ['customs'],
    jurisdiction: '2200',
  });
  assert.equal(org.status, 201, JSON.stringify(org.body));
  const user = await api('admin', 'POST', '/api/v1/users', {
    username: 'sh-trace',
    displayName: '上海海关 关员',
    password: 'shanghai-pass-1',
    roles: ['customs_officer'],
    organisationId: org.body.id,
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const login = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'sh-trace', password: 'shanghai-pass-1' },
    remoteAddress: '10.88.1.1',
  });
  suite.t['sh-trace'] = (login.json() as { token: string }).token;
  // the product was filed in Nanchang's district: Shanghai neither sees nor records on it
  assert.equal((await api('sh-trace', 'GET', `/api/v1/trace/codes/${code}`)).status, 404);
  const sh = await api('sh-trace', 'POST', `/api/v1/trace/codes/${code}/events`, {
    kind: 'inspection',
    result: 'fail',
    note: 'x',
  });
  assert.equal(sh.status, 404);
  assert.deepEqual(await inspectionLinks(code), [], 'nothing recorded');
  // Nanchang's inspection officer sees the code and records a failure, which needs a note
  const seen = await api('inspection', 'GET', `/api/v1/trace/codes/${code}`);
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  assert.equal(seen.body.itemNo, product.itemNo);
  const noNote = await api('inspection', 'POST', `/api/v1/trace/codes/${code}/events`, { kind: 'inspection', result: 'fail' });
  assert.equal(noNote.status, 400);
  assert.match(JSON.stringify(noNote.body), /查验不合格须说明情况.*a failed inspection needs a note/);
  assert.equal(
    (
      await api('inspection', 'POST', `/api/v1/trace/codes/${code}/events`, {
        kind: 'inspection',
        result: 'fail',
        note: '标签不符',
      })
    ).status,
    201,
  );
  assert.deepEqual(await inspectionLinks(code), [{ result: 'fail', source: 'agency', logistics_no: null, note: '标签不符' }]);
});
