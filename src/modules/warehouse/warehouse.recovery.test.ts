import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';

// Failure paths of the supervision centre on the real platform: the tracking write of a scan, and
// a dispatch whose second transaction never ran (ADR 0014).
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });
const json = <T>(r: { json(): unknown }) => r.json() as T;
const db = () => tp.platform.database.db;

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

const parcels = [1, 2, 3].map((n) => makeParcel(n, 'R'));

async function receive(no: string) {
  return call('warehouse', { method: 'POST', url: '/api/v1/warehouse/receive', payload: { logisticsNo: no } });
}

/** Receives, bags and closes parcels; answers the bag id. */
async function closedBag(nos: string[]): Promise<string> {
  const bag = json<{ id: string }>(
    await call('warehouse', {
      method: 'POST',
      url: '/api/v1/warehouse/bags',
      payload: { route: 'US', logisticsCode: PARTIES.carrier.code },
    }),
  );
  for (const no of nos) {
    const r = await call('warehouse', {
      method: 'POST',
      url: `/api/v1/warehouse/bags/${bag.id}/pack`,
      payload: { logisticsNo: no },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
  assert.equal((await call('warehouse', { method: 'POST', url: `/api/v1/warehouse/bags/${bag.id}/close` })).statusCode, 200);
  return bag.id;
}

const repair = () => call('warehouse', { method: 'POST', url: '/api/v1/warehouse/dispatches/repair' });
const parcelStatus = async (no: string) =>
  (await sql<{ status: string }>`select status from whs_parcel where logistics_no = ${no}`.execute(db())).rows[0]?.status;

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  await declare(parcels, 1);
});
after(async () => {
  await tp?.stop();
});

test('a receiving scan and its tracking event commit together: when the event cannot be written, the scan is not taken', async () => {
  const no = parcels[0]!.logisticsNo;
  await sql`
    create function test_refuse_event() returns trigger language plpgsql as $$
    begin raise exception 'tracking store unavailable'; end $$`.execute(db());
  await sql
    .raw(
      `create trigger test_refuse_event before insert on lgx_event for each row when (new.logistics_no = '${no}') execute function test_refuse_event()`,
    )
    .execute(db());
  const failed = await receive(no);
  assert.equal(failed.statusCode, 500, failed.body);
  assert.equal(await parcelStatus(no), undefined, 'no scan without its tracking event');

  await sql`drop trigger test_refuse_event on lgx_event`.execute(db());
  const ok = await receive(no);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(json<{ repeated: boolean }>(ok).repeated, false, 'the scan again is a first scan');
  const events = await sql<{ code: string; source: string }>`
    select code, source from lgx_event where logistics_no = ${no}`.execute(db());
  assert.deepEqual(events.rows, [{ code: 'in_warehouse', source: 'warehouse' }]);
});

test('a dispatch left pending after customs took its arrival is completed by the repair', async () => {
  for (const p of parcels.slice(1)) assert.equal((await receive(p.logisticsNo)).statusCode, 200);
  const bagId = await closedBag([parcels[0]!.logisticsNo, parcels[1]!.logisticsNo]);
  const d = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/dispatches',
    payload: { bagIds: [bagId], domesticTrafNo: '赣A12345' },
  });
  assert.equal(d.statusCode, 201, d.body);
  const sent = json<{ id: string; arrivalDocumentId: string; returnStatus: string }>(d);
  assert.equal(sent.returnStatus, '2', d.body);
  // the process died after intake committed the arrival, before the outcome was written: what the
  // first transaction (the claim) left, and nothing of the second
  await sql`update whs_dispatch set return_status = 'pending', return_info = '', arrival_document_id = null, pre_no = null
             where id = ${sent.id}`.execute(db());
  await sql`update whs_parcel set status = 'packed', dispatched_at = null where bag_id = ${bagId}`.execute(db());

  const early = json<{ completed: unknown[]; released: unknown[] }>(await repair());
  assert.deepEqual(early, { completed: [], released: [] }, 'a dispatch may still be on its way: not touched at once');

  clock.advance(6 * 60_000);
  const res = await repair();
  assert.equal(res.statusCode, 200, res.body);
  const done = json<{ completed: { id: string; arrivalDocumentId: string; returnStatus: string }[]; released: unknown[] }>(res);
  assert.equal(done.completed.length, 1);
  assert.equal(done.completed[0]!.id, sent.id);
  assert.equal(done.completed[0]!.arrivalDocumentId, sent.arrivalDocumentId, 'the arrival customs holds');
  assert.notEqual(done.completed[0]!.returnStatus, 'pending');
  assert.equal(await parcelStatus(parcels[0]!.logisticsNo), 'dispatched');
  assert.equal(await parcelStatus(parcels[1]!.logisticsNo), 'dispatched');
  assert.deepEqual(json<{ completed: unknown[] }>(await repair()).completed, [], 'once');

  await tp.platform.settle();
  const audit = await sql<{ n: number }>`
    select count(*)::int as n from audit_log where action = 'warehouse.dispatch_repaired' and entity_id = ${sent.id}`.execute(
    db(),
  );
  assert.equal(audit.rows[0]!.n, 1, 'the repair is audited');
});

test('a dispatch that died before customs got its arrival gives its bags back, to be dispatched again', async () => {
  const no = parcels[2]!.logisticsNo;
  const bagId = await closedBag([no]);
  // the claim committed, the submission never did
  const dispatchId = '018f0000-0000-7000-8000-00000000d150';
  await sql`insert into whs_dispatch (id, warehouse_org_id, cop_no, logistics_code, bill_no, domestic_traf_no, arrival_document_id,
              pre_no, return_status, return_info, parcel_count, created_at)
            select ${dispatchId}, warehouse_org_id, 'DTEST0001', logistics_code, null, '赣A1', null, null, 'pending', '', 1, ${clock.now()}
              from whs_bag where id = ${bagId}`.execute(db());
  await sql`update whs_bag set status = 'dispatched', dispatch_id = ${dispatchId} where id = ${bagId}`.execute(db());
  clock.advance(6 * 60_000);
  const res = json<{ completed: unknown[]; released: { id: string; returnStatus: string }[] }>(await repair());
  assert.deepEqual(
    res.released.map((r) => [r.id, r.returnStatus]),
    [[dispatchId, 'abandoned']],
  );
  const bag = await sql<{
    status: string;
    dispatch_id: string | null;
  }>`select status, dispatch_id from whs_bag where id = ${bagId}`.execute(db());
  assert.deepEqual(bag.rows[0], { status: 'closed', dispatch_id: null });
  const again = await call('warehouse', {
    method: 'POST',
    url: '/api/v1/warehouse/dispatches',
    payload: { bagIds: [bagId], domesticTrafNo: '赣A12345' },
  });
  assert.equal(json<{ returnStatus: string }>(again).returnStatus, '2', again.body);
  assert.equal(await parcelStatus(no), 'dispatched');
});
