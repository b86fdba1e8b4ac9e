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

/** The seller's 18-character USCC (统一社会信用代码), which documents may name it by instead of its customs code. */
async function sellerUscc(): Promise<{ orgId: string; uscc: string }> {
  const r = await sql<{ id: string; uscc: string }>`
    select id, uscc from organisation where customs_code = ${PARTIES.seller.code}`.execute(tp.platform.database.db);
  assert.equal(r.rows[0]?.uscc.length, 18);
  return { orgId: r.rows[0]!.id, uscc: r.rows[0]!.uscc };
}

/** Declares one ordinary parcel whose documents name the seller by `code`; answers the stored decision. */
async function decisionOfParcelNamedBy(code: string) {
  const p = makeParcel(++n, 'CU');
  for (const e of [p.order, p.payment, p.waybill, p.inventory]) if (e.head.ebcCode !== undefined) e.head.ebcCode = code;
  await submitOk(tp, t.platform!, message('CEB303', nextGuid(), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', nextGuid(), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', nextGuid(), PARTIES.broker, [p.inventory]));
  assert.equal(inv.rejected, 0, JSON.stringify(inv.entities));
  await tp.platform.settle();
  const id = inv.entities[0]!.documentId!;
  // status: the inventory's last receipt (an inspection is told 500, held in 300 meanwhile)
  const r = await sql<{ ebc_code: string; lane: string; hits: { rule: string; detailEn: string }[]; status: string }>`
    select d.ebc_code, d.lane, d.hits,
      (select return_status from clr_receipt r where r.document_id = d.inventory_id order by r.id desc limit 1) as status
    from rsk_decision d where d.inventory_id = ${id}`.execute(tp.platform.database.db);
  const row = r.rows[0]!;
  return { ...row, rules: row.hits.map((h) => h.rule).sort() };
}

test("a seller named by its USCC gets its enterprise's level: rating C, blacklist, an override under the customs code, its history", async () => {
  const db = tp.platform.database.db;
  const seller = PARTIES.seller.code;
  const { orgId, uscc } = await sellerUscc();
  const clean = async () => {
    await sql`delete from rsk_credit where enterprise_code in (${seller}, ${uscc})`.execute(db);
    await sql`delete from cr_rating where org_id = ${orgId}`.execute(db);
    await sql`delete from cr_blacklist where org_id = ${orgId}`.execute(db);
  };
  await clean();
  // R-CREDIT-SAMPLE (first test): only C is sampled, always, to the inspect lane.
  await sql`insert into cr_rating (org_id, code, level, score, factors, rules_version, computed_at)
    values (${orgId}, ${seller}, 'C', 30, '[]'::jsonb, 'test', now())`.execute(db);
  const rated = await decisionOfParcelNamedBy(uscc);
  assert.equal(rated.ebc_code, uscc, 'the document named the seller by its USCC');
  assert.deepEqual([rated.lane, rated.status, rated.rules], ['inspect', '500', ['R-CREDIT-SAMPLE']]);
  assert.match(rated.hits[0]!.detailEn, /credit level C/);

  // Rated A, but on the blacklist (listed under its customs code): C whatever else is known.
  await sql`insert into cr_rating (org_id, code, level, score, factors, rules_version, computed_at)
    values (${orgId}, ${seller}, 'A', 80, '[]'::jsonb, 'test', now())`.execute(db);
  await sql`insert into cr_blacklist (id, org_id, code, name, reason, listed_at)
    values (${crypto.randomUUID()}, ${orgId}, ${seller}, ${PARTIES.seller.name}, 'test', now())`.execute(db);
  const black = await decisionOfParcelNamedBy(uscc);
  assert.deepEqual([black.lane, black.status, black.rules], ['inspect', '500', ['R-CREDIT-SAMPLE']]);
  assert.match(black.hits[0]!.detailEn, /blacklist/);

  // No rating: the level customs set under the customs code grades a parcel that names the USCC,
  // and one set under the USCC later wins over it.
  await clean();
  assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'C' })).status, 200);
  assert.deepEqual((await decisionOfParcelNamedBy(uscc)).rules, ['R-CREDIT-SAMPLE']);
  assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${uscc}`, { level: 'A' })).status, 200);
  assert.deepEqual((await decisionOfParcelNamedBy(seller)).rules, [], 'the latest override (A, under the USCC) counts');

  // No record anywhere: the seller's decisions under its customs code are its history, so a
  // parcel naming its USCC is no first-time export.
  await clean();
  const old = await sql<{ n: number }>`select count(*)::int as n from rsk_decision where ebc_code = ${seller}`.execute(db);
  assert.ok(old.rows[0]!.n > 0);
  const known = await decisionOfParcelNamedBy(uscc);
  assert.deepEqual([known.lane, known.status, known.rules], ['green', '399', []]);
  await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'AA' });
});
