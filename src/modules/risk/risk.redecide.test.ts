import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { receiptStatuses } from '../../../test/support/clearance.ts';
import { asOrange, CIQ_PORCELAIN_RULE, inspectionSuite, ORANGE_FILING } from '../../../test/support/inspection.ts';
import type { Parcel } from '../../../test/support/parcels.ts';

// Audit follow-ups of issue 5: a joint task names every agency whose rule stopped the parcel; a
// parcel decided again keeps its first decision (history, measures); a rule edited or switched off
// decides again the parcels it held.

const { tp, api, statusNow, declare } = inspectionSuite({ guids: 84 });
const db = () => tp.platform.database.db;

type Hit = { rule: string; lane: string; agency: string };
type Measures = { total: number; green: number; perRule: { rule: string; lane: string; hits: number }[] };

const measures = async (): Promise<Measures> => {
  const r = await api('customs', 'GET', '/api/v1/risk/measures');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as unknown as Measures;
};
const ruleHits = (m: Measures, rule: string, lane: string): number =>
  m.perRule.find((x) => x.rule === rule && x.lane === lane)?.hits ?? 0;

test('a customs review hit and an inspection-agency inspect hit make one joint task: release needs both clearances', async () => {
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', CIQ_PORCELAIN_RULE)).status, 201);
  // n even: one line, a porcelain bowl (inspection selects HS 6911), described only as "礼品" (customs reviews it).
  const { p, id } = await declare(2, 'RJ', (x) => {
    x.inventory.lists.InventoryList![0]!.gname = '礼品';
  });
  assert.deepEqual(await statusNow(p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);
  const d = await api('customs', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(d.body.lane, 'inspect');
  assert.deepEqual((d.body.hits as Hit[]).map((h) => [h.rule, h.lane, h.agency]).sort(), [
    ['R-CIQ-PORCELAIN', 'inspect', 'inspection'],
    ['R-VAGUE', 'review', 'customs'],
  ]);

  const task = await api('inspection', 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`);
  assert.equal(task.status, 200, JSON.stringify(task.body));
  assert.deepEqual(
    [task.body.agencies, task.body.joint],
    [['customs', 'inspection'], true],
    'customs takes part for its review hit',
  );
  const taskId = task.body.id as string;
  const ciq = await api('inspection', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['Q00'],
    photos: [],
  });
  assert.equal(ciq.status, 200, JSON.stringify(ciq.body));
  assert.deepEqual([ciq.body.status, ciq.body.pending], ['open', ['customs']]);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['300'], 'the inspection agency alone does not release what customs held for review');
  const customs = await api('customs', 'POST', `/api/v1/inspection/tasks/${taskId}/findings`, {
    result: 'pass',
    codes: ['C01'],
    notes: '品名核实为青花瓷碗',
    photos: [],
  });
  assert.equal(customs.status, 200, JSON.stringify(customs.body));
  assert.equal(customs.body.status, 'passed');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['399']);
  assert.equal(
    (await api('customs', 'POST', '/api/v1/risk/rules', { ...CIQ_PORCELAIN_RULE, enabled: false })).status,
    201,
    'porcelain no longer selected for the tests below',
  );
});

test('a held parcel fixed and decided again keeps its first decision: the hits that held it, and measures count it as not auto-released', async () => {
  await sql`delete from insp_filing where item_no = 'GZ-ORANGE-5KG'`.execute(db());
  const before = await measures();
  const { p, id } = await declare(3, 'RH', asOrange);
  assert.deepEqual(await statusNow(p), ['300']);
  const first = await api('customs', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(first.body.lane, 'hold');
  assert.deepEqual(first.body.earlier, []);
  const held = await measures();
  assert.deepEqual([held.total - before.total, held.green - before.green], [1, 0]);
  assert.equal(ruleHits(held, 'R-QUARANTINE', 'hold'), ruleHits(before, 'R-QUARANTINE', 'hold') + 1);

  // The seller files the product with inspection; approved, its held parcels are decided again.
  const filed = await api('seller2', 'POST', '/api/v1/inspection/filings', ORANGE_FILING);
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const approved = await api('inspection', 'POST', `/api/v1/inspection/filings/${filed.body.id as string}/decision`, {
    approve: true,
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(p), ['399'], 'decided again and released');

  const now = await api('customs', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(now.body.lane, 'green');
  assert.deepEqual(now.body.hits, []);
  const earlier = now.body.earlier as { lane: string; hits: Hit[]; decidedAt: string; supersededAt: string }[];
  assert.equal(earlier.length, 1);
  assert.equal(earlier[0]!.lane, 'hold');
  assert.deepEqual(
    earlier[0]!.hits.map((h) => h.rule),
    ['R-QUARANTINE'],
    'the hits that held it are kept',
  );
  assert.equal(earlier[0]!.decidedAt, first.body.decidedAt);
  assert.equal(earlier[0]!.supersededAt, now.body.decidedAt);
  const row = await sql<{ first_lane: string; first_decided_at: Date; decided_at: Date }>`
    select first_lane, first_decided_at, decided_at from rsk_decision where inventory_id = ${id}`.execute(db());
  assert.equal(row.rows[0]!.first_lane, 'hold');
  assert.equal(row.rows[0]!.first_decided_at.toISOString(), first.body.decidedAt);
  assert.ok(row.rows[0]!.decided_at.getTime() >= row.rows[0]!.first_decided_at.getTime());

  const after = await measures();
  assert.equal(after.total, held.total, 'still one decision per parcel');
  assert.equal(after.green, held.green, 'held first, so not auto-released');
  assert.equal(
    ruleHits(after, 'R-QUARANTINE', 'hold'),
    ruleHits(held, 'R-QUARANTINE', 'hold'),
    'its quarantine hit still counts',
  );
});

test('customs loosening or switching off a rule decides again the parcels it held, published with the new version', async () => {
  const holdRule = (id: string, words: string[], enabled = true, effectiveFrom = '2020-01-01') => ({
    id,
    effectiveFrom,
    kind: 'vague_description',
    lane: 'hold',
    params: { words },
    explainZh: '品名属于暂扣词表，暂扣',
    explainEn: 'description on the hold list: held',
    enabled,
  });
  assert.equal(
    (await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-WORD', ['xylophone', 'zither']))).status,
    201,
  );
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-OTHER', ['ocarina']))).status, 201);
  const named = (gname: string) => (x: Parcel) => {
    x.inventory.lists.InventoryList![0]!.gname = gname;
  };
  const a = await declare(4, 'RE', named('xylophone'));
  const b = await declare(6, 'RE', named('zither'));
  const c = await declare(8, 'RE', named('ocarina'));
  for (const x of [a, b, c]) {
    assert.deepEqual(await statusNow(x.p), ['300']);
    assert.equal((await api('customs', 'GET', `/api/v1/risk/decisions/${x.id}`)).body.lane, 'hold');
  }
  const redecideEvents = async (key: string) =>
    (
      await sql<{ ids: string[]; xmin: string }>`
        select payload->'inventoryIds' as ids, xmin::text as xmin from outbox_event
        where topic = 'risk.redecide' and key = ${key} order by id`.execute(db())
    ).rows;
  const ruleXmin = async (id: string, version: number) =>
    (await sql<{ xmin: string }>`select xmin::text as xmin from rsk_rule where id = ${id} and version = ${version}`.execute(db()))
      .rows[0]!.xmin;

  // Loosened: "xylophone" is no longer on the list. The event names both parcels the rule holds
  // and is written in the transaction that stores the version; a is released, b still held.
  const loosened = await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-WORD', ['zither']));
  assert.equal(loosened.status, 201);
  const events = await redecideEvents('R-HOLD-WORD');
  assert.equal(events.length, 1);
  assert.deepEqual([...events[0]!.ids].sort(), [a.id, b.id].sort());
  assert.equal(events[0]!.xmin, await ruleXmin('R-HOLD-WORD', loosened.body.version as number), 'same transaction');
  await tp.platform.settle();
  assert.deepEqual(await statusNow(a.p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', a.p.inventory.head.guid!), ['2', '120', '300', '399']);
  assert.deepEqual(await statusNow(b.p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', b.p.inventory.head.guid!), ['2', '120', '300'], 'no new receipt');
  const aNow = await api('customs', 'GET', `/api/v1/risk/decisions/${a.id}`);
  assert.equal(aNow.body.lane, 'green');
  assert.deepEqual(
    (aNow.body.earlier as { hits: Hit[] }[]).map((e) => e.hits.map((h) => h.rule)),
    [['R-HOLD-WORD']],
  );

  // Switched off: b is released; c, held by another rule, is not decided again.
  const off = await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-WORD', ['zither'], false));
  assert.equal(off.status, 201);
  const more = await redecideEvents('R-HOLD-WORD');
  assert.equal(more.length, 2);
  assert.deepEqual(more[1]!.ids, [b.id]);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(b.p), ['399']);
  assert.deepEqual(await statusNow(c.p), ['300']);
  assert.deepEqual((await api('customs', 'GET', `/api/v1/risk/decisions/${c.id}`)).body.earlier, []);

  // A version effective only later changes nothing today: nothing is published, c stays held.
  const later = await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-OTHER', ['ocarina'], false, '2099-01-01'));
  assert.equal(later.status, 201);
  assert.deepEqual(await redecideEvents('R-HOLD-OTHER'), []);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(c.p), ['300']);
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', holdRule('R-HOLD-OTHER', ['ocarina'], false))).status, 201);
  await tp.platform.settle();
  assert.deepEqual(await statusNow(c.p), ['399'], 'switched off from today, c is released');
});
