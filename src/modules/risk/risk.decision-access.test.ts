import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { inspectionSuite } from '../../../test/support/inspection.ts';

// The inspection officer reads why a task's parcel was selected: the risk decision behind the task
// (GET /risk/decisions/:id, permission risk.read, which the inspection officer's role holds), in
// its jurisdiction only. The seller never reads it.

const { tp, api, jointTask } = inspectionSuite({
  guids: 92,
  users: ['platform', 'carrier', 'broker', 'seller', 'customs', 'inspection', 'admin'],
});
const db = () => tp.platform.database.db;

type Hit = { rule: string; lane: string; agency: string; zh: string; en: string; detailZh: string; detailEn: string };

test('the inspection officer reads the rule hits behind its task; another jurisdiction’s answers 404, the seller 403', async () => {
  const { id, taskId } = await jointTask(4, 'DA', 'inspection');
  const task = await api('inspection', 'GET', `/api/v1/inspection/tasks/${taskId}`);
  assert.equal(task.status, 200);
  assert.equal(task.body.inventoryId, id, 'the task names the inventory its decision is read by');

  const d = await api('inspection', 'GET', `/api/v1/risk/decisions/${id}`);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.lane, 'inspect');
  const hits = d.body.hits as Hit[];
  assert.deepEqual(hits.map((h) => [h.rule, h.lane, h.agency]).sort(), [
    ['R-CIQ-PORCELAIN', 'inspect', 'inspection'],
    ['R-CREDIT-SAMPLE', 'inspect', 'customs'],
  ]);
  assert.ok(
    hits.every((h) => h.zh && h.en && h.detailZh && h.detailEn),
    'each hit explained, in both languages',
  );
  // What the officer reads is what the engine stored with the decision.
  const stored = await sql<{ hits: Hit[]; lane: string }>`
    select hits, lane from rsk_decision where inventory_id = ${id}`.execute(db());
  assert.deepEqual(stored.rows, [{ hits: d.body.hits, lane: 'inspect' }]);
  assert.deepEqual(d.body.earlier, [], 'decided once');

  assert.equal((await api('seller', 'GET', `/api/v1/risk/decisions/${id}`)).status, 403, 'the seller never reads it');

  // The same decision filed under another customs office: outside the officer's jurisdiction.
  const [cc] = (
    await sql<{ customs_code: string }>`select customs_code from rsk_decision where inventory_id = ${id}`.execute(db())
  ).rows;
  await sql`update rsk_decision set customs_code = '5100' where inventory_id = ${id}`.execute(db());
  try {
    assert.equal((await api('inspection', 'GET', `/api/v1/risk/decisions/${id}`)).status, 404);
    assert.equal((await api('customs', 'GET', `/api/v1/risk/decisions/${id}`)).status, 404);
    assert.equal((await api('admin', 'GET', `/api/v1/risk/decisions/${id}`)).status, 200, 'the operator sees every office');
  } finally {
    await sql`update rsk_decision set customs_code = ${cc!.customs_code} where inventory_id = ${id}`.execute(db());
  }
});
