import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, message, siteMessages, guidOf, PARTIES } from '../../../test/support/parcels.ts';
import { SENDER_USER, submitOk } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';

// The real platform: carrier events in through the routes, customs states from real clearance.
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
const tokens = new Map<string, string>();
const tokenOf = async (u: string) => tokens.get(u) ?? tokens.set(u, await login(tp.platform, u)).get(u)!;
const call = async (u: string, o: InjectOptions) =>
  tp.platform.app.inject({ ...o, headers: { ...o.headers, authorization: `Bearer ${await tokenOf(u)}` } });

before(async () => {
  tp = await startTestPlatform({ clock });
});
after(async () => {
  await tp?.stop();
});

test('carrier services with routes; directory by destination country', async () => {
  const ems = await call('carrier', {
    method: 'PUT',
    url: '/api/v1/logistics/services',
    payload: { code: 'T-EMS', name: '国际 EMS', kind: 'ems', countries: ['us', 'GB', 'DE'], transitDays: 7 },
  });
  assert.equal(ems.statusCode, 201, ems.body);
  const air = await call('carrier', {
    method: 'PUT',
    url: '/api/v1/logistics/services',
    payload: { code: 'T-RA', name: '国际航空挂号小包', kind: 'air_registered', countries: ['FR'] },
  });
  assert.equal(air.statusCode, 201);
  const again = await call('carrier', {
    method: 'PUT',
    url: '/api/v1/logistics/services',
    payload: { code: 'T-EMS', name: '国际 EMS 特快', kind: 'ems', countries: ['US', 'GB'] },
  });
  assert.equal(again.statusCode, 200);
  const bad = await call('carrier', {
    method: 'PUT',
    url: '/api/v1/logistics/services',
    payload: { code: 'X', name: 'x', kind: 'express', countries: ['U1'] },
  });
  assert.equal(bad.statusCode, 400);
  assert.equal((bad.json() as { errors: { field: string }[] }).errors[0]!.field, 'countries');

  const codesTo = async (country: string) =>
    ((await call('seller', { method: 'GET', url: `/api/v1/logistics/services?country=${country}` })).json() as { code: string }[])
      .map((s) => s.code)
      .filter((c) => c.startsWith('T-'));
  assert.deepEqual(await codesTo('US'), ['T-EMS']);
  assert.deepEqual(await codesTo('FR'), ['T-RA']);
  assert.deepEqual(await codesTo('DE'), [], 'the update took DE off the T-EMS route');
  // only a carrier registers services
  const notCarrier = await call('seller', {
    method: 'PUT',
    url: '/api/v1/logistics/services',
    payload: { code: 'S', name: 's', kind: 'express', countries: ['US'] },
  });
  assert.equal(notCarrier.statusCode, 403);
});

test('events by API: good rows stored, bad rows reported per row (S10 check digit, code, time)', async () => {
  const res = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: {
      events: [
        { logisticsNo: 'EE123456785CN', code: 'accepted', at: '2026-11-20 10:00', location: '南昌', serviceCode: 'EMS' },
        { logisticsNo: 'EE123456784CN', code: 'accepted', at: '2026-11-20T10:00:00+08:00' },
        { logisticsNo: 'SF12345', code: 'accepted', at: '2026-11-20T10:00:00Z', serviceCode: 'EMS' },
        { logisticsNo: 'EE123456785CN', code: 'teleported', at: 'yesterday' },
        { logisticsNo: 'EE123456785CN', code: 'in_transit', at: '2026-11-21T02:00:00Z', country: 'US' },
      ],
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { stored: number; rejected: number; errors: { row: number; column: string; rule: string }[] };
  assert.equal(body.stored, 2);
  assert.equal(body.rejected, 3);
  assert.deepEqual(
    body.errors.map((e) => `${e.row}:${e.column}:${e.rule}`),
    ['2:logisticsNo:s10CheckDigit', '3:logisticsNo:s10Format', '4:code:enum', '4:at:dateTime'],
  );
  const dup = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: { events: [{ logisticsNo: 'EE123456785CN', code: 'accepted', at: '2026-11-20T02:00:00Z' }] },
  });
  assert.deepEqual(dup.json(), { received: 1, stored: 0, duplicates: 1, rejected: 0, errors: [] });
});

test('events by CSV: spreadsheet row numbers in the errors', async () => {
  const csv = [
    'logisticsNo,code,at,location,country,description',
    'RR100000140CN,accepted,2026-11-22 09:00,南昌,,收寄',
    'RR100000141CN,accepted,2026-11-22 09:00,南昌,,收寄',
    'RR100000140CN,returned,2026-11-25 09:00,南昌,CN,退回',
    'LX100000025CN,held,2026-11-25 10:00,Paris,FR,customs hold',
  ].join('\n');
  const res = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events/csv',
    payload: csv,
    headers: { 'content-type': 'text/csv' },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { stored: number; errors: { row: number; rule: string }[] };
  assert.equal(body.stored, 3);
  assert.deepEqual(
    body.errors.map((e) => `${e.row}:${e.rule}`),
    ['3:s10CheckDigit'],
  );
  const noColumn = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events/csv',
    payload: 'logisticsNo,at\nRR100000140CN,2026-11-22 09:00\n',
    headers: { 'content-type': 'text/csv' },
  });
  assert.equal(noColumn.statusCode, 400);
});

test('timeline: from the order through customs to delivery; order only for its parties; strangers get 404', async () => {
  const parcel = makeParcel(1, 'T');
  for (const [i, [type, entity]] of (
    [
      ['CEB303', parcel.order],
      ['CEB403', parcel.payment],
      ['CEB505', parcel.waybill],
      ['CEB603', parcel.inventory],
    ] as const
  ).entries()) {
    // a minute apart (09:00 order … 09:03 inventory): the timeline shows them in that order
    if (i) clock.advance(60_000);
    await submitOk(
      tp,
      await tokenOf(SENDER_USER[type]!),
      message(type, guidOf(Number(type.slice(3)) * 10 + 1, 1), PARTIES[SENDER_USER[type] as keyof typeof PARTIES], [entity]),
    );
  }
  const site = siteMessages(1, [parcel], 'T');
  await submitOk(tp, await tokenOf('warehouse'), site.arrival);
  await tp.platform.settle();
  // before any scan the seller names the carrier: customs states only
  const early = await call('seller', {
    method: 'GET',
    url: `/api/v1/logistics/parcels/${parcel.logisticsNo}/timeline?logisticsCode=${PARTIES.carrier.code}`,
  });
  assert.equal(early.statusCode, 200, early.body);
  assert.ok((early.json() as { entries: { source: string }[] }).entries.every((e) => e.source === 'customs'));
  const scans = await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: {
      events: [
        { logisticsNo: parcel.logisticsNo, code: 'accepted', at: '2026-11-26T09:04:00Z' },
        {
          logisticsNo: parcel.logisticsNo,
          code: 'delivered',
          at: '2026-11-26T09:05:00Z',
          country: 'US',
          location: 'Los Angeles',
        },
      ],
    },
  });
  assert.equal((scans.json() as { stored: number }).stored, 2, scans.body);
  const res = await call('seller', { method: 'GET', url: `/api/v1/logistics/parcels/${parcel.logisticsNo}/timeline` });
  assert.equal(res.statusCode, 200, res.body);
  const t = res.json() as {
    invtNo: string | null;
    customsStatus: string;
    entries: { source: string; code: string; at: string; label: { zh: string; en: string } }[];
  };
  assert.ok(t.invtNo, 'the inventory number is on the timeline');
  assert.equal(t.customsStatus, '399');
  const codes = t.entries.map((e) => `${e.source}:${e.code}`);
  assert.ok(codes.includes('carrier:accepted'));
  assert.ok(codes.includes('carrier:delivered'));
  assert.ok(
    codes.some((c) => c.startsWith('customs:waybill.')),
    codes.join(),
  );
  assert.ok(codes.some((c) => c.startsWith('customs:inventory.')));
  assert.ok(codes.some((c) => c.startsWith('customs:arrival.')));
  const sorted = [...t.entries].sort((a, b) => a.at.localeCompare(b.at));
  assert.deepEqual(t.entries, sorted, 'in time order');
  assert.equal(t.entries.at(-1)!.code, 'delivered');
  // the timeline starts with the order, then the payment collection (the seller is on both)
  assert.deepEqual(
    codes.slice(0, 2).map((c) => c.split('.')[0]),
    ['customs:order', 'customs:payment'],
    codes.join(),
  );
  assert.ok(t.entries[0]!.at < t.entries[1]!.at && t.entries[1]!.at < t.entries[2]!.at, 'order, payment, then waybill');
  assert.match(t.entries[0]!.label.zh, /^订单：/);
  assert.match(t.entries[0]!.label.en, /^order: /);

  // the carrier is on the waybill and inventory, not on the order or payment: it sees the parcel without them
  const carrier = await call('carrier', { method: 'GET', url: `/api/v1/logistics/parcels/${parcel.logisticsNo}/timeline` });
  assert.equal(carrier.statusCode, 200, carrier.body);
  const carrierCodes = (carrier.json() as { entries: { source: string; code: string }[] }).entries.map(
    (e) => `${e.source}:${e.code}`,
  );
  assert.ok(carrierCodes.some((c) => c.startsWith('customs:waybill.')));
  assert.ok(!carrierCodes.some((c) => /^customs:(order|payment)\./.test(c)), carrierCodes.join());
  assert.match(carrierCodes[0]!, /^customs:waybill\./, 'its timeline starts with the waybill');

  const stranger = await call('seller2', { method: 'GET', url: `/api/v1/logistics/parcels/${parcel.logisticsNo}/timeline` });
  assert.equal(stranger.statusCode, 404);
});

test('problem parcels: no scan for N days, returned, held', async () => {
  clock.set(new Date('2026-12-01T09:00:00Z'));
  // five days on, sessions have idled out: log in again
  tokens.clear();
  const res = await call('carrier', { method: 'GET', url: '/api/v1/logistics/problems?days=5' });
  assert.equal(res.statusCode, 200, res.body);
  const page = res.json() as { items: { logisticsNo: string; reason: string }[]; next: string | null };
  // oldest scan first: in transit since 11-21, returned 11-25 01:00Z, held 11-25 02:00Z; the delivered parcel is none
  assert.deepEqual(
    page.items.map((p) => `${p.logisticsNo}:${p.reason}`),
    ['EE123456785CN:no_scan', 'RR100000140CN:returned', 'LX100000025CN:held'],
  );
  assert.equal(page.next, null);
  clock.set(new Date('2026-11-26T09:00:00Z'));
  tokens.clear();
  const fewer = await call('carrier', { method: 'GET', url: '/api/v1/logistics/problems?days=30' });
  assert.ok(!(fewer.json() as { items: { reason: string }[] }).items.some((p) => p.reason === 'no_scan'));
});

test('export: documented JSON form with customs state per parcel', async () => {
  const res = await call('carrier', {
    method: 'GET',
    url: '/api/v1/logistics/export?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
  });
  assert.equal(res.statusCode, 200, res.body);
  const x = res.json() as {
    format: string;
    carrier: { code: string };
    parcels: { logisticsNo: string; customs: { invtNo: string | null }; events: unknown[] }[];
  };
  assert.equal(x.format, 'cbec-window.logistics/1');
  assert.equal(x.carrier.code, PARTIES.carrier.code);
  const lg = x.parcels.find((p) => p.logisticsNo === makeParcel(1, 'T').logisticsNo);
  assert.ok(lg?.customs.invtNo);
  assert.equal(lg.events.length, 2);
  assert.equal(x.parcels.length, 4);
  const bad = await call('carrier', {
    method: 'GET',
    url: '/api/v1/logistics/export?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
  });
  assert.equal(bad.statusCode, 400);
});

test('server-sent events: the carrier sees its new scan live', async () => {
  const ac = new AbortController();
  const res = await fetch(`${tp.baseUrl}/api/v1/logistics/events/stream`, {
    headers: { authorization: `Bearer ${await tokenOf('carrier')}` },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!text.includes(': connected')) text += dec.decode((await reader.read()).value);
  await call('carrier', {
    method: 'POST',
    url: '/api/v1/logistics/events',
    payload: {
      events: [{ logisticsNo: 'EE123456785CN', code: 'arrived_destination', at: '2026-11-23T02:00:00Z', country: 'US' }],
    },
  });
  while (!text.includes('event: tracking')) text += dec.decode((await reader.read()).value);
  assert.match(text, /"code":"arrived_destination"/);
  ac.abort();
});
