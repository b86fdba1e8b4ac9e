import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { closeParcels } from '../../../test/support/clearance.ts';
import { assertXsdValid, xmllintMissing } from '../../../test/support/xsd.ts';
import { groupLines, type InventoryLineInput } from './rules/grouping.rules.ts';
import { ruleSetById } from './rules/summary.rulesets.ts';
import type { SummaryApplicationView, SummaryPreview } from './summary.service.ts';

// Parcels close on 20 October 2026 (China time); the seller summarises October in November.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let parcels: Parcel[] = [];

function variant(p: Parcel): Parcel {
  const inv = p.inventory;
  // every third parcel goes to the United States (运抵国 and 最终目的国 304 → 502 is USA; 304 Germany)
  if (p.n % 3 === 0) {
    inv.head.country = '304';
    for (const l of inv.lists.InventoryList!) l.country = '304';
  }
  // a few simplified (A-type) inventories: statistics only
  if (p.n % 10 === 7) inv.head.statisticsFlag = 'A';
  return p;
}

const runToClosure = (ps: Parcel[], batch: number): Promise<void> => closeParcels(tp, tokens, ps, batch, 'S');

async function api<T>(
  user: string,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await tp.platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[user]}` },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: res.statusCode, body: res.json() as T };
}

/**
 * The in-memory reference grouping over the same closed inventories (what the SQL must equal),
 * under the rule set's default flags unless given; `ps` the parcels as the summary's copy holds them.
 */
async function reference(
  rsId: string,
  flags?: { summaryFlag: '1' | '2'; itemNameFlag: '1' | '' },
  ps: readonly Parcel[] = parcels,
): Promise<ReturnType<typeof groupLines>> {
  const r = await sql<{ document_id: string; invt_no: string; logistics_no: string }>`
    select document_id, invt_no, logistics_no from clr_inventory where logistics_no like 'S%'`.execute(tp.platform.database.db);
  const byLogistics = new Map(r.rows.map((x) => [x.logistics_no, x]));
  const input: InventoryLineInput[] = ps.flatMap((p) => {
    const h = p.inventory.head;
    const row = byLogistics.get(p.logisticsNo)!;
    return p.inventory.lists.InventoryList!.map((l) => ({
      inventoryId: row.document_id,
      invtNo: row.invt_no,
      logisticsNo: p.logisticsNo,
      gnum: Number(l.gnum),
      statisticsFlag: h.statisticsFlag!,
      head: {
        customsCode: h.customsCode!,
        ebcCode: h.ebcCode!,
        trafMode: h.trafMode!,
        ownerCode: h.ownerCode!,
        country: h.country!,
        portCode: h.portCode!,
        grossWeight: h.grossWeight!,
        netWeight: h.netWeight!,
      },
      line: {
        country: l.country!,
        gcode: l.gcode!,
        currency: l.currency!,
        unit: l.unit!,
        itemName: l.itemName!,
        gname: l.gname!,
        qty: l.qty!,
        totalPrice: l.totalPrice!,
        qty1: l.qty1!,
        unit1: l.unit1!,
      },
    }));
  });
  const rs = ruleSetById(rsId)!;
  return groupLines(rs, flags ?? { summaryFlag: rs.defaultSummaryFlag, itemNameFlag: '' }, input);
}

const comparable = (
  ds: {
    key: Record<string, string>;
    grossWeight: string;
    netWeight: string;
    inventoryCount: number;
    lines: { key: Record<string, string>; qty: string; totalPrice: string }[];
  }[],
) =>
  ds.map((d) => ({
    key: d.key,
    grossWeight: d.grossWeight,
    netWeight: d.netWeight,
    inventoryCount: d.inventoryCount,
    lines: d.lines.map((l) => ({ key: l.key, qty: l.qty, totalPrice: l.totalPrice })),
  }));

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse', 'seller', 'seller2', 'customs', 'tax'])
    tokens[u] = await login(tp.platform, u);
  parcels = Array.from({ length: 40 }, (_, i) => variant(makeParcel(i + 1, 'S')));
  await runToClosure(parcels, 1);
  const closed = await sql<{ n: number }>`
    select count(*)::int as n from clr_inventory i join clr_document d on d.id = i.document_id
    where i.logistics_no like 'S%' and d.status = '899' and i.closed_at is not null`.execute(tp.platform.database.db);
  const st = await sql<{ s: string; lane: string | null; r: string | null; n: number }>`
    select d.status as s, i.lane, max(d.return_info) as r, count(*)::int as n from clr_inventory i join clr_document d on d.id = i.document_id
    where i.logistics_no like 'S%' group by 1, 2`.execute(tp.platform.database.db);
  assert.equal(closed.rows[0]!.n, 40, `all parcels closed (899): ${JSON.stringify(st.rows)}`);
  clock.set(new Date('2026-11-02T01:00:00Z'));
  // sessions of October have expired by November
  for (const u of ['seller', 'seller2', 'customs', 'tax']) tokens[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

test('preview from closed parcels equals the reference grouping (194号), A-type to statistics only', async () => {
  const res = await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', { period: '2026-10' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const p = res.body;
  assert.equal(p.ruleSet.id, 'gacc-2018-194');
  assert.deepEqual(comparable(p.declarations), comparable(await reference('gacc-2018-194')));
  // two arrival countries → two declarations; two HS codes each
  assert.equal(p.declarations.length, 2);
  assert.deepEqual(
    p.declarations.map((d) => d.lines.map((l) => l.gcode)),
    [
      ['6911101900', '6913100000'],
      ['6911101900', '6913100000'],
    ],
  );
  const aType = parcels.filter((x) => x.inventory.head.statisticsFlag === 'A').length;
  assert.equal(p.inventoryCount, 40 - aType);
  assert.equal(
    p.statistics.reduce((a, s) => a + s.inventories, 0),
    aType,
  );
  // 15 November 2026 is a Sunday: due Monday the 16th
  assert.equal(p.deadline, '2026-11-16');
});

test('replaying the month under the 2016 rule set keeps units in the line key and is due on the 10th', async () => {
  const res = await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', {
    period: '2026-10',
    ruleSetId: 'gacc-2016-26',
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.keys.line, ['country', 'gcode', 'currency', 'unit']);
  assert.equal(res.body.deadline, '2026-11-10');
  assert.deepEqual(comparable(res.body.declarations), comparable(await reference('gacc-2016-26')));
});

test('the SQL grouping equals the reference under either summaryFlag and either itemNameFlag', async () => {
  // The parcels share one producer (生产销售单位) and one item name per HS code, under which the
  // flags change nothing. Here some get another producer and some lines another own item name, in
  // the summary's copy of the lines and in the reference alike; restored afterwards (the submit
  // below summarises the month as closed).
  const db = tp.platform.database.db;
  const reowned = (p: Parcel) => p.n % 5 === 1;
  const renamed = (p: Parcel) => p.n % 4 === 2;
  const varied = parcels.map((p) => {
    const v = structuredClone(p);
    if (reowned(v)) v.inventory.head.ownerCode = '3601960777';
    if (renamed(v)) v.inventory.lists.InventoryList![0]!.itemName += '（礼盒装）';
    return v;
  });
  const before = await sql<{ logistics_no: string; gnum: number; owner_code: string | null; item_name: string | null }>`
    select logistics_no, gnum, owner_code, item_name from sum_source_line where logistics_no like 'S%'`.execute(db);
  assert.equal(before.rows.length, parcels.flatMap((p) => p.inventory.lists.InventoryList!).length, 'every line copied');
  await sql`update sum_source_line set owner_code = '3601960777'
    where logistics_no = any(${parcels.filter(reowned).map((p) => p.logisticsNo)}::text[])`.execute(db);
  await sql`update sum_source_line set item_name = item_name || '（礼盒装）'
    where gnum = 1 and logistics_no = any(${parcels.filter(renamed).map((p) => p.logisticsNo)}::text[])`.execute(db);
  try {
    const shape: Record<string, { declarations: number; lines: number }> = {};
    for (const summaryFlag of ['1', '2'] as const)
      for (const itemNameFlag of ['', '1'] as const) {
        const res = await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', {
          period: '2026-10',
          summaryFlag,
          itemNameFlag,
        });
        const flags = `summaryFlag=${summaryFlag} itemNameFlag=${itemNameFlag || "''"}`;
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.ruleSet.id, 'gacc-2018-194');
        assert.equal(res.body.keys.head.includes('ownerCode'), summaryFlag === '2', flags);
        assert.equal(res.body.keys.line.includes('itemName'), itemNameFlag === '1', flags);
        assert.deepEqual(
          comparable(res.body.declarations),
          comparable(await reference('gacc-2018-194', { summaryFlag, itemNameFlag }, varied)),
          flags,
        );
        shape[summaryFlag + itemNameFlag] = {
          declarations: res.body.declarations.length,
          lines: res.body.declarations.reduce((a, d) => a + d.lines.length, 0),
        };
      }
    // the variation reaches the keys: by producer more declarations, by own item name more lines
    assert.ok(shape['2']!.declarations > shape['1']!.declarations, JSON.stringify(shape));
    assert.ok(shape['11']!.lines > shape['1']!.lines, JSON.stringify(shape));
  } finally {
    await sql`update sum_source_line s set owner_code = o.owner_code, item_name = o.item_name
      from jsonb_to_recordset(${JSON.stringify(before.rows)}::jsonb)
        as o(logistics_no text, gnum integer, owner_code text, item_name text)
      where s.logistics_no = o.logistics_no and s.gnum = o.gnum`.execute(db);
  }
  const restored = await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', { period: '2026-10' });
  assert.deepEqual(comparable(restored.body.declarations), comparable(await reference('gacc-2018-194')));
});

test('bad input names the field and the rule', async () => {
  const bad = await api<{ code: string }>('seller', 'POST', '/api/v1/summary/preview', { period: '2026-10', ruleSetId: 'nope' });
  assert.equal(bad.status, 400);
  const open = await api<{ code: string }>('seller', 'POST', '/api/v1/summary/applications', { period: '2026-11' });
  assert.equal(open.status, 409);
  assert.equal(open.body.code, 'summary.invalid_state');
  const empty = await api<{ code: string }>('seller', 'POST', '/api/v1/summary/applications', { period: '2026-09' });
  assert.equal(empty.status, 422);
  assert.equal(empty.body.code, 'summary.unprocessable');
});

test('submit forms declarations with numbers and lineage; the result is reproducible; an inventory is summarised once', async () => {
  const preview = (await api<SummaryPreview>('seller', 'POST', '/api/v1/summary/preview', { period: '2026-10' })).body;
  // a submit naming another result than the one computed now is refused, and nothing is stored
  const stale = await api<{ code: string; detailZh: string; detailEn: string }>(
    'seller',
    'POST',
    '/api/v1/summary/applications',
    {
      period: '2026-10',
      resultHash: 'f'.repeat(64),
    },
  );
  assert.equal(stale.status, 409, JSON.stringify(stale.body));
  assert.equal(stale.body.code, 'summary.conflict');
  assert.match(stale.body.detailZh, /与预览不一致.*重新预览/);
  assert.match(stale.body.detailEn, /differs from the preview/);
  const none = await sql<{ n: number }>`select count(*)::int as n from sum_application`.execute(tp.platform.database.db);
  assert.equal(none.rows[0]!.n, 0);
  const res = await api<SummaryApplicationView>('seller', 'POST', '/api/v1/summary/applications', {
    period: '2026-10',
    resultHash: preview.resultHash,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const a = res.body;
  assert.equal(a.resultHash, preview.resultHash, 'the stored result is the previewed one');
  assert.deepEqual(comparable(a.declarations), comparable(preview.declarations));
  assert.match(a.sumNo, /^\d{4}2026H\d{9}$/);
  for (const d of a.declarations) {
    assert.match(d.entryId!, /^\d{4}20260\d{9}$/);
    assert.equal(d.entryId!.length, 18);
  }
  // lineage: every inventory line of a declaration line, matching the reference sources
  const ref = await reference('gacc-2018-194');
  const d0 = a.declarations[0]!;
  const lineage = await api<{ lineNo: number; invtNo: string; gnum: number }[]>(
    'seller',
    'GET',
    `/api/v1/summary/applications/${a.id}/declarations/${d0.id}/lineage?lineNo=1&limit=1000`,
  );
  assert.equal(lineage.status, 200);
  assert.deepEqual(
    lineage.body.map((x) => `${x.invtNo}#${x.gnum}`),
    ref[0]!.lines[0]!.sources.map((s) => `${s.invtNo}#${s.gnum}`),
  );
  assert.equal(lineage.body.length, d0.lines[0]!.sourceCount);

  // nothing of October is left: a second submit names the application that took it
  const again = await api<{ code: string; detailZh: string }>('seller', 'POST', '/api/v1/summary/applications', {
    period: '2026-10',
  });
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'summary.duplicate');
  assert.match(again.body.detailZh, new RegExp(a.sumNo));
  await tp.platform.settle();
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'summary.submit'`.execute(
    tp.platform.database.db,
  );
  assert.equal(audit.rows[0]!.n, 1);
});

test('who sees a summary: its seller, customs of the office; another seller gets 404', async () => {
  const mine = await api<SummaryApplicationView[]>('seller', 'GET', '/api/v1/summary/applications');
  assert.equal(mine.status, 200);
  assert.equal(mine.body.length, 1);
  const id = mine.body[0]!.id;
  assert.equal((await api('seller2', 'GET', `/api/v1/summary/applications/${id}`)).status, 404);
  assert.deepEqual((await api<unknown[]>('seller2', 'GET', '/api/v1/summary/applications')).body, []);
  const customs = await api<SummaryApplicationView>('customs', 'GET', `/api/v1/summary/applications/${id}`);
  assert.equal(customs.status, 200);
  assert.equal(customs.body.declarations.length, 2);
  assert.equal((await api('customs', 'POST', '/api/v1/summary/preview', { period: '2026-10' })).status, 403);
});

test('deadlines list the months with their reminders', async () => {
  const oct = (await deadlines('2026-10'))!;
  assert.equal(oct.deadline, '2026-11-16');
  assert.equal(oct.submitted, true);
  assert.equal(oct.applications, 1);
  assert.equal(oct.pendingInventories, 0);
  assert.deepEqual(oct.reminders, []);
});

interface DeadlineRow {
  period: string;
  deadline: string;
  submitted: boolean;
  overdue: boolean;
  applications: number;
  pendingInventories: number;
  reminders: { on: string; due: boolean }[];
}
async function deadlines(period: string): Promise<DeadlineRow | undefined> {
  const res = await api<DeadlineRow[]>('seller', 'GET', '/api/v1/summary/deadlines?months=3');
  assert.equal(res.status, 200);
  return res.body.find((x) => x.period === period);
}

test('CEB701 from the declaring agent (list form) answers CEB702 399 and CEB792, both valid against the XSD', async () => {
  clock.set(new Date('2026-11-10T02:00:00Z'));
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  const nov = Array.from({ length: 8 }, (_, i) => makeParcel(i + 1, 'K'));
  await runToClosure(nov, 2);
  clock.set(new Date('2026-12-01T03:00:00Z'));
  for (const u of ['broker', 'seller', 'seller2', 'customs']) tokens[u] = await login(tp.platform, u);
  const invt = await sql<{ invt_no: string }>`
    select invt_no from clr_inventory where logistics_no like 'K%' order by invt_no limit 5`.execute(tp.platform.database.db);
  const head = {
    guid: 'A7010000-0000-4000-8000-000000000001',
    appType: '1',
    appTime: '20261201110000',
    appStatus: '2',
    customsCode: '4006',
    copNo: 'K-SUM-2026-11',
    agentCode: PARTIES.broker.code,
    agentName: PARTIES.broker.name,
    ebcCode: PARTIES.seller.code,
    ebcName: PARTIES.seller.name,
    declAgentCode: PARTIES.broker.code,
    declAgentName: PARTIES.broker.name,
    summaryFlag: '2',
    msgCount: '1',
    msgSeqNo: '1',
  };
  const res = await api<{ accepted: boolean; applicationId: string; ceb702: Record<string, string>; ceb702Xml: string }>(
    'broker',
    'POST',
    '/api/v1/summary/ceb701',
    { head, list: invt.rows.map((r) => ({ invtNo: r.invt_no })) },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.accepted, true, JSON.stringify(res.body.ceb702));
  assert.equal(res.body.ceb702.returnStatus, '399');
  const a = (await api<SummaryApplicationView>('seller', 'GET', `/api/v1/summary/applications/${res.body.applicationId}`)).body;
  assert.equal(a.inventoryCount, 5, 'only the listed inventories');
  assert.equal(a.source, 'ceb701');
  const x792 = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/summary/applications/${a.id}/declarations/${a.declarations[0]!.id}/ceb792`,
    headers: { authorization: `Bearer ${tokens.broker}` },
  });
  assert.equal(x792.statusCode, 200, 'the declaring agent named in the application receives the result');
  const own792 = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/summary/applications/${a.id}/declarations/${a.declarations[0]!.id}/ceb792`,
    headers: { authorization: `Bearer ${tokens.seller}` },
  });
  assert.equal(own792.body.length, x792.body.length);
  const other = await tp.platform.app.inject({
    method: 'GET',
    url: `/api/v1/summary/applications/${a.id}/declarations/${a.declarations[0]!.id}/ceb792`,
    headers: { authorization: `Bearer ${tokens.seller2}` },
  });
  assert.equal(other.statusCode, 404);
  assert.equal(own792.statusCode, 200);
  assert.match(own792.body, /<ceb:CEB792Message/);
  assert.equal(
    (own792.body.match(/<ceb:SummaryResultList>/g) ?? []).length,
    a.declarations[0]!.lines.reduce((s, l) => s + l.sourceCount, 0),
  );
  if (!xmllintMissing())
    assertXsdValid([
      { name: 'ceb702', xml: res.body.ceb702Xml },
      { name: 'ceb792', xml: own792.body },
    ]);

  // The month is not locked by the agent's listed application: the rest is still waiting, and
  // the month is neither submitted nor (before the 15th) overdue.
  const month = (await deadlines('2026-11'))!;
  assert.deepEqual(
    { pending: month.pendingInventories, applications: month.applications, submitted: month.submitted, overdue: month.overdue },
    { pending: 3, applications: 1, submitted: false, overdue: false },
  );
  assert.ok(month.reminders.length > 0, 'reminders while inventories wait');
  // the listed inventories cannot be listed again
  const relist = await api<{ accepted: boolean; ceb702: Record<string, string> }>('broker', 'POST', '/api/v1/summary/ceb701', {
    head: { ...head, guid: 'A7010000-0000-4000-8000-000000000003', copNo: 'K-SUM-RELIST' },
    list: invt.rows.slice(0, 1).map((r) => ({ invtNo: r.invt_no })),
  });
  assert.equal(relist.body.accepted, false);
  assert.match(relist.body.ceb702.returnInfo!, /已在其他汇总申请中/);
  // the consignor summarises the rest of the month itself
  const rest = await api<SummaryApplicationView>('seller', 'POST', '/api/v1/summary/applications', { period: '2026-11' });
  assert.equal(rest.status, 201, JSON.stringify(rest.body));
  assert.equal(rest.body.inventoryCount, 3);
  assert.equal(rest.body.copNo, `SUM-${PARTIES.seller.code}-2026-11`);
  // agent + consignor: every closed inventory of the month exactly once, every line in one lineage
  const cover = await sql<{ invt_no: string; apps: number; lines: number; declared: number }>`
    select i.invt_no, count(distinct c.application_id)::int as apps, count(l.gnum)::int as lines,
      max(jsonb_array_length(d.lines))::int as declared
    from clr_inventory i join clr_document d on d.id = i.document_id
    left join sum_claim c on c.inventory_id = i.document_id
    left join sum_lineage l on l.inventory_id = i.document_id
    where i.logistics_no like 'K%' group by i.invt_no order by i.invt_no`.execute(tp.platform.database.db);
  assert.equal(cover.rows.length, 8);
  for (const r of cover.rows) {
    assert.equal(r.apps, 1, `${r.invt_no} in exactly one summary`);
    assert.equal(r.lines, r.declared, `${r.invt_no}: each line in one declaration line`);
  }
  const byApp = await sql<{ application_id: string; n: number }>`
    select c.application_id, count(*)::int as n from sum_claim c join clr_inventory i on i.document_id = c.inventory_id
    where i.logistics_no like 'K%' group by 1 order by 2`.execute(tp.platform.database.db);
  assert.deepEqual(
    byApp.rows.map((r) => [r.application_id, r.n]),
    [
      [rest.body.id, 3],
      [a.id, 5],
    ],
  );
  const done = (await deadlines('2026-11'))!;
  assert.deepEqual(
    { pending: done.pendingInventories, applications: done.applications, submitted: done.submitted, overdue: done.overdue },
    { pending: 0, applications: 2, submitted: true, overdue: false },
  );

  // nothing is left now: a further application is refused by receipt, not by an error
  const again = await api<{ accepted: boolean; ceb702: Record<string, string> }>('broker', 'POST', '/api/v1/summary/ceb701', {
    head: {
      ...head,
      guid: 'A7010000-0000-4000-8000-000000000002',
      copNo: 'K-SUM-2',
      startTime: '20261101000000',
      endTime: '20261130235959',
    },
    list: [],
  });
  assert.equal(again.body.accepted, false);
  assert.equal(again.body.ceb702.returnStatus, '100');
  assert.match(again.body.ceb702.returnInfo!, /均已汇总/);
  const change = await api<{ accepted: boolean; ceb702: Record<string, string> }>('broker', 'POST', '/api/v1/summary/ceb701', {
    head: { ...head, appType: '2' },
    list: [],
  });
  assert.equal(change.body.ceb702.returnStatus, '100');
  assert.match(change.body.ceb702.returnInfo!, /appType/);
  // another seller may not apply for this consignor
  const foreign = await api('seller2', 'POST', '/api/v1/summary/ceb701', { head, list: [] });
  assert.equal(foreign.status, 403);
});
