import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { cancellationEntity, guidOf, makeParcel, message, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, declareParcel, submitOk } from '../../../test/support/clearance.ts';

// Issue 7 audit, on the real platform (PostgreSQL, clearance pipeline, risk engine, inspection):
// a parcel moves on (pack, dispatch) only when customs lets it; the inspection station holds a
// parcel whose task is open; a waybill number two carriers use is never guessed.

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(93, ++g);
const CARRIER2 = { code: '3601980013', name: '顺丰速运（江西）有限公司' };

type Body = Record<string, unknown> & {
  detailZh?: string;
  detailEn?: string;
  errors?: { field: string; rule: string; message: { zh: string; en: string }; value: Record<string, string> }[];
};
const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Body>(tp, t[user]!, method, url, payload);
const db = () => tp.platform.database.db;

interface ParcelRow {
  logistics_code: string;
  status: string;
  bag_id: string | null;
  held_at: Date | null;
  held_task_id: string | null;
  held_inventory_id: string | null;
}
const stored = async (no: string): Promise<ParcelRow[]> =>
  (
    await sql<ParcelRow>`
      select logistics_code, status, bag_id, held_at, held_task_id, held_inventory_id
        from whs_parcel where logistics_no = ${no} order by logistics_code`.execute(db())
  ).rows;
const auditCount = async (action: string, no: string): Promise<number> =>
  (
    await sql<{ n: number }>`
      select count(*)::int as n from audit_log a join whs_parcel p on p.id::text = a.entity_id
       where a.action = ${action} and p.logistics_no = ${no}`.execute(db())
  ).rows[0]!.n;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['admin', 'platform', 'carrier', 'broker', 'seller', 'customs', 'warehouse'])
    t[u] = await login(tp.platform, u);
  // customs selects porcelain vases (HS 6913) for inspection: makeParcel with an odd n has one
  const rule = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-WH-GATE-6913',
    kind: 'hs_list',
    lane: 'inspect',
    params: { hsPrefixes: ['6913'], agency: 'customs' },
    effectiveFrom: '2020-01-01',
    explainZh: '说明',
    explainEn: 'explanation',
    enabled: true,
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  await tp.platform.settle();
});
after(async () => {
  await tp?.stop();
});

async function declare(p: Parcel): Promise<{ id: string; invtNo: string }> {
  const inv = await declareParcel(tp, t, p, nextGuid);
  return { id: inv.documentId!, invtNo: inv.invtNo! };
}

async function openBag(): Promise<{ id: string; bagNo: string }> {
  const bag = await api('warehouse', 'POST', '/api/v1/warehouse/bags', { route: 'US', logisticsCode: PARTIES.carrier.code });
  assert.equal(bag.status, 201, JSON.stringify(bag.body));
  return bag.body as unknown as { id: string; bagNo: string };
}

const receive = (logisticsNo: string, logisticsCode?: string) =>
  api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo, ...(logisticsCode ? { logisticsCode } : {}) });
const pack = (bagId: string, logisticsNo: string) =>
  api('warehouse', 'POST', `/api/v1/warehouse/bags/${bagId}/pack`, { logisticsNo });

test('a parcel that is not declared, or that customs has not checked yet, is refused at packing; nothing changes', async () => {
  const bag = await openBag();

  // never declared: received under its carrier, but it may not be packed
  const stray = 'NODECL0001';
  assert.equal((await receive(stray, PARTIES.carrier.code)).status, 200);
  const refused = await pack(bag.id, stray);
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.match(refused.body.detailZh!, new RegExp(`包裹 ${stray} 没有有效的出口清单`));
  assert.match(refused.body.detailEn!, new RegExp(`parcel ${stray} has no live export inventory \\(not declared`));
  assert.deepEqual(
    refused.body.errors!.map((e) => [e.rule, e.value.logisticsNo]),
    [['not_declared', stray]],
  );

  // declared, but the order never came: customs has not matched it (status 2)
  const waiting = makeParcel(2, 'GA');
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [waiting.inventory]));
  assert.ok(inv.entities[0]!.accepted, JSON.stringify(inv.entities[0]));
  await tp.platform.settle();
  const scan = await receive(waiting.logisticsNo);
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.equal(scan.body.customsStatus, '2');
  const early = await pack(bag.id, waiting.logisticsNo);
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.equal(early.body.errors![0]!.rule, 'awaiting_customs');
  assert.match(early.body.detailZh!, new RegExp(`包裹 ${waiting.logisticsNo}.*尚未经海关审核（状态 2）`));
  assert.match(early.body.detailEn!, /has not been checked by customs yet \(status 2\)/);

  for (const no of [stray, waiting.logisticsNo]) {
    const [row] = await stored(no);
    assert.equal(row!.status, 'received', `${no} stays received`);
    assert.equal(row!.bag_id, null, `${no} is in no bag`);
    assert.equal(await auditCount('warehouse.parcel_packed', no), 0);
  }
  const bags = await api('warehouse', 'GET', '/api/v1/warehouse/bags?status=open');
  assert.equal((bags.body as unknown as { id: string; parcelCount: number }[]).find((b) => b.id === bag.id)?.parcelCount, 0);
});

test('the inspection station: a scan holds the parcel and opens its task; packing waits until the task is completed', async () => {
  const vase = makeParcel(1, 'GI');
  const { id: inventoryId } = await declare(vase);
  const task = await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${vase.logisticsNo}`);
  assert.equal(task.status, 200, JSON.stringify(task.body));
  assert.equal(task.body.status, 'open');

  const scan = await receive(vase.logisticsNo);
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.equal(scan.body.held, true);
  assert.equal(scan.body.inspection, 'open');
  const opened = scan.body.inspectionTask as { id: string; status: string; agencies: string[]; pending: string[] };
  assert.equal(opened.id, task.body.id, 'the scan opens the parcel’s task');
  assert.deepEqual(opened.agencies, ['customs']);
  assert.deepEqual(opened.pending, ['customs']);
  let [row] = await stored(vase.logisticsNo);
  assert.ok(row!.held_at, 'held at the inspection station');
  assert.equal(row!.held_task_id, task.body.id);
  assert.equal(row!.held_inventory_id, inventoryId);
  assert.equal((scan.body.parcel as { heldTaskId: string }).heldTaskId, task.body.id);

  // sorted to its route, still held; packing is refused and changes nothing
  assert.equal(
    (await api('warehouse', 'POST', '/api/v1/warehouse/sort', { logisticsNo: vase.logisticsNo, route: 'US' })).status,
    200,
  );
  const bag = await openBag();
  const refused = await pack(bag.id, vase.logisticsNo);
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal(refused.body.errors![0]!.rule, 'inspection_open');
  assert.match(refused.body.detailZh!, new RegExp(`包裹 ${vase.logisticsNo}（清单 \\S+）有未完成的查验任务，须留在查验台`));
  assert.match(refused.body.detailEn!, /has an open inspection task: it stays at the inspection station/);
  [row] = await stored(vase.logisticsNo);
  assert.equal(row!.status, 'sorted');
  assert.equal(row!.bag_id, null);
  assert.ok(row!.held_at);

  // scanned again at the station: the same task, still held, nothing else changes
  const again = await receive(vase.logisticsNo);
  assert.equal(again.body.repeated, true);
  assert.equal((again.body.inspectionTask as { id: string }).id, task.body.id);
  assert.equal(await auditCount('warehouse.parcel_held', vase.logisticsNo), 0, 'the first scan held it already');

  // the officer records the finding: the task completes, customs releases (399), the hold ends
  const done = await api('customs', 'POST', `/api/v1/inspection/tasks/${task.body.id as string}/findings`, {
    result: 'pass',
    codes: ['C01'],
    photos: [],
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  await tp.platform.settle();
  [row] = await stored(vase.logisticsNo);
  assert.equal(row!.held_at, null, 'no longer held once the task is completed');
  assert.equal(row!.held_task_id, null);
  assert.equal(await auditCount('warehouse.parcel_hold_released', vase.logisticsNo), 1);
  const after = await receive(vase.logisticsNo);
  assert.equal(after.body.held, false);
  assert.equal(after.body.inspectionTask, null);
  assert.equal(after.body.customsStatus, '399');

  const packed = await pack(bag.id, vase.logisticsNo);
  assert.equal(packed.status, 200, JSON.stringify(packed.body));
  [row] = await stored(vase.logisticsNo);
  assert.equal(row!.status, 'packed');
  assert.equal(row!.bag_id, bag.id);
});

test('dispatch is all or nothing: a bag holding a cancelled parcel does not leave; taken out, the rest leaves', async () => {
  const [keep, cancel] = [makeParcel(2, 'GD'), makeParcel(4, 'GD')];
  await declare(keep!);
  const { invtNo } = await declare(cancel!);
  const bag = await openBag();
  for (const p of [keep!, cancel!]) {
    assert.equal((await receive(p.logisticsNo)).status, 200);
    const r = await pack(bag.id, p.logisticsNo);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  assert.equal((await api('warehouse', 'POST', `/api/v1/warehouse/bags/${bag.id}/close`)).status, 200);

  // the buyer cancelled: the broker withdraws the inventory after packing
  const withdrawal = await submitOk(
    tp,
    t.broker!,
    message('CEB605', nextGuid(), PARTIES.broker, [cancellationEntity(invtNo, nextGuid(), `GD-CANCEL-${invtNo}`)]),
  );
  assert.ok(withdrawal.entities[0]!.accepted, JSON.stringify(withdrawal.entities[0]));
  await tp.platform.settle();

  const refused = await api('warehouse', 'POST', '/api/v1/warehouse/dispatches', {
    bagIds: [bag.id],
    domesticTrafNo: '赣A12345',
  });
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.deepEqual(
    refused.body.errors!.map((e) => [e.rule, e.value.logisticsNo, e.value.bagId, e.value.bagNo]),
    [['not_declared', cancel!.logisticsNo, bag.id, bag.bagNo]],
    'one error per refused parcel, with the bag it is in',
  );
  assert.match(
    refused.body.detailZh!,
    new RegExp(`1 个包裹不能出库，本次全部未执行：包裹 ${cancel!.logisticsNo} 没有有效的出口清单`),
  );
  assert.match(refused.body.detailEn!, /1 parcel\(s\) may not be dispatched, so nothing was dispatched/);
  const bagRow = await sql<{ status: string; dispatch_id: string | null }>`
    select status, dispatch_id from whs_bag where id = ${bag.id}`.execute(db());
  assert.deepEqual(bagRow.rows[0], { status: 'closed', dispatch_id: null }, 'the bag stays');
  for (const p of [keep!, cancel!]) assert.equal((await stored(p.logisticsNo))[0]!.status, 'packed');
  const arrivals = await sql<{ n: number }>`
    select count(*)::int as n from clr_document d cross join jsonb_array_elements(d.lines) l
     where d.kind = 'arrival' and l->>'logisticsNo' = any(${[keep!.logisticsNo, cancel!.logisticsNo]}::text[])`.execute(db());
  assert.equal(arrivals.rows[0]!.n, 0, 'no arrival went to customs');
  const dispatches = await sql<{ n: number }>`
    select count(*)::int as n from whs_dispatch where created_at >= (select created_at from whs_bag where id = ${bag.id})`.execute(
    db(),
  );
  assert.equal(dispatches.rows[0]!.n, 0, 'no dispatch recorded');

  // the floor takes the refused parcel out of the bag; the bag leaves with the other one
  const out = await api('warehouse', 'POST', `/api/v1/warehouse/bags/${bag.id}/unpack`, { logisticsNo: cancel!.logisticsNo });
  assert.equal(out.status, 200, JSON.stringify(out.body));
  assert.deepEqual(
    (await stored(cancel!.logisticsNo)).map((r) => [r.status, r.bag_id]),
    [['sorted', null]],
  );
  const sent = await api('warehouse', 'POST', '/api/v1/warehouse/dispatches', { bagIds: [bag.id], domesticTrafNo: '赣A12345' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.body.returnStatus, '2', JSON.stringify(sent.body));
  assert.equal(sent.body.parcelCount, 1);
  assert.equal((await stored(keep!.logisticsNo))[0]!.status, 'dispatched');
  assert.equal((await stored(cancel!.logisticsNo))[0]!.status, 'sorted');
});

test('one waybill number, two carriers: the booking decides, else the operator chooses; each carrier’s own declaration', async () => {
  // a second carrier, registered with customs, with a user that sends its waybills
  const org = await api('admin', 'POST', '/api/v1/organisations', {
    kind: 'enterprise',
    name: CARRIER2.name,
    customsCode: CARRIER2.code,
    roles: ['logistics'],
    jurisdiction: '4006',
  });
  assert.equal(org.status, 201, JSON.stringify(org.body));
  const user = await api('admin', 'POST', '/api/v1/users', {
    username: 'carrier2',
    displayName: '顺丰 江西 操作员',
    password: 'Shunfeng-Floor-2026!',
    roles: ['enterprise_admin'],
    organisationId: org.body.id,
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  t.carrier2 = await login(tp.platform, 'carrier2', 'Shunfeng-Floor-2026!');
  const filing = await api('carrier2', 'POST', '/api/v1/filings/enterprise', {
    licenceNo: '360100555555555',
    legalRep: '王顺',
    contactName: '李丰',
    contactPhone: '0791-88880013',
    contactEmail: 'ops@sf-jx.example',
    address: '江西省南昌市青山湖区昌北机场物流园13号',
    roles: ['logistics'],
  });
  assert.equal(filing.status, 201, JSON.stringify(filing.body));
  assert.equal((await api('carrier2', 'POST', `/api/v1/filings/enterprise/${filing.body.id as string}/submit`)).status, 200);
  const approved = await api('customs', 'POST', `/api/v1/customs/enterprise-filings/${filing.body.id as string}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));

  // parcel A (EMS) and parcel B (the second carrier) bear the same number
  const a = makeParcel(2, 'GC');
  const b = makeParcel(4, 'GC');
  for (const d of [b.waybill, b.inventory]) {
    d.head.logisticsCode = CARRIER2.code;
    d.head.logisticsName = CARRIER2.name;
    d.head.logisticsNo = a.logisticsNo;
  }
  const { invtNo: invtA } = await declare(a);
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [b.order]));
  await submitOk(tp, t.carrier2, message('CEB505', nextGuid(), CARRIER2, [b.waybill]));
  const invB = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [b.inventory]));
  assert.ok(invB.entities[0]!.accepted, JSON.stringify(invB.entities[0]));
  await tp.platform.settle();
  const invtB = invB.entities[0]!.invtNo!;
  assert.notEqual(invtA, invtB);
  const no = a.logisticsNo;

  // booked to the centre under the second carrier: the booking knows the carrier
  const booking = await api('seller', 'POST', '/api/v1/warehouse/bookings', {
    warehouseCode: PARTIES.warehouse.code,
    logisticsCode: CARRIER2.code,
    expectedAt: '2026-11-27',
    logisticsNos: [no],
  });
  assert.equal(booking.status, 201, JSON.stringify(booking.body));
  const first = await receive(no);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((first.body.parcel as { logisticsCode: string }).logisticsCode, CARRIER2.code);
  assert.equal(first.body.booked, true);
  assert.equal(first.body.invtNo, invtB, 'the second carrier’s declaration, not the first match');

  // the number alone now means either carrier's parcel: nothing is guessed, the operator chooses
  const ambiguous = await receive(no);
  assert.equal(ambiguous.status, 409, JSON.stringify(ambiguous.body));
  assert.equal(ambiguous.body.reason, 'choose_carrier');
  assert.deepEqual(
    (ambiguous.body.candidates as { logisticsCode: string; invtNo: string; atCentre: string | null }[]).map((c) => [
      c.logisticsCode,
      c.invtNo,
      c.atCentre,
    ]),
    [
      [PARTIES.carrier.code, invtA, null],
      [CARRIER2.code, invtB, 'received'],
    ],
  );
  assert.match(ambiguous.body.detailZh!, new RegExp(`运单号 ${no} 同时属于多家承运商的包裹`));
  assert.deepEqual(
    (await stored(no)).map((r) => r.logistics_code),
    [CARRIER2.code],
    'nothing stored for the ambiguous scan',
  );

  const chosen = await receive(no, PARTIES.carrier.code);
  assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
  assert.equal(chosen.body.invtNo, invtA);
  assert.equal(chosen.body.repeated, false);
  assert.deepEqual(
    (await stored(no)).map((r) => [r.logistics_code, r.status]),
    [
      [PARTIES.carrier.code, 'received'],
      [CARRIER2.code, 'received'],
    ],
  );

  // sorting by the number alone is ambiguous too; the bag's carrier says which parcel is packed
  const sortAny = await api('warehouse', 'POST', '/api/v1/warehouse/sort', { logisticsNo: no, route: 'US' });
  assert.equal(sortAny.status, 409, JSON.stringify(sortAny.body));
  const sortA = await api('warehouse', 'POST', '/api/v1/warehouse/sort', {
    logisticsNo: no,
    route: 'US',
    logisticsCode: PARTIES.carrier.code,
  });
  assert.equal(sortA.status, 200, JSON.stringify(sortA.body));
  const bag = await openBag();
  assert.equal((await pack(bag.id, no)).status, 200);
  assert.deepEqual(
    (await stored(no)).map((r) => [r.logistics_code, r.status, r.bag_id]),
    [
      [PARTIES.carrier.code, 'packed', bag.id],
      [CARRIER2.code, 'received', null],
    ],
  );
});
