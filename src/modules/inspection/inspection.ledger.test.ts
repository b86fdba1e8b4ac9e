import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { submitOk } from '../../../test/support/clearance.ts';
import { asOrange, inspectionSuite, ORANGE_SELLER } from '../../../test/support/inspection.ts';
import {
  cancellationEntity,
  makeParcel,
  message,
  PARTIES,
  recordInvtNos,
  siteMessages,
  type Parcel,
} from '../../../test/support/parcels.ts';
import { loadConfig } from '../../kernel/config.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import { createPlatform, type Platform } from '../../server/platform.ts';

// The batch write-off ledger (分批核销) through the real intake and pipeline: reserved at decision,
// released at 399, given back (reserved or released) on rejection or cancellation, never negative
// and always adding up, with several outbox workers racing (decisions against cancellations,
// releases against departures); quantity given back lets held parcels draw on it (risk.redecide).

const suite = inspectionSuite({ guids: 73 });
const { tp, t, nextGuid, api, statusNow, acceptedBatch, ledgerOf } = suite;
const db = () => tp.platform.database.db;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The authority closes every accepted batch of the orange seller: the test's batch is the only one drawn on. */
async function closeOrangeBatches(): Promise<void> {
  for (const b of (await api('inspection', 'GET', '/api/v1/inspection/batches?status=accepted')).body.items!)
    if (b.enterpriseCode === ORANGE_SELLER.code)
      assert.equal((await api('inspection', 'POST', `/api/v1/inspection/batches/${b.id as string}/close`, {})).status, 200);
}

/** The broker cancels parcels (CEB605) by their inventory numbers, as intake gave them. */
async function cancel(ps: Parcel[], tag: string): Promise<void> {
  const entities = ps.map((p, i) => {
    const e = cancellationEntity(p.invtNo!, nextGuid(), `K-${tag}-${i}`);
    return { ...e, head: { ...e.head, ebcCode: ORANGE_SELLER.code, ebcName: ORANGE_SELLER.name } };
  });
  const out = await submitOk(tp, t.broker!, message('CEB605', nextGuid(), PARTIES.broker, entities));
  assert.equal(out.rejected, 0, JSON.stringify(out.entities));
}

async function pendingDeliveries(): Promise<{ pending: number; dead: number }> {
  const r = await sql<{ pending: number; dead: number }>`
    select count(*) filter (where status = 0)::int as pending, count(*) filter (where status = 2)::int as dead
    from outbox_delivery`.execute(db());
  return r.rows[0]!;
}

/** [reserved, released, writtenOff, returned, balance] well-formed against the declared quantity. */
function wellFormed(l: string[], declared: number, at: string): void {
  const [reserved, released, writtenOff, returned, balance] = l.map(Number) as [number, number, number, number, number];
  for (const v of [reserved, released, writtenOff, returned, balance])
    assert.ok(v >= 0, `${at}: never negative ${JSON.stringify(l)}`);
  assert.ok(reserved + released <= declared, `${at}: reserved + released ≤ declared ${JSON.stringify(l)}`);
  assert.ok(writtenOff <= released, `${at}: written off ≤ released ${JSON.stringify(l)}`);
  assert.equal(balance, declared - reserved - released, `${at}: balance = declared − reserved − released ${JSON.stringify(l)}`);
}

test(
  '30 quarantine parcels against a batch of 10, three outbox workers, cancellations racing the decisions: the ledger never goes negative and adds up',
  { timeout: 600_000 },
  async () => {
    await closeOrangeBatches();
    await acceptedBatch('GZ-L-10', '10');
    // Three workers on the same database, each running the outbox dispatcher (every handler):
    // intake commits here, the pipeline, the risk engine and the inspection handler run there.
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const workers: Platform[] = [];
    for (let i = 0; i < 3; i++) workers.push(await createPlatform({ config, databaseUrl: tp.database.url, migrate: false }));
    const snapshots: string[][] = [];
    let sampling = true;
    try {
      for (const w of workers) w.outbox.start();
      const sampler = (async () => {
        while (sampling) {
          snapshots.push(await ledgerOf('inspection', 'GZ-L-10'));
          await sleep(10);
        }
      })();

      const parcels = Array.from({ length: 30 }, (_, i) => {
        const p = makeParcel(i + 1, 'LG');
        asOrange(p);
        return p;
      });
      await submitOk(
        tp,
        t.platform!,
        message(
          'CEB303',
          nextGuid(),
          PARTIES.platform,
          parcels.map((p) => p.order),
        ),
      );
      await submitOk(
        tp,
        t.carrier!,
        message(
          'CEB505',
          nextGuid(),
          PARTIES.carrier,
          parcels.map((p) => p.waybill),
        ),
      );
      // Six inventory messages of five at once; as each is accepted, two of its parcels are
      // cancelled at once: the cancellations race the workers' decisions.
      const groups = Array.from({ length: 6 }, (_, g) => parcels.slice(g * 5, g * 5 + 5));
      const cancelled: Parcel[] = [];
      await Promise.all(
        groups.map(async (group, g) => {
          const guid = nextGuid();
          const out = await submitOk(
            tp,
            t.broker!,
            message(
              'CEB603',
              guid,
              PARTIES.broker,
              group.map((p) => p.inventory),
            ),
          );
          assert.equal(out.rejected, 0, JSON.stringify(out.entities));
          recordInvtNos(group, out);
          const gone = [group[0]!, group[3]!];
          cancelled.push(...gone);
          await cancel(gone, `LG${g}`);
        }),
      );

      // Until every worker is done (nothing pending twice in a row).
      const deadline = Date.now() + 240_000;
      let quiet = 0;
      while (quiet < 2) {
        assert.ok(Date.now() < deadline, `the workers settle: ${JSON.stringify(await pendingDeliveries())}`);
        quiet = (await pendingDeliveries()).pending === 0 ? quiet + 1 : 0;
        await sleep(300);
      }
      sampling = false;
      await sampler;
      assert.equal((await pendingDeliveries()).dead, 0, 'no event given up on');

      // Every snapshot taken while the workers raced was well-formed; `returned` only grows.
      assert.ok(snapshots.length > 5, `sampled while the workers ran (${snapshots.length})`);
      snapshots.forEach((s, i) => wellFormed(s, 10, `snapshot ${i}`));
      for (let i = 1; i < snapshots.length; i++)
        assert.ok(Number(snapshots[i]![3]) >= Number(snapshots[i - 1]![3]), 'returned never shrinks');

      // Final: 12 cancelled, 18 live; exactly 10 of them released (399), 8 held: a cancelled
      // parcel's quantity went back and a held parcel drew on it.
      const statuses = await Promise.all(parcels.map(async (p) => (await statusNow(p)).at(-1)));
      const byStatus = (s: string) => statuses.filter((x) => x === s).length;
      assert.deepEqual([byStatus('cancelled'), byStatus('399'), byStatus('300')], [12, 10, 8], JSON.stringify(statuses));
      for (const p of cancelled) assert.deepEqual(await statusNow(p), ['cancelled']);
      const final = await ledgerOf('inspection', 'GZ-L-10');
      wellFormed(final, 10, 'final');
      assert.deepEqual([final[0], final[1], final[2], final[4]], ['0', '10', '0', '0'], JSON.stringify(final));
      // The ledger agrees, draw by draw, with the parcels on the centralised declaration.
      const decls = (await api('inspection', 'GET', '/api/v1/inspection/declarations')).body.items!.filter(
        (d) => d.enterpriseCode === ORANGE_SELLER.code,
      );
      const lines = new Map<string, { withdrawn: boolean; state: string | null }>();
      const ids = new Map<string, string>();
      for (const d of decls) {
        const detail = await api('inspection', 'GET', `/api/v1/inspection/declarations/${d.id as string}`);
        for (const p of detail.body.parcels as {
          inventoryId: string;
          logisticsNo: string;
          withdrawn: boolean;
          lines: { batchState: string | null }[];
        }[]) {
          lines.set(p.logisticsNo, { withdrawn: p.withdrawn, state: p.lines[0]!.batchState });
          ids.set(p.logisticsNo, p.inventoryId);
        }
      }
      parcels.forEach((p, i) => {
        const l = lines.get(p.logisticsNo);
        assert.ok(l, `parcel ${i} is declared to inspection`);
        if (statuses[i] === '399') assert.deepEqual(l, { withdrawn: false, state: 'released' }, `parcel ${i}`);
        else if (statuses[i] === '300') assert.deepEqual(l, { withdrawn: false, state: null }, `parcel ${i}: held, drew nothing`);
        else assert.ok(l.withdrawn && (l.state === null || l.state === 'returned'), `parcel ${i}: ${JSON.stringify(l)}`);
      });
      const returnedDraws = [...lines.values()].filter((l) => l.state === 'returned').length;
      assert.equal(final[3], String(returnedDraws), 'returned = the cancelled parcels that had drawn');

      // The held ones are rejected (they drew nothing: nothing goes back).
      for (const [i, p] of parcels.entries())
        if (statuses[i] === '300') {
          const r = await api('customs', 'POST', `/api/v1/customs/reviews/${ids.get(p.logisticsNo)!}/reject`, {
            reason: '无批次余量',
          });
          assert.equal(r.status, 200, JSON.stringify(r.body));
        }
      await tp.platform.settle();
      assert.deepEqual(await ledgerOf('inspection', 'GZ-L-10'), final);
    } finally {
      sampling = false;
      for (const w of workers) await w.close();
    }
  },
);

test('quantity back on a batch decides held parcels again; a cancellation gives back reserved or released as it stood', async () => {
  await closeOrangeBatches();
  await acceptedBatch('GZ-L-01', '1');
  // Oranges wait for review this time: a parcel's draw stays reserved until it is decided.
  const rule = {
    id: 'R-LEDGER-REVIEW',
    effectiveFrom: '2020-01-01',
    kind: 'hs_list',
    lane: 'review',
    params: { hsPrefixes: ['0805'] },
    explainZh: '脐橙人工审核',
    explainEn: 'oranges are reviewed',
    enabled: true,
  };
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', rule)).status, 201);
  const lane = async (p: Parcel) =>
    (
      await sql<{ lane: string }>`
        select i.lane from clr_inventory i join clr_document d on d.id = i.document_id
        where d.live and i.logistics_no = ${p.logisticsNo}`.execute(db())
    ).rows[0]?.lane;
  const [a, b] = [makeParcel(1, 'LR'), makeParcel(2, 'LR')];
  asOrange(a!);
  asOrange(b!);
  const ia = await suite.declareOne(a!);
  const ib = await suite.declareOne(b!);
  assert.deepEqual([await lane(a!), await lane(b!)], ['review', 'hold'], 'a reserved the only unit; b found none');
  assert.deepEqual(await ledgerOf('seller2', 'GZ-L-01'), ['1', '0', '0', '0', '0']);

  // a is rejected on review: its reservation goes back, and the handler asks the risk engine to
  // decide b again in the same transaction; b now draws on it and waits for review.
  const redecides = async () =>
    (
      await sql<{ n: number }>`
        select count(*)::int as n from outbox_event
        where topic = 'risk.redecide' and payload->'ebcCodes' ? ${ORANGE_SELLER.code}`.execute(db())
    ).rows[0]!.n;
  const before = await redecides();
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${ia.id}/reject`, { reason: '单货不符' })).status, 200);
  await tp.platform.settle();
  assert.equal(await redecides(), before + 1, 'quantity back published risk.redecide');
  assert.equal(await lane(b!), 'review', 'b was decided again and drew the unit a gave back');
  assert.deepEqual(await ledgerOf('seller2', 'GZ-L-01'), ['1', '0', '0', '1', '0']);
  assert.deepEqual(await statusNow(b!), ['300']);

  // b is approved (399): released. Then cancelled before it departs: the released unit goes back.
  assert.equal((await api('customs', 'POST', `/api/v1/customs/reviews/${ib.id}/approve`, {})).status, 200);
  await tp.platform.settle();
  assert.deepEqual(await ledgerOf('seller2', 'GZ-L-01'), ['0', '1', '0', '1', '0']);
  await cancel([b!], 'LR');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(b!), ['cancelled']);
  assert.deepEqual(await ledgerOf('seller2', 'GZ-L-01'), ['0', '0', '0', '2', '1'], 'the released unit is back');
  assert.equal(await redecides(), before + 2);

  // Nothing held is left to draw it: a new parcel does (and waits for review).
  const c = makeParcel(3, 'LR');
  asOrange(c);
  await suite.declareOne(c);
  assert.equal(await lane(c), 'review');
  assert.deepEqual(await ledgerOf('seller2', 'GZ-L-01'), ['1', '0', '0', '2', '0']);
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', { ...rule, enabled: false })).status, 201);
});

/** One batch's quantities as stored, read in one statement (one consistent row), scaled exactly. */
async function storedLedger(batchNo: string) {
  const r = await sql<Record<'declared' | 'reserved' | 'released' | 'written_off' | 'returned', string>>`
    select declared_qty::text as declared, reserved_qty::text as reserved, released_qty::text as released,
           written_off_qty::text as written_off, returned_qty::text as returned
    from insp_batch where batch_no = ${batchNo}`.execute(db());
  const row = r.rows[0]!;
  return {
    declared: toScaled(row.declared),
    reserved: toScaled(row.reserved),
    released: toScaled(row.released),
    writtenOff: toScaled(row.written_off),
    returned: toScaled(row.returned),
  };
}
type StoredLedger = Awaited<ReturnType<typeof storedLedger>>;
const show = (l: StoredLedger): string =>
  JSON.stringify(Object.fromEntries(Object.entries(l).map(([k, v]) => [k, fromScaled(v)])));

test(
  '16 quarantine parcels against a batch of 10, eight flights departing while three outbox workers decide and release: written off ≤ released ≤ declared, never negative, exact at the end',
  { timeout: 600_000 },
  async () => {
    await closeOrangeBatches();
    await acceptedBatch('GZ-L-D10', '10');
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const workers: Platform[] = [];
    for (let i = 0; i < 3; i++) workers.push(await createPlatform({ config, databaseUrl: tp.database.url, migrate: false }));
    const snapshots: StoredLedger[] = [];
    let sampling = true;
    try {
      for (const w of workers) w.outbox.start();
      const sampler = (async () => {
        while (sampling) {
          snapshots.push(await storedLedger('GZ-L-D10'));
          await sleep(5);
        }
      })();

      const parcels = Array.from({ length: 16 }, (_, i) => {
        const p = makeParcel(i + 1, 'LD');
        asOrange(p);
        return p;
      });
      await submitOk(
        tp,
        t.platform!,
        message(
          'CEB303',
          nextGuid(),
          PARTIES.platform,
          parcels.map((p) => p.order),
        ),
      );
      await submitOk(
        tp,
        t.carrier!,
        message(
          'CEB505',
          nextGuid(),
          PARTIES.carrier,
          parcels.map((p) => p.waybill),
        ),
      );
      // Eight flights of two, a flight starting every 250 ms: each flight's inventories, then its
      // total-sub bill and its departure, while the workers are still deciding the flights before
      // and after it. A parcel is released (399 → 800) and departs (899) as soon as it is decided
      // green; its draw is released and written off by whichever worker gets the events first,
      // in whichever order, while other workers draw for the later flights.
      const flights = Array.from({ length: 8 }, (_, f) => parcels.slice(f * 2, f * 2 + 2));
      await Promise.all(
        flights.map(async (flight, f) => {
          await sleep(f * 250);
          const out = await submitOk(
            tp,
            t.broker!,
            message(
              'CEB603',
              nextGuid(),
              PARTIES.broker,
              flight.map((p) => p.inventory),
            ),
          );
          assert.equal(out.rejected, 0, JSON.stringify(out.entities));
          recordInvtNos(flight, out);
          const site = siteMessages(60 + f, flight, 'LD');
          const bill = await submitOk(tp, t.broker!, site.consolidation);
          assert.equal(bill.rejected, 0, JSON.stringify(bill.entities));
          const departure = await submitOk(tp, t.carrier!, site.departure);
          assert.equal(departure.rejected, 0, JSON.stringify(departure.entities));
        }),
      );

      const deadline = Date.now() + 240_000;
      let quiet = 0;
      while (quiet < 2) {
        assert.ok(Date.now() < deadline, `the workers settle: ${JSON.stringify(await pendingDeliveries())}`);
        quiet = (await pendingDeliveries()).pending === 0 ? quiet + 1 : 0;
        await sleep(300);
      }
      sampling = false;
      await sampler;
      assert.equal((await pendingDeliveries()).dead, 0, 'no event given up on');

      // Every stored state while the workers raced: written off ≤ released ≤ declared, reserved +
      // released ≤ declared (the balance never negative), nothing returned, nothing ever shrinking
      // but reserved (nothing is given back here).
      assert.ok(snapshots.length > 5, `sampled while the workers ran (${snapshots.length})`);
      snapshots.forEach((l, i) => {
        const at = `snapshot ${i} ${show(l)}`;
        assert.equal(l.declared, toScaled('10'), at);
        for (const v of [l.reserved, l.released, l.writtenOff, l.returned]) assert.ok(v >= 0n, `${at}: never negative`);
        assert.ok(l.writtenOff <= l.released, `${at}: written off ≤ released`);
        assert.ok(l.released <= l.declared, `${at}: released ≤ declared`);
        assert.ok(l.declared - l.reserved - l.released >= 0n, `${at}: balance never negative`);
        assert.equal(l.returned, 0n, `${at}: nothing returned`);
        const prev = snapshots[i - 1];
        if (prev) {
          assert.ok(l.released >= prev.released, `${at}: released never shrinks`);
          assert.ok(l.writtenOff >= prev.writtenOff, `${at}: written off never shrinks`);
        }
      });

      // Final: exactly 10 drew, were released and departed (899); 6 found nothing left and wait (300).
      const statuses = await Promise.all(parcels.map(async (p) => (await statusNow(p)).at(-1)));
      const byStatus = (s: string) => statuses.filter((x) => x === s).length;
      assert.deepEqual([byStatus('899'), byStatus('300')], [10, 6], JSON.stringify(statuses));
      const final = await storedLedger('GZ-L-D10');
      assert.equal(
        show(final),
        JSON.stringify({ declared: '10', reserved: '0', released: '10', writtenOff: '10', returned: '0' }),
      );
      // Draw by draw: each departed parcel's one unit released and written off once; the held ones drew nothing.
      const draws = await sql<{ logistics_no: string; qty: string; released: boolean; written_off: boolean; returned: boolean }>`
        select i.logistics_no, u.qty::text as qty, u.released_at is not null as released,
               u.written_off_at is not null as written_off, u.returned_at is not null as returned
        from insp_batch_use u join insp_batch b on b.id = u.batch_id
        join clr_inventory i on i.document_id = u.inventory_id
        where b.batch_no = 'GZ-L-D10' order by i.logistics_no`.execute(db());
      const departed = parcels.filter((_, i) => statuses[i] === '899').map((p) => p.logisticsNo);
      assert.deepEqual(
        draws.rows.map((d) => d.logistics_no),
        [...departed].sort(),
        'the departed parcels, and only they, drew on the batch',
      );
      for (const d of draws.rows)
        assert.deepEqual(
          [toScaled(d.qty), d.released, d.written_off, d.returned],
          [toScaled('1'), true, true, false],
          d.logistics_no,
        );
      // The batch's figures are the sums of its draws.
      assert.equal(
        final.writtenOff,
        draws.rows.map((d) => toScaled(d.qty)).reduce((a, b) => a + b, 0n),
      );
    } finally {
      sampling = false;
      for (const w of workers) await w.close();
    }
  },
);
