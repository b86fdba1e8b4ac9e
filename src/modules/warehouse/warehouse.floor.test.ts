import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, declareParcels } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';

// Issue 7 audit, on the real platform: stock counts over more stock than any list holds, stored
// and read back; dispatch lists past their page; bag numbering under concurrent clerks; pallets;
// the locations list; the S10 check at receive; the indexes the floor's lists read by.

const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(95, ++g);

type Body = Record<string, unknown> & {
  errors?: { field: string; rule: string; message: { zh: string; en: string }; value: unknown }[];
};
const api = <B = Body>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, user = 'warehouse') =>
  apiCall<B>(tp, t[user]!, method, url, payload);
const db = () => tp.platform.database.db;

interface BagView {
  id: string;
  kind: string;
  palletId: string | null;
  bagNo: string;
  route: string;
  status: string;
  parcelCount: number;
  bagCount: number;
}
interface Discrepancy {
  logisticsNo: string;
  kind: string;
  expectedLocation: string | null;
  scannedLocation: string | null;
}

let whId = '';

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'seller', 'warehouse']) t[u] = await login(tp.platform, u);
  whId = (await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.warehouse.code}`.execute(db()))
    .rows[0]!.id;
});
after(async () => {
  await tp?.stop();
});

async function receiveAll(parcels: Parcel[]): Promise<void> {
  const out = await declareParcels(tp, t, parcels, nextGuid);
  assert.ok(
    out.entities.every((e) => e.accepted),
    JSON.stringify(out.entities),
  );
  await tp.platform.settle();
  for (const p of parcels) {
    const r = await api('POST', '/api/v1/warehouse/receive', { logisticsNo: p.logisticsNo });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

test('stock count over 2,100 parcels: every missing one is found in SQL, stored, and read back', async () => {
  await api('PUT', '/api/v1/warehouse/locations', [{ code: 'K-01' }, { code: 'K-02' }]);
  // 2,100 parcels in stock at K-01, seeded in one statement
  await sql`
    insert into whs_parcel (id, warehouse_org_id, logistics_no, logistics_code, status, location, created_at, updated_at)
    select gen_random_uuid(), ${whId}, 'KC' || lpad(n::text, 8, '0'), ${PARTIES.carrier.code}, 'received', 'K-01',
           ${clock.now()}, ${clock.now()}
    from generate_series(1, 2100) n`.execute(db());
  const started = await api<{ id: string; status: string }>('POST', '/api/v1/warehouse/counts', { location: 'K-01' });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const id = started.body.id;

  // the floor resumes the open count from the list
  const open = await api<{ id: string; status: string; scanned: number }[]>('GET', '/api/v1/warehouse/counts?status=open');
  assert.deepEqual(
    open.body.map((c) => [c.id, c.status, c.scanned]),
    [[id, 'open', 0]],
  );

  // three found where they belong, one found at K-02 (misplaced is a K-01 parcel scanned elsewhere), one stray
  for (const [no, location] of [
    ['KC00000001', 'K-01'],
    ['KC00000002', 'K-01'],
    ['KC00002100', 'K-01'],
    ['KC00000003', 'K-02'],
    ['KC99999999', 'K-01'],
  ] as const) {
    const s = await api<{ scanned: number }>('POST', `/api/v1/warehouse/counts/${id}/scan`, { logisticsNo: no, location });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }
  const again = await api<{ scanned: number }>('POST', `/api/v1/warehouse/counts/${id}/scan`, { logisticsNo: 'kc00000001' });
  assert.equal(again.body.scanned, 5, 'a repeated scan counts once');

  const closed = await api<{ status: string; scanned: number; discrepancies: Discrepancy[] }>(
    'POST',
    `/api/v1/warehouse/counts/${id}/close`,
  );
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  const byKind = (ds: Discrepancy[], kind: string) => ds.filter((d) => d.kind === kind);
  assert.equal(byKind(closed.body.discrepancies, 'missing').length, 2096, 'all 2,100 but the four scanned');
  assert.ok(byKind(closed.body.discrepancies, 'missing').some((d) => d.logisticsNo === 'KC00002099'));
  assert.deepEqual(byKind(closed.body.discrepancies, 'misplaced'), [
    { logisticsNo: 'KC00000003', kind: 'misplaced', expectedLocation: 'K-01', scannedLocation: 'K-02' },
  ]);
  assert.deepEqual(byKind(closed.body.discrepancies, 'unexpected'), [
    { logisticsNo: 'KC99999999', kind: 'unexpected', expectedLocation: null, scannedLocation: 'K-01' },
  ]);

  // stored with the count
  const row = (
    await sql<{ status: string; n: number; closed_at: Date | null }>`
      select status, jsonb_array_length(discrepancies) as n, closed_at from whs_count where id = ${id}`.execute(db())
  ).rows[0]!;
  assert.deepEqual([row.status, row.n, !!row.closed_at], ['closed', 2098, true]);

  // read back: the count with its list, and the list of counts
  const read = await api<{ status: string; scanned: number; discrepancies: Discrepancy[] }>(
    'GET',
    `/api/v1/warehouse/counts/${id}`,
  );
  assert.equal(read.status, 200);
  assert.equal(read.body.scanned, 5);
  assert.deepEqual(read.body.discrepancies, closed.body.discrepancies);
  const list = await api<{ id: string; status: string; discrepancyCount: number | null }[]>('GET', '/api/v1/warehouse/counts');
  assert.deepEqual(
    list.body.filter((c) => c.id === id).map((c) => [c.status, c.discrepancyCount]),
    [['closed', 2098]],
  );

  // another centre's count is not found, and stays as it was
  const foreign = newId();
  await sql`insert into whs_count (id, warehouse_org_id, location, status, started_at)
            values (${foreign}, ${newId()}, null, 'open', ${clock.now()})`.execute(db());
  assert.equal((await api('GET', `/api/v1/warehouse/counts/${foreign}`)).status, 404);
  assert.equal((await api('POST', `/api/v1/warehouse/counts/${foreign}/close`)).status, 404);
  assert.equal((await api('GET', '/api/v1/warehouse/counts')).body instanceof Array, true);
  const untouched = await sql<{ status: string }>`select status from whs_count where id = ${foreign}`.execute(db());
  assert.equal(untouched.rows[0]!.status, 'open');
  assert.equal((await api('GET', `/api/v1/warehouse/counts/${newId()}`)).status, 404);

  // the locations list: registered codes with the stock put away there
  const locs = await api<{ code: string; parcels: number }[]>('GET', '/api/v1/warehouse/locations');
  assert.equal(locs.status, 200);
  assert.deepEqual(
    locs.body.filter((l) => l.code.startsWith('K-')).map((l) => [l.code, l.parcels]),
    [
      ['K-01', 2100],
      ['K-02', 0],
    ],
  );
  await sql`delete from whs_parcel where logistics_no like 'KC%'`.execute(db());
});

test('concurrent clerks opening bags get distinct numbers, never a 500', async () => {
  const opened = await Promise.all(
    Array.from({ length: 8 }, () =>
      api<BagView>('POST', '/api/v1/warehouse/bags', { route: 'CA', logisticsCode: PARTIES.carrier.code }),
    ),
  );
  assert.deepEqual(
    opened.map((r) => r.status),
    Array(8).fill(201),
    JSON.stringify(opened.map((r) => r.body)),
  );
  const nos = opened.map((r) => r.body.bagNo);
  assert.equal(new Set(nos).size, 8);
  const stored = await sql<{ bag_no: string }>`
    select bag_no from whs_bag where warehouse_org_id = ${whId} and route = 'CA' order by bag_no`.execute(db());
  assert.deepEqual(
    stored.rows.map((r) => r.bag_no),
    [...nos].sort(),
  );
  assert.deepEqual(
    stored.rows.map((r) => r.bag_no.slice(-4)),
    ['0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008'],
    'one sequence, no gap',
  );
});

test('pallets: bags packed by scan-first, loaded onto a pallet; the dispatch names the pallet as totalPackageNo', async () => {
  const parcels = [1, 2, 3].map((n) => makeParcel(n, 'P'));
  await receiveAll(parcels);
  for (const p of parcels) await api('POST', '/api/v1/warehouse/sort', { logisticsNo: p.logisticsNo, route: 'gb' });

  // scan-first: the first scan opens the bag for the parcel's carrier and route
  const packs: BagView[] = [];
  for (const group of [[parcels[0]!, parcels[1]!], [parcels[2]!]]) {
    const opened = await api<BagView>('POST', '/api/v1/warehouse/bags', { logisticsNo: group[0]!.logisticsNo });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.deepEqual([opened.body.kind, opened.body.route], ['bag', 'GB']);
    for (const p of group) {
      const r = await api<{ bag: BagView }>('POST', `/api/v1/warehouse/bags/${opened.body.id}/pack`, {
        logisticsNo: p.logisticsNo,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const closed = await api<BagView>('POST', `/api/v1/warehouse/bags/${opened.body.id}/close`);
    assert.equal(closed.body.parcelCount, group.length);
    packs.push(closed.body);
  }
  const [bagA, bagB] = packs as [BagView, BagView];

  // the pallet opens from the first bag scanned
  const pallet = await api<BagView>('POST', '/api/v1/warehouse/bags', { kind: 'pallet', bagNo: bagA.bagNo.toLowerCase() });
  assert.equal(pallet.status, 201, JSON.stringify(pallet.body));
  assert.match(pallet.body.bagNo, /^PL980077261126\d{4}$/);
  assert.deepEqual([pallet.body.kind, pallet.body.route], ['pallet', 'GB']);
  const palletId = pallet.body.id;

  // a pallet takes bags, not parcels; an open bag is closed before it is loaded
  const parcelOnPallet = await api('POST', `/api/v1/warehouse/bags/${palletId}/pack`, { logisticsNo: parcels[0]!.logisticsNo });
  assert.equal(parcelOnPallet.status, 409);
  const openBag = await api<BagView>('POST', '/api/v1/warehouse/bags', { route: 'GB', logisticsCode: PARTIES.carrier.code });
  const loadOpen = await api('POST', `/api/v1/warehouse/bags/${palletId}/load`, { bagNo: openBag.body.bagNo });
  assert.equal(loadOpen.status, 409);
  assert.equal(loadOpen.body.errors?.[0]?.rule, 'status');

  for (const b of [bagA, bagB]) {
    const r = await api<{ pallet: BagView; bag: BagView }>('POST', `/api/v1/warehouse/bags/${palletId}/load`, { bagNo: b.bagNo });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.bag.palletId, palletId);
  }
  const closedPallet = await api<BagView>('POST', `/api/v1/warehouse/bags/${palletId}/close`);
  assert.deepEqual([closedPallet.body.status, closedPallet.body.bagCount, closedPallet.body.parcelCount], ['closed', 2, 3]);

  // the dispatch list shows top-level packages only
  const top = await api<BagView[]>('GET', '/api/v1/warehouse/bags?status=closed&topLevel=true');
  assert.ok(top.body.some((b) => b.id === palletId));
  assert.ok(!top.body.some((b) => b.id === bagA.id || b.id === bagB.id));

  // a bag on a pallet leaves only with its pallet
  const alone = await api('POST', '/api/v1/warehouse/dispatches', { bagIds: [bagA.id], domesticTrafNo: '赣A00001' });
  assert.equal(alone.status, 409, JSON.stringify(alone.body));
  assert.equal(
    (await sql<{ n: number }>`select count(*)::int as n from whs_bag where dispatch_id is not null`.execute(db())).rows[0]!.n,
    0,
  );

  const d = await api<{ id: string; returnStatus: string; arrivalDocumentId: string; bagNos: string[]; parcelCount: number }>(
    'POST',
    '/api/v1/warehouse/dispatches',
    { bagIds: [palletId], domesticTrafNo: '赣A00001', billNo: 'PAL-784-00000001' },
  );
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal(d.body.returnStatus, '2', JSON.stringify(d.body));
  assert.deepEqual([d.body.bagNos, d.body.parcelCount], [[pallet.body.bagNo], 3]);

  // stored: the pallet and its bags left with the dispatch; the arrival names the pallet per parcel
  const bags = await sql<{ id: string; status: string; dispatch_id: string | null }>`
    select id, status, dispatch_id from whs_bag where id = any(${[palletId, bagA.id, bagB.id]}::uuid[])`.execute(db());
  assert.ok(
    bags.rows.every((b) => b.status === 'dispatched' && b.dispatch_id === d.body.id),
    JSON.stringify(bags.rows),
  );
  const doc = await sql<{ lines: { logisticsNo: string; totalPackageNo: string }[] }>`
    select lines from clr_document where id = ${d.body.arrivalDocumentId}`.execute(db());
  assert.deepEqual(
    doc.rows[0]!.lines.map((l) => l.totalPackageNo),
    [pallet.body.bagNo, pallet.body.bagNo, pallet.body.bagNo],
  );
  const statuses = await sql<{ status: string }>`
    select status from whs_parcel where logistics_no = any(${parcels.map((p) => p.logisticsNo)}::text[])`.execute(db());
  assert.deepEqual(
    statuses.rows.map((r) => r.status),
    ['dispatched', 'dispatched', 'dispatched'],
  );

  // the CEB607 hand-over names the pallet too
  const wl = await api<{ WayBillList: { totalPackageNo: string }[] }>(
    'GET',
    `/api/v1/warehouse/dispatches/${d.body.id}/waybill-list`,
  );
  assert.deepEqual(
    wl.body.WayBillList.map((l) => l.totalPackageNo),
    [pallet.body.bagNo, pallet.body.bagNo, pallet.body.bagNo],
  );
});

test('dispatch lists read past their page: an older dispatch keeps its bags and its waybill list', async () => {
  const parcels = [4, 5].map((n) => makeParcel(n, 'Q'));
  await receiveAll(parcels);
  const bag = await api<BagView>('POST', '/api/v1/warehouse/bags', { route: 'US', logisticsCode: PARTIES.carrier.code });
  for (const p of parcels) await api('POST', `/api/v1/warehouse/bags/${bag.body.id}/pack`, { logisticsNo: p.logisticsNo });
  await api('POST', `/api/v1/warehouse/bags/${bag.body.id}/close`);
  const d = await api<{ id: string; returnStatus: string }>('POST', '/api/v1/warehouse/dispatches', {
    bagIds: [bag.body.id],
    domesticTrafNo: '赣A00002',
  });
  assert.equal(d.body.returnStatus, '2', JSON.stringify(d.body));

  // 250 bags dispatched since (more than a page of bags)
  const later = new Date(clock.now().getTime() + 3600_000);
  const fake = newId();
  await sql`insert into whs_dispatch (id, warehouse_org_id, cop_no, logistics_code, domestic_traf_no, return_status,
              return_info, parcel_count, created_at)
            values (${fake}, ${whId}, 'FAKE-0', ${PARTIES.carrier.code}, 'X', '2', '', 0, ${later})`.execute(db());
  await sql`
    insert into whs_bag (id, warehouse_org_id, bag_no, route, logistics_code, status, dispatch_id, created_at)
    select gen_random_uuid(), ${whId}, 'BGFAKE' || lpad(n::text, 6, '0'), 'US', ${PARTIES.carrier.code}, 'dispatched',
           ${fake}, ${later}
    from generate_series(1, 250) n`.execute(db());
  const list = await api<{ id: string; bagNos: string[] }[]>('GET', '/api/v1/warehouse/dispatches');
  assert.deepEqual(list.body.find((x) => x.id === d.body.id)?.bagNos, [bag.body.bagNo]);
  assert.equal(list.body.find((x) => x.id === fake)?.bagNos.length, 250);

  // 120 dispatches since (more than a page of dispatches)
  await sql`
    insert into whs_dispatch (id, warehouse_org_id, cop_no, logistics_code, domestic_traf_no, return_status, return_info,
                              parcel_count, created_at)
    select gen_random_uuid(), ${whId}, 'FAKE-' || n, ${PARTIES.carrier.code}, 'X', '2', '', 0, ${later}
    from generate_series(1, 120) n`.execute(db());
  const wl = await api<{ WayBillList: { logisticsNo: string; totalPackageNo: string }[] }>(
    'GET',
    `/api/v1/warehouse/dispatches/${d.body.id}/waybill-list`,
  );
  assert.equal(wl.status, 200, JSON.stringify(wl.body));
  assert.deepEqual(wl.body.WayBillList.map((l) => l.logisticsNo).sort(), parcels.map((p) => p.logisticsNo).sort());
  // another centre's dispatch is not found
  const foreign = newId();
  await sql`insert into whs_dispatch (id, warehouse_org_id, cop_no, logistics_code, domestic_traf_no, return_status,
              return_info, parcel_count, created_at)
            values (${foreign}, ${newId()}, 'FOREIGN-1', ${PARTIES.carrier.code}, 'X', '2', '', 0, ${later})`.execute(db());
  assert.equal((await api('GET', `/api/v1/warehouse/dispatches/${foreign}/waybill-list`)).status, 404);
});

test('receive: an S10-form number with a wrong check digit is refused naming the field and the rule', async () => {
  const bad = await api('POST', '/api/v1/warehouse/receive', {
    logisticsNo: 'ee123456784cn',
    logisticsCode: PARTIES.carrier.code,
  });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.deepEqual(
    bad.body.errors?.map((e) => [e.field, e.rule]),
    [['logisticsNo', 's10CheckDigit']],
  );
  assert.match(bad.body.errors![0]!.message.zh, /S10.*校验位 4 错误，应为 5/);
  assert.match(bad.body.errors![0]!.message.en, /check digit .* 4 is wrong, expected 5/);
  const none = await sql<{ n: number }>`select count(*)::int as n from whs_parcel where logistics_no = 'EE123456784CN'`.execute(
    db(),
  );
  assert.equal(none.rows[0]!.n, 0, 'nothing received');

  // the right check digit is received (the carrier named: neither booked nor declared)
  const good = await api<{ parcel: { status: string } }>('POST', '/api/v1/warehouse/receive', {
    logisticsNo: 'EE123456785CN',
    logisticsCode: PARTIES.carrier.code,
  });
  assert.equal(good.status, 200, JSON.stringify(good.body));
  const row = await sql<{ status: string }>`select status from whs_parcel where logistics_no = 'EE123456785CN'`.execute(db());
  assert.deepEqual(row.rows, [{ status: 'received' }]);
});

test('the floor’s lists read by indexes', async () => {
  const rows = await sql<{ indexname: string }>`
    select indexname from pg_indexes where tablename in ('whs_dispatch', 'whs_bag', 'whs_parcel', 'whs_count')`.execute(db());
  const names = rows.rows.map((r) => r.indexname);
  for (const n of [
    'whs_dispatch_warehouse',
    'whs_dispatch_pending',
    'whs_bag_dispatch',
    'whs_bag_created',
    'whs_bag_pallet',
    'whs_parcel_logistics_no',
    'whs_count_warehouse',
  ])
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
});
