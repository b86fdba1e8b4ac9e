import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { receiptStatuses } from '../../../test/support/clearance.ts';
import { inspectionSuite } from '../../../test/support/inspection.ts';
import { PARTIES, type Parcel } from '../../../test/support/parcels.ts';

// A rule customs edits or switches off decides again the parcels it holds in the review lane too,
// where no officer has decided them yet: released when now green, kept in review otherwise. A
// parcel an officer has reviewed is left alone, and a parcel decided again keeps whether it was
// its seller's first.

const { tp, api, statusNow, declare } = inspectionSuite({ guids: 86 });
const db = () => tp.platform.database.db;

const vague = (x: Parcel) => {
  x.inventory.lists.InventoryList![0]!.gname = '礼品';
};
const rulesOf = async (id: string) =>
  ((await api('customs', 'GET', `/api/v1/risk/decisions/${id}`)).body.hits as { rule: string }[]).map((h) => h.rule).sort();
const inventoryOf = async (id: string) =>
  (
    await sql<{ lane: string; review_reason: string | null; decided_at: Date | null }>`
      select lane, review_reason, decided_at from clr_inventory where document_id = ${id}`.execute(db())
  ).rows[0]!;
const redecideAudits = async (id: string) =>
  (
    await sql<{ n: number }>`
      select count(*)::int as n from (select action, entity_id from audit_log union all select action, entity_id from audit_pending) a
      where action = 'inventory.redecide' and entity_id = ${id}`.execute(db())
  ).rows[0]!.n;
const earlierOf = async (id: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from rsk_decision_history where inventory_id = ${id}`.execute(db()))
    .rows[0]!.n;

test('a parcel held in review by a rule customs switches off is decided again and released; one an officer reviewed is untouched', async () => {
  // The seller with no credit record and no history: its first parcel is also reviewed as a first export.
  const org = await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(db());
  await sql`delete from rsk_credit where enterprise_code = ${PARTIES.seller.code}`.execute(db());
  await sql`delete from cr_rating where org_id = ${org.rows[0]!.id}`.execute(db());
  await sql`delete from rsk_decision where ebc_code = ${PARTIES.seller.code}`.execute(db());

  const first = await declare(1, 'RV', vague);
  const second = await declare(2, 'RV', vague);
  const reviewed = await declare(3, 'RV', vague);
  assert.deepEqual(await rulesOf(first.id), ['R-FIRST-EXPORTER', 'R-VAGUE']);
  for (const x of [second, reviewed]) assert.deepEqual(await rulesOf(x.id), ['R-VAGUE']);
  for (const x of [first, second, reviewed]) {
    assert.deepEqual(await statusNow(x.p), ['300']);
    assert.equal((await inventoryOf(x.id)).lane, 'review');
  }

  // An officer approves the third. Its risk-queue mark is then set again by hand (a stale mark,
  // as from before the queue tracked it): the rule change names it, clearance must leave it alone.
  const approved = await api('customs', 'POST', `/api/v1/customs/reviews/${reviewed.id}/approve`, {});
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  await tp.platform.settle();
  assert.deepEqual(await statusNow(reviewed.p), ['399']);
  await sql`update rsk_decision set held = true where inventory_id = ${reviewed.id}`.execute(db());
  const reviewedBefore = await inventoryOf(reviewed.id);
  const reviewedReceipts = await receiptStatuses(tp, 'CEB604', reviewed.p.inventory.head.guid!);
  assert.deepEqual(reviewedReceipts, ['2', '120', '300', '399']);

  // Customs switches R-VAGUE off.
  const rules = (await api('customs', 'GET', '/api/v1/risk/rules')).body.items as Record<string, unknown>[];
  const vagueRule = rules.find((r) => r.id === 'R-VAGUE' && r.inForce)!;
  const off = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-VAGUE',
    effectiveFrom: '2020-01-01',
    kind: vagueRule.kind,
    lane: vagueRule.lane,
    params: vagueRule.params,
    explainZh: vagueRule.explainZh,
    explainEn: vagueRule.explainEn,
    enabled: false,
  });
  assert.equal(off.status, 201, JSON.stringify(off.body));
  const event = await sql<{ ids: string[] }>`
    select payload->'inventoryIds' as ids from outbox_event where topic = 'risk.redecide' and key = 'R-VAGUE'`.execute(db());
  assert.deepEqual([...event.rows[0]!.ids].sort(), [first.id, second.id, reviewed.id].sort());
  await tp.platform.settle();

  // Held only by R-VAGUE: decided again, green, released with a receipt saying why.
  assert.deepEqual(await statusNow(second.p), ['399']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', second.p.inventory.head.guid!), ['2', '120', '300', '399']);
  const info = await sql<{ return_info: string }>`
    select return_info from clr_receipt where document_id = ${second.id} and return_status = '399'`.execute(db());
  assert.match(info.rows[0]!.return_info, /重新判定通过.*decided again after a risk rule change and passed/);
  assert.deepEqual([(await inventoryOf(second.id)).lane, (await inventoryOf(second.id)).review_reason], ['green', null]);
  const secondNow = await api('customs', 'GET', `/api/v1/risk/decisions/${second.id}`);
  assert.deepEqual([secondNow.body.lane, secondNow.body.hits], ['green', []]);
  assert.deepEqual(
    (secondNow.body.earlier as { lane: string; hits: { rule: string }[] }[]).map((e) => [e.lane, e.hits.map((h) => h.rule)]),
    [['review', ['R-VAGUE']]],
  );
  const settled = await sql<{ held: boolean }>`select held from rsk_decision where inventory_id = ${second.id}`.execute(db());
  assert.equal(settled.rows[0]!.held, false, 'it left the risk-hit queue');
  assert.equal(await redecideAudits(second.id), 1);

  // Still the seller's first parcel although it has declared more since: kept in review for that
  // alone, with no new receipt (the seller was told 300 already), the officer's reason updated.
  assert.deepEqual(await statusNow(first.p), ['300']);
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', first.p.inventory.head.guid!), ['2', '120', '300']);
  assert.deepEqual(await rulesOf(first.id), ['R-FIRST-EXPORTER']);
  const firstNow = await inventoryOf(first.id);
  assert.equal(firstNow.lane, 'review');
  assert.match(firstNow.review_reason!, /R-FIRST-EXPORTER/);
  assert.doesNotMatch(firstNow.review_reason!, /R-VAGUE/);
  assert.equal(firstNow.decided_at, null);
  assert.equal(await redecideAudits(first.id), 1);

  // The parcel the officer approved: not decided again, nothing about it changed.
  assert.deepEqual(await statusNow(reviewed.p), ['399']);
  assert.deepEqual(await inventoryOf(reviewed.id), reviewedBefore);
  assert.equal(reviewedBefore.lane, 'reviewed');
  assert.deepEqual(await receiptStatuses(tp, 'CEB604', reviewed.p.inventory.head.guid!), reviewedReceipts);
  assert.equal(await earlierOf(reviewed.id), 0, 'the engine did not decide it again');
  assert.equal(await redecideAudits(reviewed.id), 0);
  assert.deepEqual(await rulesOf(reviewed.id), ['R-VAGUE']);

  // The officer's queue: the first parcel waits, for its first export alone.
  const queue = await api('customs', 'GET', '/api/v1/customs/reviews');
  const items = queue.body.items as { inventory: { id: string }; review: { lane: string; reason: string } }[];
  assert.deepEqual(
    items.filter((x) => [first.id, second.id, reviewed.id].includes(x.inventory.id)).map((x) => [x.inventory.id, x.review.lane]),
    [[first.id, 'review']],
  );
});
