import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateTableOn, ratesOf, refundRate, REFUND_RATE_TABLES } from './refund-rates.data.ts';
import type { Proceed, ProceedsChannel } from '../../forex/index.ts';
import { evaluateRefund, type DeclarationFacts, type TaxProfile, type TaxRuleConfig } from './refund.rules.ts';

const okProfile: TaxProfile = {
  generalTaxpayer: true,
  refundQualified: true,
  taxRegistered: true,
  tradingCompany: true,
  pilotZone: null,
};
// CNY received for an order (null: for the declaration as a whole) through one channel
const paid = (orderNo: string | null, channel: ProceedsChannel, amount: string, currency = '142'): Proceed => ({
  orderNo,
  channel,
  currency,
  amount,
});
// Two orders, O-1 worth 1500 and O-2 worth 800, each paid by its CEB403 collection.
const okFacts: DeclarationFacts = {
  entryId: '400620260000000001',
  exitDay: '2026-10-20',
  customsCode: '4006',
  lines: [
    { lineNo: 1, gcode: '6911101900', currency: '142', totalPrice: '1500' },
    { lineNo: 2, gcode: '6913100000', currency: '142', totalPrice: '800' },
  ],
  customsDifferences: [],
  proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-2', 'ceb403', '800')],
  orderValues: [
    { orderNo: 'O-1', currency: '142', value: '1500' },
    { orderNo: 'O-2', currency: '142', value: '800' },
  ],
  lastReceiptDay: '2026-10-25',
  lastBankReceiptDay: null,
  purchases: [
    { lineNo: 1, kind: 'vat_special', amountExclVat: '1000' },
    { lineNo: 2, kind: 'vat_special', amountExclVat: '500.50' },
  ],
};
const rates = ratesOf(rateTableOn('2026-10-20'));

const cases: {
  name: string;
  profile?: Partial<TaxProfile>;
  facts?: Partial<DeclarationFacts>;
  config?: TaxRuleConfig;
  outcome: 'refund' | 'exemption' | 'taxable';
  unmet: string[];
  reason?: RegExp;
}[] = [
  { name: 'all refund conditions hold', outcome: 'refund', unmet: [] },
  {
    name: 'not a general taxpayer → exemption',
    profile: { generalTaxpayer: false },
    outcome: 'exemption',
    unmet: ['taxpayer_qualified'],
    reason: /一般纳税人/,
  },
  {
    name: 'no refund qualification → exemption',
    profile: { refundQualified: false },
    outcome: 'exemption',
    unmet: ['taxpayer_qualified'],
    reason: /资格/,
  },
  {
    name: 'not summary-declared → neither',
    facts: { entryId: null },
    outcome: 'taxable',
    unmet: ['declaration_matches', 'declaration_exists'],
  },
  {
    name: 'proceeds short → exemption, naming the amounts',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-2', 'ceb403', '500')] },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /申报2300，已收2000，未收足订单: O-2（申报800，已收500）/,
  },
  {
    name: 'proceeds in another currency do not count',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500', '502'), paid('O-2', 'ceb403', '800', '502')] },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
  },
  {
    name: 'proceeds after 30 April of the next year → exemption',
    facts: { lastReceiptDay: '2027-05-02' },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /2027-04-30/,
  },
  {
    name: 'paid by bank only: matched bank / payment-institution receipts count as proceeds',
    facts: {
      proceeds: [paid('O-1', 'bank', '1500'), paid('O-2', 'payment', '800')],
      lastReceiptDay: null,
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'CEB403 and bank receipts together make the declared value',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-2', 'bank', '800')], lastBankReceiptDay: '2027-04-30' },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'CEB403 and bank together still short → exemption, naming both sources',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-2', 'bank', '500')], lastBankReceiptDay: '2026-11-03' },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /申报2300，已收2000（收款单1500，银行\/支付机构500），未收足订单: O-2（申报800，已收500）/,
  },
  {
    name: 'a bank receipt in another currency does not count',
    facts: {
      proceeds: [paid('O-1', 'bank', '1500', '502'), paid('O-2', 'bank', '800', '502')],
      lastReceiptDay: null,
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /已收0/,
  },
  {
    name: 'a bank receipt after 30 April of the next year → exemption',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-2', 'bank', '800')], lastBankReceiptDay: '2027-05-01' },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /2027-04-30（最后一笔2027-05-01）/,
  },
  // Each order counted once across channels, and at most its own declared value.
  {
    name: 'the same order via CEB403 + bank + RMB settlement counts once: received in full',
    facts: {
      proceeds: [
        paid('O-1', 'ceb403', '1500'),
        paid('O-1', 'bank', '1500'),
        paid('O-1', 'rmb', '1500'),
        paid('O-2', 'ceb403', '800'),
      ],
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'order A paid via CEB403 + bank + RMB settlement cannot cover unpaid order B',
    facts: {
      proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-1', 'bank', '1500'), paid('O-1', 'rmb', '1500')],
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /申报2300，已收1500（收款单1500，银行\/支付机构3000），未收足订单: O-2（申报800，已收0）/,
  },
  {
    name: 'order A double-paid through the same payment institution (CEB403 and its record) cannot cover order B',
    facts: {
      proceeds: [paid('O-1', 'ceb403', '1500'), paid('O-1', 'payment', '1500')],
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /O-2（申报800，已收0）/,
  },
  {
    name: 'order A over-paid in one channel cannot cover order B, short by what B lacks',
    facts: { proceeds: [paid('O-1', 'ceb403', '2300'), paid('O-2', 'ceb403', '300')] },
    outcome: 'exemption',
    unmet: ['proceeds_received'],
    reason: /申报2300，已收1800，未收足订单: O-2（申报800，已收300）/,
  },
  {
    name: 'the largest channel of an order stands: a partial CEB403, then the full bank credit',
    facts: {
      proceeds: [paid('O-1', 'ceb403', '1000'), paid('O-1', 'bank', '1500'), paid('O-2', 'ceb403', '800')],
      lastBankReceiptDay: '2026-11-03',
    },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'an RMB settlement naming only the declaration counts in full, for no one order',
    facts: { proceeds: [paid('O-1', 'ceb403', '1500'), paid(null, 'rmb', '800')], lastBankReceiptDay: '2026-11-03' },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'declaration quantity differs from its inventories → exemption (the declaration exists)',
    facts: { customsDifferences: [{ lineNo: 1, field: 'qty', declared: '3', customs: '2' }] },
    outcome: 'exemption',
    unmet: ['declaration_matches'],
    reason: /第1项数量申报3，清单合计2/,
  },
  {
    name: 'declaration value and HS code differ from its inventories, each named',
    facts: {
      customsDifferences: [
        { lineNo: 1, field: 'totalPrice', declared: '1500', customs: '1400' },
        { lineNo: 2, field: 'gcode', declared: '6913100000', customs: '6913900000' },
      ],
    },
    outcome: 'exemption',
    unmet: ['declaration_matches'],
    reason: /第1项总价申报1500，清单合计1400；第2项商品编码申报6913100000，清单合计6913900000/,
  },
  {
    name: 'a fed inventory line no longer closed → the declaration does not match',
    facts: { customsDifferences: [{ lineNo: 2, field: 'lines', declared: '2', customs: '1' }] },
    outcome: 'exemption',
    unmet: ['declaration_matches'],
    reason: /第2项归并2条清单商品，其中已结关清单1条/,
  },
  {
    name: 'many differences: the first five named, the count given',
    facts: {
      customsDifferences: Array.from({ length: 7 }, (_, i) => ({
        lineNo: i + 1,
        field: 'currency' as const,
        declared: '142',
        customs: '502',
      })),
    },
    outcome: 'exemption',
    unmet: ['declaration_matches'],
    reason: /第5项币制申报142，清单合计502等7处/,
  },
  {
    name: 'trading company with an ordinary invoice only → exemption (vouchers suffice)',
    facts: {
      purchases: [
        { lineNo: 1, kind: 'ordinary', amountExclVat: '1000' },
        { lineNo: 2, kind: 'vat_special', amountExclVat: '500' },
      ],
    },
    outcome: 'exemption',
    unmet: ['purchase_invoices'],
    reason: /第1项/,
  },
  {
    name: 'a manufacturer needs no purchase invoices for refund',
    profile: { tradingCompany: false },
    facts: {
      purchases: [
        { lineNo: 1, kind: 'ordinary', amountExclVat: '1000' },
        { lineNo: 2, kind: 'ordinary', amountExclVat: '1' },
      ],
    },
    outcome: 'refund',
    unmet: [],
  },
  {
    name: 'no vouchers, not in a pilot zone → taxable',
    profile: { generalTaxpayer: false },
    facts: { purchases: [] },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'purchase_invoices', 'purchase_vouchers'],
  },
  {
    name: '无票免税: no vouchers in the Nanchang pilot zone → exemption',
    profile: { generalTaxpayer: false, pilotZone: '3601' },
    facts: { purchases: [] },
    outcome: 'exemption',
    unmet: ['taxpayer_qualified', 'purchase_invoices'],
  },
  {
    name: '无票免税 switched off → taxable, the reason says so',
    profile: { generalTaxpayer: false, pilotZone: '3601' },
    facts: { purchases: [] },
    config: { version: '2026-10-01', noInvoiceExemption: { enabled: false, pilotZones: [{ zone: '3601', customs: ['4000'] }] } },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'purchase_invoices', 'purchase_vouchers'],
    reason: /无票免税规则（财税〔2018〕103号）未启用（规则版本2026-10-01）/,
  },
  {
    name: '无票免税: a pilot-zone exporter whose goods left through customs outside the zone → taxable',
    profile: { generalTaxpayer: false, pilotZone: '3601' },
    facts: { purchases: [], customsCode: '5100' },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'purchase_invoices', 'purchase_vouchers'],
    reason: /申报海关5100不在综试区3601的海关（4000）范围内/,
  },
  {
    name: '无票免税: the zone may name customs offices rather than the district',
    profile: { generalTaxpayer: false, pilotZone: '3601' },
    facts: { purchases: [], customsCode: '4003' },
    config: { version: null, noInvoiceExemption: { enabled: true, pilotZones: [{ zone: '3601', customs: ['4001', '4006'] }] } },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'purchase_invoices', 'purchase_vouchers'],
    reason: /4003不在综试区3601的海关（4001,4006）/,
  },
  {
    name: '无票免税: a zone the rule does not name → taxable',
    profile: { generalTaxpayer: false, pilotZone: '3607' },
    facts: { purchases: [] },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'purchase_invoices', 'purchase_vouchers'],
    reason: /综试区3607不在无票免税规则所列综试区内/,
  },
  {
    name: 'no refund rate known for an HS code → no refund and no 0 estimate, the code named',
    facts: {
      lines: [
        { lineNo: 1, gcode: '6911101900', currency: '142', totalPrice: '1500' },
        { lineNo: 2, gcode: '8471300000', currency: '142', totalPrice: '800' },
      ],
    },
    outcome: 'exemption',
    unmet: ['rate_known'],
    reason: /未找到该商品编码的退税率: HS 8471300000/,
  },
  {
    name: 'no tax registration → no exemption',
    profile: { generalTaxpayer: false, taxRegistered: false },
    outcome: 'taxable',
    unmet: ['taxpayer_qualified', 'tax_registered'],
  },
  {
    name: 'excluded goods → taxable',
    facts: {
      lines: [{ lineNo: 1, gcode: '2710121000', currency: '142', totalPrice: '100' }],
      proceeds: [paid('O-1', 'ceb403', '100')],
      orderValues: [{ orderNo: 'O-1', currency: '142', value: '100' }],
      purchases: [{ lineNo: 1, kind: 'vat_special', amountExclVat: '80' }],
    },
    outcome: 'taxable',
    unmet: ['not_excluded', 'not_excluded'],
    reason: /2710121000/,
  },
];

for (const c of cases) {
  test(`refund/exemption: ${c.name}`, () => {
    const v = evaluateRefund({ ...okProfile, ...c.profile }, { ...okFacts, ...c.facts }, rates, c.config);
    assert.equal(v.outcome, c.outcome);
    const unmet = [...v.refund, ...v.exemption].filter((x) => !x.met);
    assert.deepEqual(
      unmet.map((x) => x.id),
      c.unmet,
    );
    for (const u of unmet) assert.ok(u.reason && u.reason.zh && u.reason.en, `${u.id} names its reason`);
    if (c.reason) assert.match(unmet.map((u) => u.reason!.zh).join(' '), c.reason);
  });
}

test('refund estimate = purchase value excluding VAT × refund rate, to the fen', () => {
  const v = evaluateRefund(okProfile, okFacts, rates);
  assert.deepEqual(
    v.lines.map((l) => `${l.gcode}:${l.rate}:${l.rateStatus}:${l.estimate}`),
    ['6911101900:0.13:known:130', '6913100000:0.13:known:65.07'],
  );
  assert.equal(v.estimate, '195.07');
  assert.equal(v.rateVersion, '2020-03');
  // no refund, no estimate
  assert.equal(evaluateRefund({ ...okProfile, refundQualified: false }, okFacts, rates).estimate, '0');
});

test('an unknown HS code is no silent 0: the line says unknown, the refund is refused with the reason in both languages', () => {
  const v = evaluateRefund(okProfile, { ...okFacts, lines: [{ ...okFacts.lines[0]!, gcode: '8471300000' }] }, rates);
  assert.deepEqual(
    v.lines.map((l) => `${l.gcode}:${l.rate}:${l.rateStatus}:${l.estimate}`),
    ['8471300000:null:unknown:0'],
  );
  const c = v.refund.find((x) => x.id === 'rate_known')!;
  assert.equal(c.met, false);
  assert.match(c.reason!.en, /no refund rate known for HS 8471300000/);
  assert.match(c.reason!.zh, /未找到该商品编码的退税率/);
  // no version in force on the exit day: every code is unknown, and the reason says why
  const none = evaluateRefund(okProfile, okFacts, { version: null, rateOf: () => ({ kind: 'unknown' }) });
  assert.match(none.refund.find((x) => x.id === 'rate_known')!.reason!.zh, /出口日无生效的退税率版本/);
  assert.equal(none.rateVersion, '');
});

test('rate tables are versioned; longest prefix wins; exclusions and unknown codes say so', () => {
  assert.equal(rateTableOn('2019-06-01').version, '2019-04');
  assert.equal(rateTableOn('2026-01-01').version, '2020-03');
  assert.deepEqual(refundRate(rateTableOn('2019-06-01'), '9503000000'), { kind: 'unknown' });
  assert.deepEqual(refundRate(rateTableOn('2026-01-01'), '9503000000'), { kind: 'rate', rate: '0.13' });
  assert.deepEqual(refundRate(REFUND_RATE_TABLES[1]!, '2710121000'), { kind: 'excluded' });
  const t = { ...REFUND_RATE_TABLES[1]!, rates: [...REFUND_RATE_TABLES[1]!.rates, { hs: '271012', rate: '0.09' }] };
  assert.deepEqual(refundRate(t, '2710121000'), { kind: 'rate', rate: '0.09' }, 'a longer rate prefix beats an exclusion');
});
