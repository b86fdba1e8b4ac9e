import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { makeParcel, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { apiCall, closeParcels } from '../../../test/support/clearance.ts';
import { REFUND_RATE_TABLES } from './rules/refund-rates.data.ts';
import type { RefundCopy, RefundView } from './tax.service.ts';

// The tax officer's versioned data (the 无票免税 rule, refund rates), the refund copy of a
// declaration for the tax bureau, and the desk per enterprise.
const clock = fixedClock(new Date('2026-10-20T02:00:00Z'));
let tp: TestPlatform;
const tokens: Record<string, string> = {};
let ps: Parcel[] = [];
let sellerOrg = '';
let declarationId = '';

const api = <T>(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<T>(tp, tokens[user]!, method, url, payload);
const db = () => tp.platform.database.db;
const unmet = (v: RefundView) => [...v.verdict.refund, ...v.verdict.exemption].filter((c) => !c.met);
const refundOf = async (user = 'tax') => {
  const r = await api<RefundView>(user, 'GET', `/api/v1/tax/declarations/${declarationId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const setProfile = async (over: Record<string, unknown>) => {
  const profile = { generalTaxpayer: true, refundQualified: true, taxRegistered: true, tradingCompany: true, pilotZone: null };
  const r = await api('tax', 'PUT', `/api/v1/tax/profiles/${sellerOrg}`, { ...profile, ...over });
  assert.equal(r.status, 200, JSON.stringify(r.body));
};
interface Problem {
  errors?: { field: string; rule: string; message: { zh: string; en: string } }[];
}
const fields = (b: Problem) => (b.errors ?? []).map((e) => `${e.field}/${e.rule}`);

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  await sql`delete from tax_profile`.execute(db());
  for (const u of ['platform', 'payer', 'carrier', 'broker', 'warehouse']) tokens[u] = await login(tp.platform, u);
  ps = Array.from({ length: 3 }, (_, i) => makeParcel(i + 1, 'K'));
  await closeParcels(tp, tokens, ps, 1, 'K');
  clock.set(new Date('2026-11-02T01:00:00Z'));
  for (const u of ['seller', 'seller2', 'tax', 'customs']) tokens[u] = await login(tp.platform, u);
  const s = await api<{ declarations: { id: string }[] }>('seller', 'POST', '/api/v1/summary/applications', {
    period: '2026-10',
  });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  declarationId = s.body.declarations[0]!.id;
  sellerOrg = (await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.seller.code}`.execute(db()))
    .rows[0]!.id;
});
after(async () => {
  await tp.stop();
});

test('无票免税 is versioned data: switching it off changes the outcome, with the reason and the version named', async () => {
  // a small pilot-zone seller without purchase vouchers, declared at 4006 (南昌昌北机场海关, district 4000)
  await setProfile({ generalTaxpayer: false, refundQualified: false, pilotZone: '3601' });
  let v = await refundOf();
  assert.equal(v.customsCode, '4006');
  assert.equal(v.verdict.outcome, 'exemption');
  assert.equal(v.verdict.ruleVersion, '2020-01-01', 'the seeded version in force on the exit day');
  assert.deepEqual(
    unmet(v).map((c) => c.id),
    ['taxpayer_qualified', 'purchase_invoices'],
  );

  const off = { noInvoiceExemption: { enabled: false, pilotZones: [{ zone: '3601', customs: ['4000'] }] }, note: '暂停' };
  assert.equal((await api('seller', 'PUT', '/api/v1/tax/rules/2026-10-01', off)).status, 403);
  assert.equal((await api('customs', 'PUT', '/api/v1/tax/rules/2026-10-01', off)).status, 403);
  const bad = await api<Problem>('tax', 'PUT', '/api/v1/tax/rules/2026-10-01', {
    noInvoiceExemption: {
      enabled: true,
      pilotZones: [
        { zone: '36x1', customs: ['9999'] },
        { zone: '3607', customs: [] },
      ],
    },
    note: '',
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(fields(bad.body), [
    'noInvoiceExemption.pilotZones[0].zone/format',
    'noInvoiceExemption.pilotZones[0].customs[0]/codeTable',
    'noInvoiceExemption.pilotZones[1].customs/required',
  ]);
  for (const e of bad.body.errors!) assert.ok(e.message.zh && e.message.en);
  assert.equal((await api('tax', 'PUT', '/api/v1/tax/rules/2026-13-01', off)).status, 400);
  const stored = async () =>
    (
      await sql<{ d: string }>`select to_char(effective_from, 'YYYY-MM-DD') as d from tax_rule_version order by 1`.execute(db())
    ).rows.map((r) => r.d);
  assert.deepEqual(await stored(), ['2018-10-01', '2020-01-01'], 'nothing stored by refused input');

  const put = await api<{ effectiveFrom: string; current: boolean }>('tax', 'PUT', '/api/v1/tax/rules/2026-10-01', off);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual([put.body.effectiveFrom, put.body.current], ['2026-10-01', true]);
  v = await refundOf();
  assert.equal(v.verdict.outcome, 'taxable');
  assert.equal(v.verdict.ruleVersion, '2026-10-01');
  const vouchers = unmet(v).find((c) => c.id === 'purchase_vouchers')!;
  assert.match(vouchers.reason!.zh, /不适用无票免税: 综试区无票免税规则（财税〔2018〕103号）未启用（规则版本2026-10-01）/);
  assert.match(vouchers.reason!.en, /no-invoice exemption rule \(Caishui \[2018\] No\. 103\) is switched off/);
  await tp.platform.audit.flush(db());
  const audit = await sql<{ n: number; by: boolean }>`
    select count(*)::int as n, bool_and(actor_user_id is not null) as by from audit_log
    where action = 'tax.rule_version' and entity_id = '2026-10-01'`.execute(db());
  assert.deepEqual([audit.rows[0]!.n, audit.rows[0]!.by], [1, true]);

  // a version in force is not replaced: a change is a new version
  const again = await api<{ code: string }>('tax', 'PUT', '/api/v1/tax/rules/2026-10-01', {
    ...off,
    noInvoiceExemption: { ...off.noInvoiceExemption, enabled: true },
  });
  assert.equal(again.status, 409);
  assert.equal((await refundOf()).verdict.outcome, 'taxable', 'unchanged');

  // on again, but zone 3601 names only 赣州海关 (4003): the goods did not leave through customs in the zone
  const only4003 = { noInvoiceExemption: { enabled: true, pilotZones: [{ zone: '3601', customs: ['4003'] }] }, note: '' };
  assert.equal((await api('tax', 'PUT', '/api/v1/tax/rules/2026-10-15', only4003)).status, 200);
  v = await refundOf();
  assert.equal(v.verdict.outcome, 'taxable');
  assert.match(
    unmet(v).find((c) => c.id === 'purchase_vouchers')!.reason!.zh,
    /报关单申报海关4006不在综试区3601的海关（4003）范围内/,
  );
  const with4006 = { noInvoiceExemption: { enabled: true, pilotZones: [{ zone: '3601', customs: ['4003', '4006'] }] }, note: '' };
  assert.equal((await api('tax', 'PUT', '/api/v1/tax/rules/2026-10-20', with4006)).status, 200);
  assert.equal((await refundOf()).verdict.outcome, 'exemption');
  // a future version may be replaced until it takes effect
  assert.equal((await api('tax', 'PUT', '/api/v1/tax/rules/2027-01-01', off)).status, 200);
  assert.equal((await api('tax', 'PUT', '/api/v1/tax/rules/2027-01-01', with4006)).status, 200);
  const list = await api<{ effectiveFrom: string; current: boolean; noInvoiceExemption: { enabled: boolean } }[]>(
    'tax',
    'GET',
    '/api/v1/tax/rules',
  );
  assert.deepEqual(
    list.body.map((r) => `${r.effectiveFrom}:${r.noInvoiceExemption.enabled}:${r.current}`),
    [
      '2018-10-01:true:false',
      '2020-01-01:true:false',
      '2026-10-01:false:false',
      '2026-10-15:true:false',
      '2026-10-20:true:true',
      '2027-01-01:true:false',
    ],
  );
  assert.equal((await api('seller', 'GET', '/api/v1/tax/rules')).status, 403);
});

test('refund rates are versioned data: the seed equals the tables the code carried; a CSV import is all or nothing', async () => {
  const seeded = await sql<{ version: string; hs: string; rate: string | null; excluded: boolean }>`
    select version, hs, trim_scale(rate)::text as rate, excluded from tax_refund_rate order by version, hs`.execute(db());
  assert.deepEqual(
    seeded.rows.map((r) => `${r.version}:${r.hs}:${r.excluded ? 'excluded' : r.rate}`),
    REFUND_RATE_TABLES.flatMap((t) => [
      ...t.rates.map((r) => `${t.version}:${r.hs}:${r.rate}`),
      ...t.excluded.map((hs) => `${t.version}:${hs}:excluded`),
    ]).sort(),
  );

  await setProfile({});
  const lines = (await refundOf()).verdict.lines;
  const items = lines.map((l) => ({ lineNo: l.lineNo, invoiceNo: `FP-${l.lineNo}`, kind: 'vat_special', amountExclVat: '1000' }));
  const put = await api<RefundView>('seller', 'PUT', `/api/v1/tax/declarations/${declarationId}/purchases`, { items });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual([put.body.verdict.outcome, put.body.verdict.rateVersion], ['refund', '2020-03']);
  assert.equal(put.body.verdict.estimate, String(130 * lines.length));

  const versions = async () =>
    (await api<{ version: string; rows: number; current: boolean }[]>('tax', 'GET', '/api/v1/tax/refund-rates')).body.map(
      (v) => `${v.version}:${v.rows}:${v.current}`,
    );
  assert.deepEqual(await versions(), ['2019-04:7:false', '2020-03:8:true']);
  const body = (version: string, effectiveFrom: string, csv: string) => ({ version, effectiveFrom, source: '测试文库', csv });

  // every bad row named (spreadsheet rows: the header is row 1); nothing stored
  const bad = await api<Problem>(
    'tax',
    'POST',
    '/api/v1/tax/refund-rates/import',
    body('2026-10', '2026-10-01', 'hs,rate,excluded\n6911,0.13,\n69x3,0.13,\n6913,13,\n2710,0.1,1\n6911,0.09,\n9503,,maybe'),
  );
  assert.equal(bad.status, 400);
  assert.deepEqual(fields(bad.body), [
    'rows[3].hs/format',
    'rows[4].rate/decimal',
    'rows[5].rate/excluded',
    'rows[6].hs/unique',
    'rows[7].excluded/enum',
    'rows[7].rate/decimal',
  ]);
  const noRate = await api<Problem>('tax', 'POST', '/api/v1/tax/refund-rates/import', body('x', '2026-10-01', 'hs\n6911'));
  assert.deepEqual(fields(noRate.body), ['header/columns']);
  assert.equal(
    (await api('seller', 'POST', '/api/v1/tax/refund-rates/import', body('x', '2026-10-01', 'hs,rate\n6911,0.1'))).status,
    403,
  );
  assert.deepEqual(await versions(), ['2019-04:7:false', '2020-03:8:true']);

  // a version without the bowls' heading: their line has no known rate, and the refund says so
  const imp = await api<{ version: string; rows: number; current: boolean }>(
    'tax',
    'POST',
    '/api/v1/tax/refund-rates/import',
    body('2026-10', '2026-10-01', 'hs,rate\r\n6913,0.09\r\n'),
  );
  assert.equal(imp.status, 201, JSON.stringify(imp.body));
  assert.deepEqual([imp.body.rows, imp.body.current], [1, true]);
  let v = await refundOf('seller');
  assert.equal(v.verdict.rateVersion, '2026-10');
  assert.notEqual(v.verdict.outcome, 'refund');
  const rate = unmet(v).find((c) => c.id === 'rate_known')!;
  assert.match(rate.reason!.en, /no refund rate known for HS 6911101900/);
  assert.match(rate.reason!.zh, /未找到该商品编码的退税率: HS 6911101900/);
  assert.ok(v.verdict.lines.some((l) => l.gcode === '6911101900' && l.rateStatus === 'unknown' && l.rate === null));
  assert.equal(v.verdict.estimate, '0', 'no refund, no estimate — and never a silent 0 rate');

  // in force: not replaced; one version per date
  const replace = await api('tax', 'POST', '/api/v1/tax/refund-rates/import', body('2026-10', '2026-10-01', 'hs,rate\n69,0.13'));
  assert.equal(replace.status, 409);
  const twin = await api('tax', 'POST', '/api/v1/tax/refund-rates/import', body('2026-10b', '2026-10-01', 'hs,rate\n69,0.13'));
  assert.equal(twin.status, 409);
  assert.deepEqual(await versions(), ['2019-04:7:false', '2020-03:8:false', '2026-10:1:true']);

  // the whole chapter at 9 % from 10 October: a refund again, estimated at the new rate
  const ch = await api(
    'tax',
    'POST',
    '/api/v1/tax/refund-rates/import',
    body('2026-10c', '2026-10-10', 'hs,rate\n69,0.09\n6913,0.13'),
  );
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  v = await refundOf('seller');
  assert.deepEqual([v.verdict.outcome, v.verdict.rateVersion], ['refund', '2026-10c']);
  assert.deepEqual(
    v.verdict.lines.map((l) => `${l.gcode}:${l.rate}`),
    lines.map((l) => `${l.gcode}:${l.gcode.startsWith('6913') ? '0.13' : '0.09'}`),
    'the longest prefix wins',
  );
  await tp.platform.audit.flush(db());
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'tax.rate_version'`.execute(
    db(),
  );
  assert.equal(audit.rows[0]!.n, 2);
});

test('the refund copy for the tax bureau: head and lines as declared, the real exit date, the verdict', async () => {
  const res = await api<RefundCopy>('seller', 'GET', `/api/v1/tax/declarations/${declarationId}/refund-copy`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const c = res.body;
  const head = await sql<{
    traf_mode: string;
    country: string;
    port_code: string;
    gross: string;
    net: string;
    entry_id: string;
  }>`select traf_mode, country, port_code, trim_scale(gross_weight)::text as gross, trim_scale(net_weight)::text as net, entry_id
     from sum_declaration where id = ${declarationId}`.execute(db());
  const h = head.rows[0]!;
  assert.equal(c.entryId, h.entry_id);
  assert.deepEqual(
    [c.head.trafMode, c.head.arrivalCountry, c.head.exitPort, c.head.grossWeight, c.head.netWeight],
    [h.traf_mode, h.country, h.port_code, h.gross, h.net],
  );
  assert.deepEqual([c.head.trafMode, c.head.arrivalCountry, c.head.exitPort], ['5', '502', '4006']);
  assert.equal(c.head.arrivalCountryName, '美国');
  assert.ok(Number(c.head.grossWeight) > 0);
  assert.equal(c.head.inventoryCount, ps.length);
  // the real exit: the latest closing (899 on departure) of its inventories, not the period's last day
  const closed = await sql<{ at: Date }>`
    select max(i.closed_at) as at from clr_inventory i
    where i.document_id in (select inventory_id from sum_lineage where declaration_id = ${declarationId})`.execute(db());
  assert.equal(c.head.exitAt, closed.rows[0]!.at.toISOString());
  assert.equal(c.head.exitDate, '2026-10-20');
  const lines = await sql<{ line_no: number; gname: string; unit: string; country: string; qty: string }>`
    select line_no, gname, unit, country, trim_scale(qty)::text as qty from sum_declaration_line
    where declaration_id = ${declarationId} order by line_no`.execute(db());
  assert.deepEqual(
    c.lines.map((l) => `${l.lineNo}:${l.gname}:${l.qty}:${l.unit}:${l.destinationCountry}`),
    lines.rows.map((l) => `${l.line_no}:${l.gname}:${l.qty}:${l.unit}:${l.country}`),
  );
  assert.ok(c.lines.every((l) => l.gname && l.unitName && l.destinationCountryName === '美国'));
  assert.equal(c.refund.outcome, 'refund');
  assert.equal(c.refund.rateVersion, '2026-10c');
  assert.equal(
    c.lines.reduce((a, l) => a + Number(l.estimate), 0),
    Number(c.refund.estimate),
  );
  assert.deepEqual(c.refund.unmet, []);

  const byOfficer = await api<RefundCopy>('tax', 'GET', `/api/v1/tax/declarations/${declarationId}/refund-copy`);
  assert.deepEqual(byOfficer.body, c);
  assert.equal((await api('seller2', 'GET', `/api/v1/tax/declarations/${declarationId}/refund-copy`)).status, 404);
  assert.equal((await api('customs', 'GET', `/api/v1/tax/declarations/${declarationId}/refund-copy`)).status, 403);
});

test('the tax desk per enterprise: declarations, outcomes, the refund estimate and the unmet conditions', async () => {
  interface Entry {
    orgId: string;
    declarations: number;
    outcomes: { refund: number; exemption: number; taxable: number };
    estimate: string;
    unmet: { id: string; declarations: number; reason: { zh: string; en: string } }[];
  }
  const desk = async () => {
    const r = await api<Entry[]>('tax', 'GET', '/api/v1/tax/enterprises');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.find((e) => e.orgId === sellerOrg)!;
  };
  const refund = await refundOf();
  let e = await desk();
  assert.deepEqual(
    [e.declarations, e.outcomes, e.estimate],
    [1, { refund: 1, exemption: 0, taxable: 0 }, Number(refund.verdict.estimate).toFixed(2)],
  );
  assert.deepEqual(e.unmet, []);
  // no refund qualification: the desk counts the declaration under the unmet condition, with its reason
  await setProfile({ refundQualified: false });
  e = await desk();
  assert.deepEqual([e.outcomes, e.estimate], [{ refund: 0, exemption: 1, taxable: 0 }, '0.00']);
  assert.deepEqual(
    e.unmet.map((u) => `${u.id}:${u.declarations}`),
    ['taxpayer_qualified:1'],
  );
  assert.match(e.unmet[0]!.reason.zh, /资格/);
  assert.equal((await api('seller', 'GET', '/api/v1/tax/enterprises')).status, 403);
});

test('无票免税 per jurisdiction: a district’s or an office’s own version judges its declarations, the most specific in force', async () => {
  // the small pilot-zone seller without vouchers again, declared at 4006 (district 4000); the
  // national versions of the first test: 2026-10-20 (zone 3601 through 4003 and 4006) in force
  await setProfile({ generalTaxpayer: false, refundQualified: false, pilotZone: '3601' });
  await sql`delete from tax_purchase where declaration_id = ${declarationId}`.execute(db());
  let v = await refundOf();
  assert.deepEqual([v.verdict.outcome, v.verdict.ruleVersion, v.verdict.ruleJurisdiction], ['exemption', '2026-10-20', null]);
  const own = async () =>
    (
      await sql<{ k: string }>`
        select jurisdiction || '/' || to_char(effective_from, 'YYYY-MM-DD') as k from tax_rule_version
        where jurisdiction <> '' order by 1`.execute(db())
    ).rows.map((r) => r.k);
  const version = (jurisdiction: string | null, enabled: boolean, customs: string[]) => ({
    jurisdiction,
    noInvoiceExemption: { enabled, pilotZones: [{ zone: '3601', customs }] },
    note: jurisdiction ? `海关${jurisdiction}自定` : '',
  });

  // a jurisdiction is a customs district or office of the code table; GACC is the national rule
  for (const [j, rule] of [
    ['9999', 'codeTable'],
    ['0000', 'level'],
  ] as const) {
    const bad = await api<Problem>('tax', 'PUT', '/api/v1/tax/rules/2026-10-05', version(j, false, ['4000']));
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.deepEqual(fields(bad.body), [`jurisdiction/${rule}`]);
    assert.match(bad.body.errors![0]!.message.zh, /^适用海关/);
  }
  assert.deepEqual(await own(), [], 'nothing stored by refused input');

  // Nanchang district (4000) switches the rule off from 5 October: its version judges the
  // declaration through 4006, though the national ones of 15 and 20 October are newer.
  const district = await api<{ jurisdiction: string | null; effectiveFrom: string; current: boolean }>(
    'tax',
    'PUT',
    '/api/v1/tax/rules/2026-10-05',
    version('4000', false, ['4000']),
  );
  assert.equal(district.status, 200, JSON.stringify(district.body));
  assert.deepEqual(
    [district.body.jurisdiction, district.body.effectiveFrom, district.body.current],
    ['4000', '2026-10-05', true],
  );
  v = await refundOf();
  assert.deepEqual([v.verdict.outcome, v.verdict.ruleVersion, v.verdict.ruleJurisdiction], ['taxable', '2026-10-05', '4000']);
  assert.match(unmet(v).find((c) => c.id === 'purchase_vouchers')!.reason!.zh, /未启用（规则版本2026-10-05，适用海关4000）/);

  // The office's own version (4006) is more specific than its district's; another office's
  // (4003) and one not yet in force on the exit day do not apply.
  for (const [day, j, enabled] of [
    ['2026-10-10', '4006', true],
    ['2026-10-11', '4003', false],
    ['2026-12-01', '4006', false],
  ] as const)
    assert.equal((await api('tax', 'PUT', `/api/v1/tax/rules/${day}`, version(j, enabled, [j]))).status, 200);
  v = await refundOf();
  assert.deepEqual([v.verdict.outcome, v.verdict.ruleVersion, v.verdict.ruleJurisdiction], ['exemption', '2026-10-10', '4006']);
  assert.deepEqual(await own(), ['4000/2026-10-05', '4003/2026-10-11', '4006/2026-10-10', '4006/2026-12-01']);

  // A jurisdiction's version in force is not replaced either; the national one of the same day is another version.
  const again = await api('tax', 'PUT', '/api/v1/tax/rules/2026-10-10', version('4006', false, ['4006']));
  assert.equal(again.status, 409);
  assert.equal((await refundOf()).verdict.outcome, 'exemption', 'unchanged');
  await tp.platform.audit.flush(db());
  const audited = await sql<{ id: string }>`
    select entity_id as id from audit_log where action = 'tax.rule_version' and entity_id like '%/%' order by seq`.execute(db());
  assert.deepEqual(
    audited.rows.map((r) => r.id),
    ['4000/2026-10-05', '4006/2026-10-10', '4003/2026-10-11', '4006/2026-12-01'],
  );

  // The list shows each version's jurisdiction and which one is in force in it today.
  const list = await api<{ jurisdiction: string | null; effectiveFrom: string; current: boolean }[]>(
    'tax',
    'GET',
    '/api/v1/tax/rules',
  );
  assert.deepEqual(
    list.body.map((r) => `${r.jurisdiction ?? '*'}:${r.effectiveFrom}:${r.current}`),
    [
      '*:2018-10-01:false',
      '*:2020-01-01:false',
      '*:2026-10-01:false',
      '*:2026-10-15:false',
      '*:2026-10-20:true',
      '*:2027-01-01:false',
      '4000:2026-10-05:true',
      '4003:2026-10-11:true',
      '4006:2026-10-10:true',
      '4006:2026-12-01:false',
    ],
  );
});
