import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { submitOk, apiCall } from '../../../test/support/clearance.ts';

// The credit level the engine samples by: the customs override in the risk workbench, else the
// credit system's rating (through the port wired in platform.ts), else filing history.

let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(76, ++g);
let n = 0;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'customs']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Record<string, unknown>>(tp, t[user]!, method, url, payload);

/** Declares one ordinary parcel of the demo seller; answers the rules that hit it. */
async function hitsOfNextParcel(): Promise<string[]> {
  const p = makeParcel(++n, 'CR');
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  await tp.platform.settle();
  const d = await api('customs', 'GET', `/api/v1/risk/decisions/${inv.entities[0]!.documentId!}`);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  return (d.body.hits as { rule: string }[]).map((h) => h.rule).sort();
}

test('credit level: customs override, else the credit system, else history; a rated seller is no first-time exporter', async () => {
  const db = tp.platform.database.db;
  const seller = PARTIES.seller.code;
  // Only C is sampled, always: the hit shows which level the engine used.
  const rule = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-CREDIT-SAMPLE',
    kind: 'credit_sampling',
    lane: 'inspect',
    effectiveFrom: '2020-01-01',
    params: { seed: '2026', ratesPct: { AA: 0, A: 0, B: 0, C: 100 } },
    explainZh: '按信用等级抽查',
    explainEn: 'sample by credit level',
    enabled: true,
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const org = await sql<{ id: string }>`select id from organisation where customs_code = ${seller}`.execute(db);
  const orgId = org.rows[0]!.id;
  const rate = (level: string) =>
    sql`insert into cr_rating (org_id, code, level, score, factors, rules_version, computed_at)
        values (${orgId}, ${seller}, ${level}, 50, '{}'::jsonb, 'test', now())`.execute(db);
  await sql`delete from rsk_credit where enterprise_code = ${seller}`.execute(db);
  await sql`delete from rsk_decision where ebc_code = ${seller}`.execute(db);

  await rate('C');
  assert.deepEqual(await hitsOfNextParcel(), ['R-CREDIT-SAMPLE'], 'rated C by the credit system: sampled, and not first-time');
  await rate('A');
  assert.deepEqual(await hitsOfNextParcel(), [], 'the newest rating counts');

  assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'C' })).status, 200);
  assert.deepEqual(await hitsOfNextParcel(), ['R-CREDIT-SAMPLE'], 'the customs override wins over the rating');

  // No record anywhere and no history: graded from filing history (B, not sampled), first-time.
  await sql`delete from rsk_credit where enterprise_code = ${seller}`.execute(db);
  await sql`delete from cr_rating where org_id = ${orgId}`.execute(db);
  await sql`delete from rsk_decision where ebc_code = ${seller}`.execute(db);
  assert.deepEqual(await hitsOfNextParcel(), ['R-FIRST-EXPORTER']);
  await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'AA' });
});
