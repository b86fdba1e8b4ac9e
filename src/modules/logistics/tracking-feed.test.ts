// The live tracking stream (SSE) across processes (issue 7, ADR 0012): two API instances on one
// PostgreSQL and the running NATS; an event posted to one reaches the streams of the other, only
// for organisations that may see it, and a reconnect with Last-Event-ID gets every event missed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { encodeCeb } from '../../ceb/index.ts';
import { connectBus } from '../../kernel/bus.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createPlatform, seedDemo, type Platform } from '../../server/platform.ts';
import { serverDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { requireNats } from '../../../test/support/nats.ts';
import { need, unavailable } from '../../../test/support/needs.ts';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { SENDER_USER } from '../../../test/support/clearance.ts';
import { login } from '../../../test/support/platform.ts';
import { organisationDirectory } from '../identity/index.ts';
import { newId } from '../../kernel/ids.ts';
import { createLogisticsRepository } from './logistics.repository.ts';
import type { EventRow } from './logistics.tables.ts';
import { createTrackingFeed } from './tracking-feed.service.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `cbect${randomBytes(4).toString('hex')}`;
const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));

interface Instance {
  platform: Platform;
  url: string;
}
let database: TestDatabase;
/** one process with everything, no NATS (single-process mode) */
let single: Instance;
/** two API processes, scaled out over NATS */
let apiA: Instance;
let apiB: Instance;
const instances: Instance[] = [];

async function start(env: NodeJS.ProcessEnv): Promise<Instance> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: '0', ...env });
  const platform = await createPlatform({ config, databaseUrl: database.url, clock, log: createLogger('silent') });
  const url = await platform.app.listen({ port: 0, host: '127.0.0.1' });
  const i = { platform, url };
  instances.push(i);
  return i;
}

const tokens = new Map<string, string>();
const tokenOf = async (u: string): Promise<string> => tokens.get(u) ?? tokens.set(u, await login(single.platform, u)).get(u)!;

async function orgIdOf(code: string): Promise<string> {
  return (await organisationDirectory(single.platform.database.db).idsByCodes([code])).get(code)!;
}

/** Declares a parcel's four documents through intake (the seller is a party on the inventory). */
async function declare(on: Instance, parcel: Parcel, n: number): Promise<void> {
  for (const [type, entity] of [
    ['CEB303', parcel.order],
    ['CEB403', parcel.payment],
    ['CEB505', parcel.waybill],
    ['CEB603', parcel.inventory],
  ] as const) {
    const m = message(type, guidOf(Number(type.slice(3)) * 10 + 8, n), PARTIES[SENDER_USER[type] as keyof typeof PARTIES], [
      entity,
    ]);
    const res = await fetch(`${on.url}/api/v1/ceb`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(SENDER_USER[type]!)}`, 'content-type': 'application/xml' },
      body: encodeCeb(m),
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal((JSON.parse(body) as { rejected: number }).rejected, 0, body);
  }
}

/** The carrier posts tracking events to one instance; answers how many were stored. */
async function postEvents(on: Instance, events: { logisticsNo: string; code: string; at: string; country?: string }[]) {
  const res = await fetch(`${on.url}/api/v1/logistics/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokenOf('carrier')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return (JSON.parse(body) as { stored: number }).stored;
}

interface Frame {
  id: string | null;
  event: string | null;
  data: { id: string; seq: number; logisticsNo: string; logisticsCode: string; code: string; at: string } & Record<
    string,
    unknown
  >;
}

/** A real SSE client over HTTP: frames as they arrive, parsed. */
async function openStream(on: Instance, user: string, headers: Record<string, string> = {}, query = '') {
  const ac = new AbortController();
  const res = await fetch(`${on.url}/api/v1/logistics/events/stream${query}`, {
    headers: { authorization: `Bearer ${await tokenOf(user)}`, ...headers },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const frames: Frame[] = [];
  let connected = false;
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block === ': connected') connected = true;
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2) ?? null;
          const data = field('data');
          if (data !== null) frames.push({ id: field('id'), event: field('event'), data: JSON.parse(data) as Frame['data'] });
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  const until = async (what: string, ok: () => boolean, ms = 15_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`${user}: timed out waiting for ${what}; got ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('the stream to open', () => connected);
  return {
    frames,
    /** waits until `n` frames arrived in all */
    frameCount: (n: number) => until(`${n} frames`, () => frames.length >= n),
    close: () => ac.abort(),
  };
}

const summary = (f: Frame) => `${f.data.logisticsNo}:${f.data.code}`;

before(async () => {
  // Without the PostgreSQL server or NATS every test skips loudly (fails in CI).
  if ((await unavailable('server', 'nats')).length) return;
  await requireNats(NATS_URL);
  database = await serverDatabase();
  single = await start({});
  await seedDemo(single.platform);
  [apiA, apiB] = [
    await start({ CBEC_ROLE: 'api', NATS_URL, NATS_PREFIX: prefix }),
    await start({ CBEC_ROLE: 'api', NATS_URL, NATS_PREFIX: prefix }),
  ];
});

after(async () => {
  for (const i of instances.splice(0)) await i.platform.close().catch(() => undefined);
  await database?.drop();
});

test('single process (no NATS): live events carry their feed position; Last-Event-ID resumes', async (t) => {
  if (!(await need(t, 'server', 'nats'))) return;
  const carrier = await openStream(single, 'carrier');
  assert.equal(await postEvents(single, [{ logisticsNo: 'EE100000003CN', code: 'accepted', at: '2026-11-25T01:00:00Z' }]), 1);
  await carrier.frameCount(1);
  const first = carrier.frames[0]!;
  assert.equal(first.event, 'tracking');
  assert.equal(first.id, String(first.data.seq));
  assert.equal(summary(first), 'EE100000003CN:accepted');
  assert.equal(first.data.logisticsCode, PARTIES.carrier.code);
  carrier.close();

  // missed while disconnected: two requests, one of them with two events
  await postEvents(single, [{ logisticsNo: 'EE100000003CN', code: 'departed_origin', at: '2026-11-25T05:00:00Z' }]);
  await postEvents(single, [
    { logisticsNo: 'EE100000003CN', code: 'in_transit', at: '2026-11-25T09:00:00Z' },
    { logisticsNo: 'EE100000017CN', code: 'accepted', at: '2026-11-25T09:30:00Z' },
  ]);
  const resumed = await openStream(single, 'carrier', { 'last-event-id': first.id! });
  await resumed.frameCount(3);
  assert.deepEqual(resumed.frames.map(summary), [
    'EE100000003CN:departed_origin',
    'EE100000003CN:in_transit',
    'EE100000017CN:accepted',
  ]);
  const seqs = resumed.frames.map((f) => f.data.seq);
  assert.ok(
    seqs.every((s, i) => s > (i ? seqs[i - 1]! : first.data.seq)),
    `positions increase: ${seqs}`,
  );
  // a new stream without a cursor starts at the end: nothing is replayed
  const fresh = await openStream(single, 'carrier');
  await postEvents(single, [{ logisticsNo: 'EE100000003CN', code: 'arrived_destination', at: '2026-11-25T20:00:00Z' }]);
  await fresh.frameCount(1);
  await resumed.frameCount(4);
  assert.deepEqual(fresh.frames.map(summary), ['EE100000003CN:arrived_destination']);
  assert.equal(summary(resumed.frames[3]!), 'EE100000003CN:arrived_destination');
  fresh.close();
  resumed.close();
});

test('two API instances over NATS: an event posted to A reaches the streams on B of those who may see it; resume misses nothing', async (t) => {
  if (!(await need(t, 'server', 'nats'))) return;
  const mine = makeParcel(1, 'F');
  const other = makeParcel(2, 'F');
  // the seller is a party to `mine` (on its inventory); `other` has no customs documents, so its
  // events go to the carrier alone
  await declare(apiA, mine, 1);
  // what travels on NATS, seen by a third connection
  const bus = await connectBus({ url: NATS_URL, prefix, ackWaitMs: 3000, log: createLogger('silent') });
  const signals: string[] = [];
  bus.nc.subscribe(bus.subjects.tracking, { callback: (err, m) => (err ? undefined : void signals.push(m.string())) });
  await bus.nc.flush();
  const seller = await openStream(apiB, 'seller');
  const carrier = await openStream(apiB, 'carrier');
  const stranger = await openStream(apiB, 'seller2');

  assert.equal(
    await postEvents(apiA, [
      { logisticsNo: mine.logisticsNo, code: 'accepted', at: '2026-11-26T01:00:00Z' },
      { logisticsNo: other.logisticsNo, code: 'accepted', at: '2026-11-26T01:05:00Z' },
    ]),
    2,
  );
  await carrier.frameCount(2);
  await seller.frameCount(1);
  const got = seller.frames[0]!;
  assert.equal(got.event, 'tracking');
  assert.equal(got.id, String(got.data.seq));
  assert.equal(got.data.logisticsNo, mine.logisticsNo);
  assert.equal(got.data.logisticsCode, PARTIES.carrier.code);
  assert.equal(got.data.code, 'accepted');
  assert.equal(got.data.at, '2026-11-26T01:00:00.000Z');
  assert.deepEqual(got.data.label, { zh: '已揽收', en: 'accepted' });
  const stored = await sql<{ id: string; code: string }>`
    select id, code from lgx_event where logistics_no = ${mine.logisticsNo}`.execute(apiB.platform.database.db);
  assert.deepEqual(stored.rows, [{ id: got.data.id, code: 'accepted' }], 'the stream sends the stored event, with its id');
  assert.deepEqual(carrier.frames.map(summary), [`${mine.logisticsNo}:accepted`, `${other.logisticsNo}:accepted`]);
  assert.equal(carrier.frames[0]!.id, got.id, 'one position per event, whoever reads it');
  // the wake-up A sent: organisation ids and the last position, nothing of the events themselves
  const sellerOrg = await orgIdOf(PARTIES.seller.code);
  const carrierOrg = await orgIdOf(PARTIES.carrier.code);
  for (const deadline = Date.now() + 5_000; !signals.length && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(signals.length, 1, signals.join('\n'));
  const signal = JSON.parse(signals[0]!) as { from: string; orgs: string[]; seq: number };
  assert.deepEqual(Object.keys(signal).sort(), ['from', 'orgs', 'seq']);
  assert.ok(signal.orgs.includes(sellerOrg) && signal.orgs.includes(carrierOrg), signals[0]);
  assert.equal(signal.seq, carrier.frames[1]!.data.seq);
  assert.ok(!signals[0]!.includes(mine.logisticsNo), 'no logistics numbers on the bus');

  // the seller disconnects; events are posted to A meanwhile, one of them for the other parcel
  seller.close();
  await postEvents(apiA, [{ logisticsNo: mine.logisticsNo, code: 'departed_origin', at: '2026-11-26T03:00:00Z' }]);
  await postEvents(apiA, [{ logisticsNo: other.logisticsNo, code: 'departed_origin', at: '2026-11-26T03:10:00Z' }]);
  await postEvents(apiA, [{ logisticsNo: mine.logisticsNo, code: 'in_transit', at: '2026-11-26T05:00:00Z', country: 'US' }]);
  await carrier.frameCount(5);

  // reconnecting to B with Last-Event-ID: exactly what was missed, in order, then live again
  const resumed = await openStream(apiB, 'seller', { 'last-event-id': got.id! });
  await resumed.frameCount(2);
  assert.deepEqual(resumed.frames.map(summary), [`${mine.logisticsNo}:departed_origin`, `${mine.logisticsNo}:in_transit`]);
  assert.equal(resumed.frames[1]!.data.country, 'US');
  const carrierIds = new Map(carrier.frames.map((f) => [summary(f), f.id]));
  for (const f of resumed.frames) assert.equal(f.id, carrierIds.get(summary(f)), 'the positions the carrier saw');
  // resuming on A (the other instance) by ?after= gives the same
  const onA = await openStream(apiA, 'seller', {}, `?after=${got.id}`);
  await onA.frameCount(2);
  assert.deepEqual(
    onA.frames.map((f) => f.id),
    resumed.frames.map((f) => f.id),
  );
  onA.close();

  await postEvents(apiA, [{ logisticsNo: mine.logisticsNo, code: 'arrived_destination', at: '2026-11-26T08:00:00Z' }]);
  await resumed.frameCount(3);
  await carrier.frameCount(6);
  assert.equal(summary(resumed.frames[2]!), `${mine.logisticsNo}:arrived_destination`);
  assert.equal(resumed.frames.length, 3, 'nothing of the other parcel');

  // the stranger (another seller, a party to neither parcel) saw nothing and has no feed at all
  assert.deepEqual(stranger.frames, []);
  const feedOf = async (code: string) =>
    (
      await sql<{ n: number }>`
        select count(*)::int as n from lgx_feed_entry where recipient_org_id = ${await orgIdOf(code)}`.execute(
        apiB.platform.database.db,
      )
    ).rows[0]!.n;
  assert.equal(await feedOf('3601260999'), 0);
  assert.equal(await feedOf(PARTIES.seller.code), 4, 'the seller: the four events of its parcel');
  assert.equal(await feedOf(PARTIES.carrier.code), 6 + 5, 'the carrier: every event it sent (5 in the first test)');
  for (const s of [carrier, resumed, stranger]) s.close();
  await bus.close();
});

test('events whose process died before sequencing enter the feed by the sweep; a stream with no signal polls them in', async (t) => {
  if (!(await need(t, 'server', 'nats'))) return;
  const db = apiA.platform.database.db;
  const carrier = await openStream(apiB, 'carrier');
  const carrierOrg = await orgIdOf(PARTIES.carrier.code);
  // stored and queued as an ingest does, then the process "dies": no pass, no signal
  const crashed = createTrackingFeed({ db, log: createLogger('silent') });
  const row: EventRow = {
    id: newId(),
    carrier_org_id: carrierOrg,
    carrier_code: PARTIES.carrier.code,
    logistics_no: 'EE100000025CN',
    code: 'accepted',
    at: new Date('2026-11-26T06:00:00Z'),
    location: '南昌',
    country: 'CN',
    description: '',
    service_code: null,
    source: 'api',
    created_at: clock.now(),
  };
  await db.transaction().execute(async (trx) => {
    await createLogisticsRepository(trx).insertEvents([row]);
    await crashed.queue(trx, [row], new Map([[row.id, [carrierOrg]]]), clock.now());
  });
  const waiting = await sql<{ n: number }>`select count(*)::int as n from lgx_feed_batch`.execute(db);
  assert.equal(waiting.rows[0]!.n, 1);
  // a worker's sweep (here with no bus: it wakes no stream of B) sequences it
  const sweep = createTrackingFeed({ db, log: createLogger('silent'), intervalMs: 50 });
  sweep.start();
  try {
    await carrier.frameCount(1);
  } finally {
    await sweep.stop();
  }
  assert.deepEqual(carrier.frames.map(summary), ['EE100000025CN:accepted']);
  assert.equal(carrier.frames[0]!.data.id, row.id);
  assert.equal(carrier.frames[0]!.data.location, '南昌');
  const left = await sql<{ n: number }>`select count(*)::int as n from lgx_feed_batch`.execute(db);
  assert.equal(left.rows[0]!.n, 0);
  carrier.close();
});
