import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, siteMessages, type Parcel } from '../../../test/support/parcels.ts';
import { receiptStatuses, submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';

// The real platform: the warehouse's arrival goes through clearance intake and the pipeline.
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });
const json = <T>(r: { json(): unknown }) => r.json() as T;

/** Parcels declared to customs the usual way: order, payment, waybill, inventory. */
async function declare(parcels: Parcel[], batch: number): Promise<void> {
  const send = async (
    type: 'CEB303' | 'CEB403' | 'CEB505' | 'CEB603',
    user: keyof typeof PARTIES,
    pick: (p: Parcel) => Parcel['order'],
  ) =>
    submitOk(
      tp,
      await tokenOf(user),
      message(type, guidOf(Number(type.slice(3)) * 100 + batch, batch), PARTIES[user], parcels.map(pick)),
    );
  await send('CEB303', 'platform', (p) => p.order);
  await send('CEB403', 'payer', (p) => p.payment);
  await send('CEB505', 'carrier', (p) => p.waybill);
  await send('CEB603', 'broker', (p) => p.inventory);
  await tp.platform.settle();
}

const parcels = [1, 2, 3].map((n) => makeParcel(n, 'W'));

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  await declare(parcels, 1);
});
after(async () => {
  await tp?.stop();
});

test('receive → put away → sort → pack → dispatch: the CEB507 is accepted by clearance (399)', async () => {
  // the seller books one parcel; the others arrive unbooked but declared
  const booking = await call('seller', {
    method: 'POST',
    url: '/api/v1/warehouse/bookings',
    payload: {
      warehouseCode: PARTIES.warehouse.code,
      logisticsCode: PARTIES.carrier.code,
      expectedAt: '2026-11-27',
      logisticsNos: [parcels[0]!.logisticsNo],
    },
  });
  assert.equal(booking.statusCode, 201, booking.body);
  assert.deepEqual(json<{ parcels: { status: string }[] }>(booking).parcels, [
    { logisticsNo: parcels[0]!.logisticsNo, status: 'expected' },
  ]);

  const loc = await call('warehouse', {
    method: 'PUT',
    url: '/api/v1/warehouse/locations',
    payload: [
      { code: 'A-01', zone: 'A' },
      { code: 'A-02', zone: 'A' },
    ],
  });
  assert.equal(loc.statusCode, 200, loc.body);

  for (const [i, p] of parcels.entries()) {
    // a keyboard-wedge scanner may send lower case and spaces
    const res = await call('warehouse', {
      method: 'POST',
      url: '/api/v1/warehouse/receive',
      payload: { logisticsNo: ` ${p.logisticsNo.toLowerCase()} ` },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = json<{
      parcel: { status: string; logisticsCode: string };
      booked: boolean;
      declared: boolean;
      invtNo: string | null;
      repeated: boolean;
    }>(res);
    assert.equal(body.parcel.status, 'received');
    assert.equal(body.parcel.logisticsCode, PARTIES.carrier.code);
    assert.equal(body.booked, i === 0);
    assert.equal(body.declared, true);
    assert.ok(body.invtNo);
    assert.equal(body.repeated, false);
  }
  // the receiving scan is on the parcel's tracking, under its carrier
  const timeline = await call('seller', { method: 'GET', url: `/api/v1/logistics/parcels/${parcels[1]!.logisticsNo}/timeline` });
  assert.equal(timeline.statusCode, 200, timeline.body);
  assert.ok(
    json<{ entries: { code: string }[] }>(timeline).entries.some((e) => e.code === 'in_warehouse'),
    timeline.body,
  );
  const again = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/receive',
    payload: { logisticsNo: parcels[0]!.logisticsNo },
  });
  assert.equal(json<{ repeated: boolean }>(again).repeated, true, 'a second scan changes nothing');
  const unknown = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/receive',
    payload: { logisticsNo: 'NOPE00001' },
  });
  assert.equal(unknown.statusCode, 400, 'an unknown parcel needs its carrier named');

  const put = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/put-away',
    payload: { logisticsNo: parcels[0]!.logisticsNo, location: 'a-01' },
  });
  assert.equal(json<{ location: string }>(put).location, 'A-01');
  const badLoc = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/put-away',
    payload: { logisticsNo: parcels[0]!.logisticsNo, location: 'Z-99' },
  });
  assert.equal(badLoc.statusCode, 400);
  for (const p of parcels) {
    const s = await call('warehouse', {
      method: 'POST',
      url: '/api/v1/warehouse/sort',
      payload: { logisticsNo: p.logisticsNo, route: 'us' },
    });
    assert.equal(json<{ status: string; route: string }>(s).route, 'US', s.body);
  }

  const bagRes = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/bags',
    payload: { route: 'US', logisticsCode: PARTIES.carrier.code },
  });
  assert.equal(bagRes.statusCode, 201, bagRes.body);
  const bag = json<{ id: string; bagNo: string }>(bagRes);
  assert.match(bag.bagNo, /^BG980077261126\d{4}$/);
  const wrongRoute = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/bags',
    payload: { route: 'GB', logisticsCode: PARTIES.carrier.code },
  });
  const gb = json<{ id: string }>(wrongRoute);
  const misfit = await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/bags/${gb.id}/pack`,
    payload: { logisticsNo: parcels[0]!.logisticsNo },
  });
  assert.equal(misfit.statusCode, 409, 'a parcel sorted to US does not go into a GB bag');
  for (const p of parcels) {
    const r = await call('warehouse', {
      method: 'POST',
      url: `/api/v1/warehouse/bags/${bag.id}/pack`,
      payload: { logisticsNo: p.logisticsNo },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
  const closed = await call('warehouse', { method: 'POST', url: `/api/v1/warehouse/bags/${bag.id}/close` });
  assert.equal(json<{ status: string; parcelCount: number }>(closed).parcelCount, 3);

  // another warehouse-less party cannot dispatch
  const foreign = await call('seller', {
    method: 'POST',
    url: '/api/v1/warehouse/dispatches',
    payload: { bagIds: [bag.id], domesticTrafNo: '赣A12345' },
  });
  assert.equal(foreign.statusCode, 403);

  const d = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/dispatches',
    payload: { bagIds: [bag.id], domesticTrafNo: '赣A12345', billNo: 'W-784-00000001' },
  });
  assert.equal(d.statusCode, 201, d.body);
  const disp = json<{
    returnStatus: string;
    arrivalDocumentId: string;
    preNo: string | null;
    parcelCount: number;
    bagNos: string[];
    copNo: string;
  }>(d);
  assert.equal(disp.returnStatus, '2', d.body);
  assert.ok(disp.arrivalDocumentId);
  assert.equal(disp.parcelCount, 3);
  assert.deepEqual(disp.bagNos, [bag.bagNo]);

  await tp.platform.settle();
  const db = tp.platform.database.db;
  const doc = await sql<{ status: string; lines: { logisticsNo: string; totalPackageNo: string }[]; guid: string; kind: string }>`
    select status, lines, guid, kind from clr_document where id = ${disp.arrivalDocumentId}`.execute(db);
  assert.equal(doc.rows[0]!.kind, 'arrival');
  assert.equal(doc.rows[0]!.status, '399', 'customs accepted the arrival');
  assert.deepEqual(
    (await receiptStatuses(tp, 'CEB508', doc.rows[0]!.guid)).sort(),
    ['2', '399'],
    'the warehouse got the 399 receipt',
  );
  assert.deepEqual(
    doc.rows[0]!.lines.map((l) => `${l.logisticsNo}/${l.totalPackageNo}`).sort(),
    parcels.map((p) => `${p.logisticsNo}/${bag.bagNo}`).sort(),
  );
  const events = await sql<{
    n: number;
  }>`select count(*)::int as n from clr_parcel_event where document_id = ${disp.arrivalDocumentId} and kind = 'arrival'`.execute(
    db,
  );
  assert.equal(events.rows[0]!.n, 3, 'one parcel event per parcel');

  // the dispatch feeds the broker's total-sub bill (CEB607): it binds the parcels, customs releases them
  const wl = await call('warehouse', {
    method: 'GET',
    url: `/api/v1/warehouse/dispatches/${json<{ id: string }>(d).id}/waybill-list`,
  });
  assert.equal(wl.statusCode, 200, wl.body);
  const handover = json<{
    billNo: string;
    logisticsCode: string;
    WayBillList: { gnum: string; totalPackageNo: string; logisticsNo: string; invtNo: string | null }[];
  }>(wl);
  assert.equal(handover.billNo, 'W-784-00000001');
  assert.ok(handover.WayBillList.every((l) => l.totalPackageNo === bag.bagNo && l.invtNo));
  // the broker that files the CEB607 reads the same list by bill number; another party sees none of it
  const byBill = await call('broker', { method: 'GET', url: `/api/v1/warehouse/waybill-lists?billNo=${handover.billNo}` });
  assert.equal(byBill.statusCode, 200, byBill.body);
  const forBroker = json<Omit<typeof handover, 'logisticsCode'> & { logisticsCode: string | null }>(byBill);
  assert.deepEqual(forBroker.WayBillList, handover.WayBillList, 'the broker declared all three parcels');
  assert.equal(forBroker.logisticsCode, handover.logisticsCode);
  const notOnBill = await call('seller2', { method: 'GET', url: `/api/v1/warehouse/waybill-lists?billNo=${handover.billNo}` });
  assert.equal(notOnBill.statusCode, 404, 'a party none of whose parcels is on the bill learns nothing');
  const noBill = await call('broker', { method: 'GET', url: '/api/v1/warehouse/waybill-lists?billNo=NO-SUCH-BILL' });
  assert.equal(noBill.statusCode, 404);
  const site = siteMessages(9, parcels, 'W');
  const cons = site.consolidation.entities[0]!;
  cons.head.billNo = forBroker.billNo;
  cons.lists.WayBillList = forBroker.WayBillList.map((l) => ({
    gnum: l.gnum,
    totalPackageNo: l.totalPackageNo,
    logisticsNo: l.logisticsNo,
    invtNo: l.invtNo!,
  }));
  await submitOk(tp, await tokenOf('broker'), site.consolidation);
  await tp.platform.settle();
  const released = await sql<{ n: number }>`
    select count(*)::int as n from clr_inventory where logistics_no = any(${parcels.map((p) => p.logisticsNo)}::text[]) and released_at is not null`.execute(
    db,
  );
  assert.equal(released.rows[0]!.n, 3, 'the consolidation built from the dispatch released the three parcels');

  const list = await call('warehouse', { method: 'GET', url: '/api/v1/warehouse/parcels?status=dispatched' });
  assert.equal(json<unknown[]>(list).length, 3);
  const twice = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/dispatches',
    payload: { bagIds: [bag.id], domesticTrafNo: '赣A12345' },
  });
  assert.equal(twice.statusCode, 409, 'a bag leaves once');
  const repack = await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/bags/${gb.id}/pack`,
    payload: { logisticsNo: parcels[1]!.logisticsNo },
  });
  assert.equal(repack.statusCode, 409);
});

test('label PDF for the warehouse and the booking seller; 404 for others', async () => {
  const res = await call('warehouse', { method: 'GET', url: `/api/v1/warehouse/parcels/${parcels[0]!.logisticsNo}/label.pdf` });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const seller = await call('seller', { method: 'GET', url: `/api/v1/warehouse/parcels/${parcels[0]!.logisticsNo}/label.pdf` });
  assert.equal(seller.statusCode, 200);
  const other = await call('seller2', { method: 'GET', url: `/api/v1/warehouse/parcels/${parcels[0]!.logisticsNo}/label.pdf` });
  assert.equal(other.statusCode, 404);
});

test('stock count: missing, misplaced and unexpected parcels', async () => {
  const more = [4, 5, 6].map((n) => makeParcel(n, 'W'));
  await declare(more, 2);
  for (const p of more)
    await call('warehouse', { method: 'POST', url: '/api/v1/warehouse/receive', payload: { logisticsNo: p.logisticsNo } });
  await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/put-away',
    payload: { logisticsNo: more[0]!.logisticsNo, location: 'A-01' },
  });
  await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/put-away',
    payload: { logisticsNo: more[1]!.logisticsNo, location: 'A-02' },
  });
  const c = json<{ id: string }>(await call('warehouse', { method: 'POST', url: '/api/v1/warehouse/counts', payload: {} }));
  await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/counts/${c.id}/scan`,
    payload: { logisticsNo: more[0]!.logisticsNo, location: 'A-01' },
  });
  await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/counts/${c.id}/scan`,
    payload: { logisticsNo: more[1]!.logisticsNo, location: 'A-01' },
  });
  await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/counts/${c.id}/scan`,
    payload: { logisticsNo: 'STRAY0001' },
  });
  const res = await call('warehouse', { method: 'POST', url: `/api/v1/warehouse/counts/${c.id}/close` });
  assert.equal(res.statusCode, 200, res.body);
  const body = json<{ scanned: number; discrepancies: { kind: string; logisticsNo: string }[] }>(res);
  assert.equal(body.scanned, 3);
  assert.deepEqual(
    body.discrepancies.map((d) => `${d.kind}:${d.logisticsNo}`),
    [`misplaced:${more[1]!.logisticsNo}`, `missing:${more[2]!.logisticsNo}`, 'unexpected:STRAY0001'],
  );
  const closedAgain = await call('warehouse', {
    method: 'POST',
    url: `/api/v1/warehouse/counts/${c.id}/scan`,
    payload: { logisticsNo: 'X00001' },
  });
  assert.equal(closedAgain.statusCode, 409);
});
