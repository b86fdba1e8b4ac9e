import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeParcel } from '../../../../test/support/parcels.ts';
import { ruleSetOn, type ClearanceRuleSet } from './clearance.rulesets.ts';
import { fromScaled, toScaled } from './decimal.ts';
import {
  describeMismatches,
  MATCH_HEAD_FIELDS,
  matchInventory,
  type DocForMatch,
  type MatchOutcome,
  type Mismatch,
} from './match.rules.ts';

// The rule set in force on the test parcels' day, and the same with the payment collection required.
const shipped = ruleSetOn(new Date('2026-11-26T10:30:00Z'));
const withPayment: ClearanceRuleSet = { ...shipped, requirePayment: true };
/** the smallest N19,5 step */
const STEP = '0.00001';
const add = (...xs: string[]): string => fromScaled(xs.reduce((a, x) => a + toScaled(x), 0n));
const sub = (a: string, b: string): string => fromScaled(toScaled(a) - toScaled(b));
const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;

interface Docs {
  inventory: DocForMatch;
  order: DocForMatch;
  waybill: DocForMatch;
  payment: DocForMatch;
}

/**
 * The documents of a consistent parcel as the pipeline hands them to the matcher. Parcel 1 has two
 * lines: gnum 1 (2 × 150) and gnum 2 (3 × 800); goodsValue 2700, freight 0, gross weight 4.00.
 */
function docs(n = 1): Docs {
  const p = makeParcel(n);
  return {
    inventory: { head: p.inventory.head, lines: p.inventory.lists.InventoryList ?? [] },
    order: { head: p.order.head, lines: p.order.lists.OrderList ?? [] },
    waybill: { head: p.waybill.head, lines: [] },
    payment: { head: p.payment.head, lines: [] },
  };
}

const line = (d: DocForMatch, gnum: string) => {
  const l = d.lines.find((x) => x.gnum === gnum);
  assert.ok(l, `line ${gnum}`);
  return l;
};

function run(d: Docs, rules: ClearanceRuleSet = shipped): MatchOutcome {
  return matchInventory(rules, d.inventory, d.order, d.waybill, d.payment);
}

function mismatchesOf(outcome: MatchOutcome): Mismatch[] {
  assert.equal(outcome.ok, false, 'the match should fail');
  return outcome.ok ? [] : outcome.mismatches;
}

test('the consistent parcels match, with and without the payment collection required', () => {
  // Parcel 1 has two lines, parcel 2 one.
  for (const n of [1, 2]) {
    assert.equal(docs(n).inventory.lines.length, n === 1 ? 2 : 1);
    assert.deepEqual(run(docs(n)), { ok: true });
    assert.deepEqual(run(docs(n), withPayment), { ok: true });
  }
});

interface Case {
  name: string;
  rules?: ClearanceRuleSet;
  mutate: (d: Docs) => void;
  field: string;
  /** the values the mismatch carries */
  inventory: string | undefined;
  /** what the first value is called in the texts (the inventory's unless a payment is checked against the order) */
  first?: { zh: string; en: string };
  other: string | undefined;
  zh: string;
  en: string;
}

const cases: Case[] = [
  {
    name: 'seller (ebcCode) of the order',
    mutate: (d) => (d.order.head.ebcCode = '3601269999'),
    field: 'ebcCode',
    inventory: '3601260888',
    other: '3601269999',
    zh: '清单与订单的电商企业不一致',
    en: 'seller differs between inventory and order',
  },
  {
    name: 'number of lines (the order has one more)',
    mutate: (d) => d.order.lines.push({ ...line(d.order, '2'), gnum: '3', totalPrice: '0' }),
    field: 'lines',
    inventory: '2',
    other: '3',
    zh: '清单与订单的商品项数不一致',
    en: 'inventory and order have a different number of lines',
  },
  {
    name: 'an inventory line the order lacks (gnum)',
    mutate: (d) => (line(d.inventory, '2').gnum = '3'),
    field: 'InventoryList[gnum=3]',
    inventory: '3',
    other: undefined,
    zh: '订单没有第 3 项',
    en: 'the order has no line 3',
  },
  {
    name: 'line item number',
    mutate: (d) => (line(d.inventory, '2').itemNo = 'QHC-VASE-03'),
    field: 'InventoryList[gnum=2]/itemNo',
    inventory: 'QHC-VASE-03',
    other: 'QHC-VASE-02',
    zh: '商品货号不一致',
    en: 'item number differs',
  },
  {
    name: 'line quantity',
    mutate: (d) => (line(d.inventory, '2').qty = '4'),
    field: 'InventoryList[gnum=2]/qty',
    inventory: '4',
    other: '3',
    zh: '数量不一致',
    en: 'quantity differs',
  },
  {
    name: 'line quantity, by the smallest step',
    mutate: (d) => (line(d.order, '1').qty = add('2', STEP)),
    field: 'InventoryList[gnum=1]/qty',
    inventory: '2',
    other: '2.00001',
    zh: '数量不一致',
    en: 'quantity differs',
  },
  {
    name: 'line unit',
    mutate: (d) => (line(d.inventory, '2').unit = '035'),
    field: 'InventoryList[gnum=2]/unit',
    inventory: '035',
    other: '011',
    zh: '计量单位不一致',
    en: 'unit differs',
  },
  {
    name: 'line unit price, by the smallest step (no tolerance)',
    mutate: (d) => (line(d.inventory, '2').price = add('800', STEP)),
    field: 'InventoryList[gnum=2]/price',
    inventory: '800.00001',
    other: '800',
    zh: '单价不一致',
    en: 'unit price differs',
  },
  {
    name: 'line currency',
    mutate: (d) => (line(d.inventory, '2').currency = '502'),
    field: 'InventoryList[gnum=2]/currency',
    inventory: '502',
    other: '142',
    zh: '币制不一致',
    en: 'currency differs',
  },
  {
    name: 'total price (Σ inventory line totals vs order goodsValue), just beyond the tolerance',
    mutate: (d) => (line(d.inventory, '2').totalPrice = add('2400', shipped.amountTolerance, STEP)),
    field: 'totalPrice',
    // in currency units, as the seller reads it
    inventory: add('2700', shipped.amountTolerance, STEP),
    other: '2700',
    zh: '清单总价与订单货值不一致',
    en: 'inventory total differs from the order goods value',
  },
  {
    name: 'gross weight against the waybill',
    mutate: (d) => (d.inventory.head.grossWeight = '5'),
    field: 'grossWeight',
    inventory: '5',
    other: '4.00',
    zh: `清单毛重与运单毛重相差超过 ${shipped.weightTolerancePct}%`,
    en: `gross weight differs from the waybill by more than ${shipped.weightTolerancePct}%`,
  },
  {
    name: 'consignor (ebcCode) of the waybill',
    mutate: (d) => (d.waybill.head.ebcCode = '3601269999'),
    field: 'waybill/ebcCode',
    inventory: '3601260888',
    other: '3601269999',
    zh: '运单发货人与清单电商企业不一致',
    en: 'waybill consignor differs from the seller',
  },
  {
    name: 'payment amount (payment required)',
    rules: withPayment,
    mutate: (d) => (d.payment.head.charge = '2699'),
    field: 'payment/charge',
    first: { zh: '订单', en: 'order' },
    inventory: '2700',
    other: '2699',
    zh: '收款金额与订单不一致',
    en: 'amount collected differs from the order',
  },
  {
    name: 'payment currency (payment required)',
    rules: withPayment,
    mutate: (d) => (d.payment.head.currency = '502'),
    field: 'payment/currency',
    first: { zh: '订单', en: 'order' },
    inventory: '142',
    other: '502',
    zh: '收款币制与订单不一致',
    en: 'payment currency differs from the order',
  },
];

for (const c of cases) {
  test(`one field off fails the match and says so: ${c.name}`, () => {
    const d = docs();
    c.mutate(d);
    const ms = mismatchesOf(run(d, c.rules ?? shipped));
    assert.deepEqual(
      ms.map((m) => m.field),
      [c.field],
    );
    const m = ms[0]!;
    assert.equal(m.inventory, c.inventory);
    assert.equal(m.other, c.other);
    assert.equal(m.zh, c.zh);
    assert.equal(m.en, c.en);

    const why = describeMismatches(ms);
    assert.ok(why.zh.startsWith('三单比对不符：'), why.zh);
    const first = c.first ?? { zh: '清单', en: 'inventory' };
    assert.ok(why.zh.includes(c.zh) && why.zh.includes(`（${c.field}：${first.zh} `), why.zh);
    assert.ok(why.en.startsWith('Three-document match failed: '), why.en);
    assert.ok(why.en.includes(c.en) && why.en.includes(`(${c.field}: ${first.en} `), why.en);
    assert.ok(!CJK.test(why.en), `no Chinese in the English text: ${why.en}`);
    assert.ok(why.zh.includes(`${first.zh} ${c.inventory ?? '—'}，对方 ${c.other ?? '—'}）`), why.zh);
    assert.ok(why.en.includes(`${first.en} ${c.inventory ?? '—'}, other ${c.other ?? '—'})`), why.en);
  });
}

test('several mismatches are all listed, in check order, in both languages', () => {
  const d = docs();
  line(d.inventory, '1').unit = '035';
  d.waybill.head.ebcCode = '3601269999';
  const ms = mismatchesOf(run(d));
  assert.deepEqual(
    ms.map((m) => m.field),
    ['InventoryList[gnum=1]/unit', 'waybill/ebcCode'],
  );
  const why = describeMismatches(ms);
  assert.equal(why.zh.split('；').length, 2);
  assert.ok(why.zh.indexOf('计量单位不一致') < why.zh.indexOf('运单发货人与清单电商企业不一致'), why.zh);
  assert.equal(why.en.split('; ').length, 2);
  assert.ok(why.en.indexOf('unit differs') < why.en.indexOf('waybill consignor differs from the seller'), why.en);
});

test('quantities and prices compare as numbers, not as text', () => {
  const d = docs();
  line(d.inventory, '2').qty = '3.00000';
  line(d.order, '2').price = '800.0';
  assert.deepEqual(run(d), { ok: true });
});

test('a wrong payment collection is ignored unless the rule set requires payment', () => {
  assert.equal(shipped.requirePayment, false);
  const d = docs();
  d.payment.head.charge = '1';
  d.payment.head.currency = '502';
  assert.deepEqual(run(d, shipped), { ok: true });
  assert.deepEqual(
    mismatchesOf(run(d, withPayment)).map((m) => m.field),
    ['payment/charge', 'payment/currency'],
  );
  // Without a payment collection the matcher has nothing to compare: the pipeline waits for one
  // before matching when the rule set requires it.
  assert.deepEqual(matchInventory(withPayment, d.inventory, d.order, d.waybill, undefined), { ok: true });
});

test('the inventory total may differ from the order goods value by the amount tolerance, both ways', () => {
  const t = shipped.amountTolerance;
  assert.ok(toScaled(t) > 0n, 'the shipped rule set has an amount tolerance');
  const at = (total: string) => {
    const d = docs();
    line(d.inventory, '2').totalPrice = total;
    return run(d);
  };
  assert.deepEqual(at(add('2400', t)), { ok: true });
  assert.deepEqual(at(sub('2400', t)), { ok: true });
  assert.deepEqual(
    mismatchesOf(at(add('2400', t, STEP))).map((m) => m.field),
    ['totalPrice'],
  );
  assert.deepEqual(
    mismatchesOf(at(sub(sub('2400', t), STEP))).map((m) => m.field),
    ['totalPrice'],
  );
});

test('the inventory gross weight may differ from the waybill by the weight tolerance (percent of the waybill), both ways', () => {
  const pct = shipped.weightTolerancePct;
  assert.ok(pct > 0, 'the shipped rule set has a weight tolerance');
  const waybill = '100';
  const slack = fromScaled((toScaled(waybill) * BigInt(Math.round(pct * 100))) / 10_000n);
  const at = (inventory: string) => {
    const d = docs();
    d.waybill.head.grossWeight = waybill;
    d.inventory.head.grossWeight = inventory;
    return run(d);
  };
  assert.deepEqual(at(add(waybill, slack)), { ok: true });
  assert.deepEqual(at(sub(waybill, slack)), { ok: true });
  assert.deepEqual(
    mismatchesOf(at(add(waybill, slack, STEP))).map((m) => m.field),
    ['grossWeight'],
  );
  assert.deepEqual(
    mismatchesOf(at(sub(sub(waybill, slack), STEP))).map((m) => m.field),
    ['grossWeight'],
  );
});

test('the payment may be the goods value or the goods value plus freight, each within the amount tolerance', () => {
  const t = shipped.amountTolerance;
  const at = (charge: string) => {
    const d = docs();
    d.order.head.freight = '35';
    d.payment.head.charge = charge;
    return run(d, withPayment);
  };
  for (const base of ['2700', '2735']) {
    assert.deepEqual(at(add(base, t)), { ok: true }, `${base} + tolerance`);
    assert.deepEqual(at(sub(base, t)), { ok: true }, `${base} − tolerance`);
    assert.deepEqual(
      mismatchesOf(at(add(base, t, STEP))).map((m) => m.field),
      ['payment/charge'],
      `${base} + tolerance + step`,
    );
    assert.deepEqual(
      mismatchesOf(at(sub(sub(base, t), STEP))).map((m) => m.field),
      ['payment/charge'],
      `${base} − tolerance − step`,
    );
  }
  // Half the freight is neither.
  assert.equal(at('2717.5').ok, false);
});

// Defects this file found, fixed since; kept so they stay fixed.
test('a total mismatch reports the inventory total in currency units, not scaled', () => {
  const d = docs();
  line(d.inventory, '2').totalPrice = '2400.5';
  const [m] = mismatchesOf(run(d));
  assert.equal(m?.inventory, '2700.5');
});

test('decimals the CEB validator accepts (trailing zeros beyond 5 places) are compared, not thrown on', () => {
  const d = docs();
  line(d.inventory, '2').qty = '3.000000';
  assert.deepEqual(run(d), { ok: true });
});

test('the match reads no counterpart head field beyond MATCH_HEAD_FIELDS (the pipeline fetches those alone)', () => {
  const read = { order: new Set<string>(), waybill: new Set<string>(), payment: new Set<string>() };
  const watched = (kind: keyof typeof read, d: DocForMatch): DocForMatch => ({
    lines: d.lines,
    head: new Proxy(d.head, {
      get(target, key, receiver) {
        if (typeof key === 'string') read[kind].add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    }),
  });
  // a consistent parcel and one that differs everywhere: every comparison runs
  const d = docs();
  const bad = docs(2);
  for (const [o, w, p] of [
    [d.order, d.waybill, d.payment],
    [bad.order, bad.waybill, bad.payment],
  ] as const) {
    matchInventory(withPayment, d.inventory, watched('order', o), watched('waybill', w), watched('payment', p));
  }
  for (const kind of ['order', 'waybill', 'payment'] as const) {
    const allowed = new Set<string>(MATCH_HEAD_FIELDS[kind]);
    assert.deepEqual(
      [...read[kind]].filter((f) => !allowed.has(f)),
      [],
      `${kind} fields read beyond MATCH_HEAD_FIELDS`,
    );
    assert.ok(read[kind].size > 0, `${kind} head was read`);
  }
});
