import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { declareParcels } from '../../../test/support/clearance.ts';
import { creditLookup } from './index.ts';

// An enterprise is one enterprise under either of its codes: documents name the seller by its
// customs code or its USCC (统一社会信用代码), whichever the sender used, and its filing may carry
// only one. Its credit factors are taken over both; it was rated on the one code only.

let tp: TestPlatform;
const tokens: Record<string, string> = {};
let g = 0;
const nextGuid = (): string => guidOf(83, ++g);
let n = 0;
const CUSTOMS = PARTIES.seller.code;
let USCC = '';
let orgId = '';

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'commerce']) tokens[u] = await login(tp.platform, u);
  const o = await sql<{ id: string; uscc: string }>`select id, uscc from organisation where customs_code = ${CUSTOMS}`.execute(
    tp.platform.database.db,
  );
  orgId = o.rows[0]!.id;
  USCC = o.rows[0]!.uscc;
  assert.equal(USCC.length, 18);
});
after(async () => {
  await tp.stop();
});

/** Parcels of the demo seller whose documents name it by `code`; `heavy` of them rejected (gross weight twice the waybill's). */
function parcels(count: number, heavy: number, code: string): Parcel[] {
  return Array.from({ length: count }, (_, i) => {
    const p = makeParcel(++n, 'CC');
    for (const e of [p.order, p.payment, p.waybill, p.inventory]) if (e.head.ebcCode !== undefined) e.head.ebcCode = code;
    if (i < heavy) p.inventory.head.grossWeight = String(Number(p.inventory.head.grossWeight) * 2);
    return p;
  });
}

/** Order, waybill and inventory messages, then the pipeline; answers the inventories' statuses. */
async function declare(ps: Parcel[]): Promise<string[]> {
  const inv = await declareParcels(tp, tokens, ps, nextGuid);
  assert.equal(inv.rejected, 0, JSON.stringify(inv.entities.find((e) => !e.accepted)));
  const r = await sql<{ status: string }>`
    select status from clr_document where id = any(${inv.entities.map((e) => e.documentId!)}::uuid[]) order by status`.execute(
    tp.platform.database.db,
  );
  return r.rows.map((x) => x.status);
}

type Stored = { level: string; score: number; factors: { factor: string; value: string; points: number }[] };

/** Rates the seller through the route; answers the rating stored for it. */
async function rate(): Promise<Stored> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: '/api/v1/credit/ratings/compute',
    headers: { authorization: `Bearer ${tokens.commerce}` },
    payload: { orgIds: [orgId] },
  });
  assert.equal(res.statusCode, 200, res.body);
  const r = await sql<Stored>`
    select level, score, factors from cr_rating where org_id = ${orgId} order by id desc limit 1`.execute(
    tp.platform.database.db,
  );
  const s = r.rows[0]!;
  return {
    level: s.level,
    score: s.score,
    factors: s.factors.map((f) => ({ factor: f.factor, value: f.value, points: f.points })),
  };
}

/** Every document of the seller's made to name it by `code` (what the factors are counted from). */
async function nameAllBy(code: string): Promise<void> {
  const db = tp.platform.database.db;
  const both = [CUSTOMS, USCC];
  await sql`update clr_inventory set ebc_code = ${code} where ebc_code = any(${both}::text[])`.execute(db);
  await sql`update insp_task set ebc_code = ${code} where ebc_code = any(${both}::text[])`.execute(db);
  await sql`update sum_application set ebc_code = ${code} where ebc_code = any(${both}::text[])`.execute(db);
  await sql`update sum_declaration set ebc_code = ${code} where ebc_code = any(${both}::text[])`.execute(db);
  await sql`update fx_receipt set ebc_code = ${code} where ebc_code = any(${both}::text[])`.execute(db);
}

test('documents naming the seller by its USCC count as its own: the same factors and rating as under its customs code', async () => {
  const db = tp.platform.database.db;
  const now = new Date();
  // What the demo holds of the seller's forex and summaries is set aside: the figures below are all there is.
  await sql`delete from fx_receipt where ebc_code = any(${[CUSTOMS, USCC]}::text[])`.execute(db);
  const demoApps = await sql<{ n: number }>`select count(*)::int as n from sum_application where org_id = ${orgId}`.execute(db);
  assert.equal(demoApps.rows[0]!.n, 0);

  // Twelve parcels under each code through the pipeline, three of each rejected: 6 of 24 (25%).
  assert.deepEqual(await declare(parcels(12, 3, CUSTOMS)), [...Array(3).fill('100'), ...Array(9).fill('399')]);
  assert.deepEqual(await declare(parcels(12, 3, USCC)), [...Array(3).fill('100'), ...Array(9).fill('399')]);
  const byCode = await sql<{ ebc_code: string; n: number; rejected: number }>`
    select i.ebc_code, count(*)::int as n, count(*) filter (where d.status = '100')::int as rejected
    from clr_inventory i join clr_document d on d.id = i.document_id
    where i.ebc_code = any(${[CUSTOMS, USCC]}::text[]) group by 1 order by 1`.execute(db);
  const declared = byCode.rows.reduce((a, r) => a + r.n, 0);
  const rejected = byCode.rows.reduce((a, r) => a + r.rejected, 0);
  assert.deepEqual(
    byCode.rows.map((r) => r.ebc_code),
    [CUSTOMS, USCC].sort(),
    'inventories under both codes',
  );
  assert.equal(rejected, 6);

  // Inspection: one failed finding under each code (−10).
  for (const code of [CUSTOMS, USCC]) {
    const task = crypto.randomUUID();
    await sql`insert into insp_task (id, inventory_id, logistics_no, ebc_code, agencies, status, created_at)
      values (${task}, ${crypto.randomUUID()}, ${`CC-${code}`}, ${code}, '{customs}', 'failed', ${now})`.execute(db);
    await sql`insert into insp_finding (task_id, agency, result, recorded_at) values (${task}, 'customs', 'fail', ${now})`.execute(
      db,
    );
  }
  // Summaries: four on time under the customs code, one late under the USCC: 80% (−10); either
  // code alone would say 100% or 0%.
  const periods = [now.toISOString().slice(0, 7), '2001-01', '2001-02', '2001-03', '2001-04'];
  const apps: string[] = [];
  for (const [i, period] of periods.entries()) {
    const code = i === 4 ? USCC : CUSTOMS;
    const app = crypto.randomUUID();
    apps.push(app);
    await sql`insert into sum_application (id, org_id, ebc_code, ebc_name, period, rule_set, summary_flag, item_name_flag, source,
        guid, cop_no, pre_no, sum_no, customs_code, agent_code, agent_name, decl_agent_code, decl_agent_name, status,
        inventory_count, line_count, result_hash, deadline, submitted_at, created_at)
      values (${app}, ${orgId}, ${code}, 'x', ${period}, 'r', '1', '', 'web', ${app}, ${`COP-${app}`}, ${`PRE-${app}`},
        ${`SUM-${app}`}, '4000', ${code}, 'x', ${code}, 'x', 'submitted', 1, 1, 'h', ${i === 4 ? '2000-01-01' : '2999-12-31'},
        ${now}, ${now})`.execute(db);
  }
  // Forex: 1000 USD declared under the customs code (this month's application), 950 received under
  // the USCC: 95% (no deduction); the customs code alone would say 0%, the USCC alone nothing.
  const decl = crypto.randomUUID();
  await sql`insert into sum_declaration (id, application_id, seq, decl_seq_no, entry_id, dec_state, head_key, ebc_code,
      gross_weight, net_weight, inventory_count, created_at)
    values (${decl}, ${apps[0]!}, 1, ${`DS-${decl}`}, ${`E-${decl}`}, 'x', '{}', ${CUSTOMS}, 1, 1, 1, ${now})`.execute(db);
  await sql`insert into sum_declaration_line (declaration_id, line_no, line_key, gcode, gname, country, currency, unit, qty,
      total_price, source_count) values (${decl}, 1, '{}', '6911101900', '瓷器', '502', '502', '035', 10, 1000, 1)`.execute(db);
  await sql`insert into fx_receipt (id, org_id, ebc_code, institution_kind, institution_code, ref_no, currency, amount,
      usd_amount, received_on, reported_by, created_at)
    values (${crypto.randomUUID()}, ${orgId}, ${USCC}, 'bank', 'BANK1', 'CC-1', '502', 950, 950, ${now.toISOString().slice(0, 10)},
      ${orgId}, ${now})`.execute(db);
  // Filing: the enterprise filing is keyed by the USCC only.
  await sql`update enterprise_filing set customs_code = null where organisation_id = ${orgId}`.execute(db);

  const mixed = await rate();
  const factor = (r: Stored, f: string) => r.factors.find((x) => x.factor === f)!;
  assert.deepEqual(factor(mixed, 'rejection_rate'), {
    factor: 'rejection_rate',
    value: `${rejected}/${declared} (${((rejected / declared) * 100).toFixed(1)}%)`,
    points: -25,
  });
  assert.deepEqual(factor(mixed, 'inspection_findings'), { factor: 'inspection_findings', value: '2', points: -10 });
  assert.deepEqual(factor(mixed, 'summary_on_time'), { factor: 'summary_on_time', value: '80.0%', points: -10 });
  assert.deepEqual(factor(mixed, 'forex_receipt'), { factor: 'forex_receipt', value: '95.0%', points: 0 });
  assert.deepEqual(factor(mixed, 'filing'), { factor: 'filing', value: 'approved', points: 0 });
  // 100 − 25 − 10 − 10: C
  assert.deepEqual([mixed.level, mixed.score], ['C', 55]);

  // All of it under the customs code, then all of it under the USCC: the same stored rating.
  await nameAllBy(CUSTOMS);
  assert.deepEqual(await rate(), mixed);
  await nameAllBy(USCC);
  assert.deepEqual(await rate(), mixed);

  // The daily recomputation finds the enterprise by either code and rates it the same: nothing
  // new is stored.
  const count = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from cr_rating where org_id = ${orgId}`.execute(db)).rows[0]!.n;
  const stored = await count();
  const run = await tp.platform.creditRecompute.runIfDue();
  assert.equal(run.ran, true);
  assert.equal(await count(), stored);

  // The risk engine's view of the seller through either code: one enterprise, its whole history.
  await nameAllBy(CUSTOMS);
  await declare(parcels(1, 0, USCC));
  const seen = await creditLookup(db).sellers([USCC, CUSTOMS, '9999999999'], {
    since: new Date(now.getTime() - 365 * 86_400_000),
  });
  assert.deepEqual([...seen.keys()].sort(), [CUSTOMS, USCC].sort(), 'a code of no enterprise is absent');
  const s = seen.get(USCC)!;
  assert.equal(seen.get(CUSTOMS), s);
  assert.deepEqual([s.orgId, s.codes, s.declared, s.rejected, s.level], [orgId, [CUSTOMS, USCC], declared + 1, rejected, 'C']);
  assert.ok(s.filedAt instanceof Date, 'filed under its USCC');
});
