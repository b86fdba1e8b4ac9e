import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capFinding,
  checkReceipt,
  csvShapeProblems,
  matchReceipts,
  matchSettlements,
  orderCoverage,
  parseCsv,
  proceedsPerDeclaration,
  receivedPerDeclaration,
  reconcile,
  type DeclaredOrder,
  type OrderValue,
  type Proceed,
  type ProceedsChannel,
  type ReceiptInput,
  type StoredReceipt,
  type StoredSettlement,
} from './receipts.rules.ts';

const ok: ReceiptInput = {
  refNo: 'R1',
  institutionKind: 'payment',
  institutionCode: '3101960003',
  ebcCode: '3601260888',
  orderNo: 'O1',
  currency: '502',
  amount: '100.50',
  receivedOn: '2026-10-21',
  payerName: 'John',
};

const rowCases: { name: string; over: Partial<ReceiptInput>; rules: string[] }[] = [
  { name: 'a good row', over: {}, rules: [] },
  { name: 'missing refNo', over: { refNo: '' }, rules: ['refNo:required'] },
  { name: 'unknown institution kind', over: { institutionKind: 'broker' }, rules: ['institutionKind:enum'] },
  { name: 'bad institution code', over: { institutionCode: 'abc' }, rules: ['institutionCode:format'] },
  { name: 'bad currency', over: { currency: 'USD' }, rules: ['currency:codeTable'] },
  { name: 'negative amount', over: { amount: '-5' }, rules: ['amount:decimal'] },
  { name: 'three decimals', over: { amount: '1.005' }, rules: ['amount:decimal'] },
  { name: 'bad date', over: { receivedOn: '2026/10/21' }, rules: ['receivedOn:date'] },
  {
    name: "a payment institution's receipt in a currency without a reference rate (its cap cannot be judged)",
    over: { currency: '999' },
    rules: ['currency:rate'],
  },
  { name: 'payment institution over USD 50,000: stored, flagged (below)', over: { amount: '50000.01' }, rules: [] },
  {
    name: 'several problems at once',
    over: { refNo: '', amount: 'x', currency: '1' },
    rules: ['refNo:required', 'currency:codeTable', 'amount:decimal'],
  },
];

for (const c of rowCases) {
  test(`receipt row: ${c.name}`, () => {
    const r = checkReceipt(3, { ...ok, ...c.over });
    const got = 'problems' in r ? r.problems.map((p) => `${p.field.replace('rows[3].', '')}:${p.rule}`) : [];
    assert.deepEqual(got, c.rules);
    if ('problems' in r) for (const p of r.problems) assert.ok(p.message.zh && p.message.en);
  });
}

// The payment institutions' cap (汇发〔2015〕7号) is a finding on the stored row, never a refusal.
const capCases: { name: string; over: Partial<ReceiptInput>; overCap: boolean; usd: string }[] = [
  { name: 'payment institution over USD 50,000', over: { amount: '50000.01' }, overCap: true, usd: '50000.01' },
  { name: 'payment institution at USD 50,000', over: { amount: '50000' }, overCap: false, usd: '50000' },
  {
    name: 'CNY 400,000 through a payment institution (≈ USD 56,338) is over',
    over: { currency: '142', amount: '400000' },
    overCap: true,
    usd: '56338.03',
  },
  { name: 'CNY 355,000 (= USD 50,000) is not', over: { currency: '142', amount: '355000' }, overCap: false, usd: '50000' },
  { name: 'a bank has no such cap', over: { institutionKind: 'bank', amount: '900000' }, overCap: false, usd: '900000' },
];

for (const c of capCases) {
  test(`receipt row, cap: ${c.name}`, () => {
    const r = checkReceipt(3, { ...ok, ...c.over });
    assert.ok('ok' in r, JSON.stringify(r));
    assert.equal(r.ok.overCap, c.overCap);
    assert.equal(r.ok.usdAmount, c.usd);
    assert.equal(r.ok.rateVersion, '2026-01');
  });
}

test("a bank's receipt in a currency without a reference rate is stored without a USD value, not refused", () => {
  const r = checkReceipt(3, { ...ok, institutionKind: 'bank', currency: '999', amount: '900000' });
  assert.ok('ok' in r, JSON.stringify(r));
  assert.deepEqual([r.ok.usdAmount, r.ok.rateVersion, r.ok.overCap], [null, null, false]);
  const refused = checkReceipt(3, { ...ok, currency: '999' });
  assert.ok('problems' in refused);
  assert.match(refused.problems[0]!.message.zh, /美元参考汇率/);
  assert.match(refused.problems[0]!.message.en, /USD 50,000 cap/);
});

test('the cap on any channel: a CEB403 collection is judged as a payment-institution record is', () => {
  assert.deepEqual(capFinding('payment', '400000', '142', '2026-11-26'), {
    usdAmount: '56338.03',
    rateVersion: '2026-01',
    overCap: true,
  });
  assert.deepEqual(capFinding('payment', '400000.12345', '142', '2026-11-26').overCap, true);
  assert.deepEqual(capFinding('bank', '400000', '142', '2026-11-26').overCap, false);
  // no reference rate: the cap cannot be judged, so nothing is flagged and the USD value is unknown
  assert.deepEqual(capFinding('payment', '400000', '999', '2026-11-26'), { usdAmount: null, rateVersion: null, overCap: false });
});

test('CSV: quotes, doubled quotes, CRLF, BOM, blank lines', () => {
  const rows = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""",3\n\n1,2,3');
  assert.deepEqual(rows, [
    ['a', 'b', 'c'],
    ['x, y', 'say "hi"', '3'],
    ['1', '2', '3'],
  ]);
});

// received: each order once; covered: each order at most its declared value (see orderCoverage)
const recon: {
  name: string;
  declared: string;
  received: string;
  covered: string;
  today: string;
  status: string;
  diff: string;
  uncovered: string;
  overdue: boolean;
}[] = [
  {
    name: 'received in full',
    declared: '100',
    received: '100',
    covered: '100',
    today: '2026-12-01',
    status: 'matched',
    diff: '0',
    uncovered: '0',
    overdue: false,
  },
  {
    name: 'short, in time',
    declared: '100',
    received: '60',
    covered: '60',
    today: '2026-12-01',
    status: 'under_received',
    diff: '-40',
    uncovered: '40',
    overdue: false,
  },
  {
    name: 'short after 30 April next year',
    declared: '100',
    received: '60',
    covered: '60',
    today: '2027-05-01',
    status: 'under_received',
    diff: '-40',
    uncovered: '40',
    overdue: true,
  },
  {
    name: 'more than declared',
    declared: '100',
    received: '100.5',
    covered: '100',
    today: '2026-12-01',
    status: 'over_received',
    diff: '0.5',
    uncovered: '0',
    overdue: false,
  },
  {
    name: "enough in total, but one order's surplus does not cover another order: short",
    declared: '100',
    received: '100',
    covered: '60',
    today: '2027-05-01',
    status: 'under_received',
    diff: '0',
    uncovered: '40',
    overdue: true,
  },
  {
    name: 'received without a declaration',
    declared: '0',
    received: '10',
    covered: '0',
    today: '2026-12-01',
    status: 'undeclared',
    diff: '10',
    uncovered: '0',
    overdue: false,
  },
];
for (const c of recon) {
  test(`reconciliation: ${c.name}`, () => {
    const [r] = reconcile(
      [
        {
          period: '2026-10',
          currency: '142',
          declared: c.declared,
          // channel totals are shown, not added: they cannot change the verdict
          receivedCeb403: c.received,
          receivedBank: c.received,
          received: c.received,
          covered: c.covered,
        },
      ],
      c.today,
    );
    assert.deepEqual(
      [r!.status, r!.difference, r!.uncovered, r!.overdue, r!.received],
      [c.status, c.diff, c.uncovered, c.overdue, c.received],
    );
  });
}

test('a CSV file is refused as a whole for a missing column (all named) or too many rows', () => {
  const cols = ['refNo', 'amount', 'currency'];
  assert.deepEqual(csvShapeProblems(cols, 10, cols, 100), []);
  const missing = csvShapeProblems(['amount'], 1, cols, 100);
  assert.deepEqual(
    missing.map((p) => [p.field, p.rule]),
    [['header', 'columns']],
  );
  assert.match(missing[0]!.message.zh, /refNo,currency/);
  assert.match(missing[0]!.message.en, /missing columns: refNo,currency/);
  assert.deepEqual(
    csvShapeProblems(cols, 101, cols, 100).map((p) => [p.field, p.rule, p.message.en]),
    [['rows', 'maxItems', 'at most 100 rows']],
  );
  assert.deepEqual(csvShapeProblems(cols, 100, cols, 100), [], 'the limit itself is allowed');
});

const ORG = 'org-a';
const orders: DeclaredOrder[] = [
  { orgId: ORG, orderNo: 'O-1', declarationId: 'D1', entryId: 'E1' },
  { orgId: ORG, orderNo: 'O-2', declarationId: 'D1', entryId: 'E1' },
  { orgId: ORG, orderNo: 'O-3', declarationId: 'D2', entryId: 'E2' },
  // the same order number in a later declaration: the first one given wins
  { orgId: ORG, orderNo: 'O-3', declarationId: 'D3', entryId: 'E3' },
  { orgId: 'org-b', orderNo: 'O-9', declarationId: 'D9', entryId: 'E9' },
];
const receipt = (over: Partial<StoredReceipt>): StoredReceipt => ({
  id: 'r',
  orgId: ORG,
  institutionKind: 'bank',
  institutionCode: '3601000001',
  refNo: 'B1',
  orderNo: 'O-1',
  currency: '142',
  amount: '100',
  receivedOn: '2026-11-05',
  ...over,
});
const matchCases: { name: string; r: Partial<StoredReceipt>; want: string }[] = [
  { name: 'orderNo of a declared order of the exporter', r: {}, want: 'D1' },
  { name: 'another order of the same declaration', r: { orderNo: 'O-2' }, want: 'D1' },
  { name: 'an order in two declarations goes to the first', r: { orderNo: 'O-3' }, want: 'D2' },
  { name: 'no order number', r: { orderNo: '' }, want: 'no_order_no' },
  { name: 'no such order (or not declared yet)', r: { orderNo: 'O-404' }, want: 'order_not_declared' },
  { name: "another exporter's declared order does not match", r: { orderNo: 'O-9' }, want: 'order_not_declared' },
  { name: 'order numbers match exactly (case matters)', r: { orderNo: 'o-1' }, want: 'order_not_declared' },
];
for (const c of matchCases) {
  test(`receipt matching: ${c.name}`, () => {
    const { matched, unmatched } = matchReceipts([receipt(c.r)], orders);
    assert.equal(matched.length + unmatched.length, 1, 'every receipt is either matched or listed');
    const got = matched[0]?.declarationId ?? unmatched[0]!.reason;
    assert.equal(got, c.want);
    if (unmatched[0]) assert.ok(unmatched[0].message.zh && unmatched[0].message.en);
    if (matched[0]) assert.equal(matched[0].entryId, `E${c.want.slice(1)}`);
  });
}

test('matched receipts sum per declaration and currency, with the last day', () => {
  const { matched } = matchReceipts(
    [
      receipt({ refNo: 'B1', amount: '100.10', receivedOn: '2026-11-05' }),
      receipt({ refNo: 'B2', orderNo: 'O-2', amount: '0.9', receivedOn: '2026-12-01' }),
      receipt({ refNo: 'B3', orderNo: 'O-2', currency: '502', amount: '5', receivedOn: '2026-11-20' }),
      receipt({ refNo: 'B4', orderNo: 'O-3', amount: '7', receivedOn: '2026-10-31' }),
      receipt({ refNo: 'B5', orderNo: 'O-404', amount: '1000' }),
    ],
    orders,
  );
  assert.deepEqual(Object.fromEntries(receivedPerDeclaration(matched)), {
    D1: { received: { '142': '101', '502': '5' }, lastReceiptDay: '2026-12-01' },
    D2: { received: { '142': '7' }, lastReceiptDay: '2026-10-31' },
  });
});

test('RMB settlements count for the declaration whose order (or entryId) they name; the rest for none', () => {
  const settlement = (refNo: string, over: Partial<StoredSettlement>): StoredSettlement => ({
    id: refNo,
    orgId: ORG,
    institutionCode: '3101960003',
    refNo,
    orderNo: null,
    entryId: null,
    amount: '500',
    settledOn: '2026-12-02',
    ...over,
  });
  const decls = [
    { id: 'D1', orgId: ORG, entryId: 'E1' },
    { id: 'D2', orgId: ORG, entryId: 'E2' },
    { id: 'D9', orgId: 'org-b', entryId: 'E9' },
  ];
  const got = matchSettlements(
    [
      settlement('S-order', { orderNo: 'O-2' }),
      settlement('S-entry', { entryId: 'E2' }),
      settlement('S-both', { orderNo: 'O-1', entryId: 'E2' }),
      settlement('S-unknown-order', { orderNo: 'O-404' }),
      settlement('S-other-exporter', { entryId: 'E9' }),
      settlement('S-nothing', {}),
    ],
    orders,
    decls,
  );
  assert.deepEqual(
    got.map((s) => `${s.refNo}:${s.declarationId}:${s.matchedOrderNo}`),
    ['S-order:D1:O-2', 'S-entry:D2:null', 'S-both:D1:O-1'],
    'a settlement matched by entryId is proceeds of no one order',
  );
});

// One declaration of two orders, O-1 worth 100 and O-2 worth 50 (CNY), declared 150 in all.
const VALUES: OrderValue[] = [
  { orderNo: 'O-1', currency: '142', value: '100' },
  { orderNo: 'O-2', currency: '142', value: '50' },
];
const paid = (orderNo: string | null, channel: ProceedsChannel, amount: string, currency = '142'): Proceed => ({
  orderNo,
  channel,
  currency,
  amount,
});
const coverageCases: {
  name: string;
  proceeds: Proceed[];
  received: string;
  covered: string;
  short: string[];
  status: string;
}[] = [
  {
    name: 'each order paid once, through different channels',
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-2', 'bank', '50')],
    received: '150',
    covered: '150',
    short: [],
    status: 'matched',
  },
  {
    name: 'the same order via CEB403 + bank + RMB settlement counts once',
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-1', 'bank', '100'), paid('O-1', 'rmb', '100'), paid('O-2', 'ceb403', '50')],
    received: '150',
    covered: '150',
    short: [],
    status: 'matched',
  },
  {
    name: 'the same order via CEB403 + payment-institution record + bank counts once',
    proceeds: [
      paid('O-1', 'ceb403', '100'),
      paid('O-1', 'payment', '100'),
      paid('O-1', 'bank', '100'),
      paid('O-2', 'bank', '50'),
    ],
    received: '150',
    covered: '150',
    short: [],
    status: 'matched',
  },
  {
    name: 'order A paid through three channels cannot cover unpaid order B',
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-1', 'bank', '100'), paid('O-1', 'rmb', '100')],
    received: '100',
    covered: '100',
    short: ['O-2:50:0'],
    status: 'under_received',
  },
  {
    name: 'order A over-paid in one channel cannot cover unpaid order B either (its surplus stays visible)',
    proceeds: [paid('O-1', 'ceb403', '150')],
    received: '150',
    covered: '100',
    short: ['O-2:50:0'],
    status: 'under_received',
  },
  {
    name: 'instalments within one channel add up',
    proceeds: [paid('O-1', 'bank', '60'), paid('O-1', 'bank', '40'), paid('O-2', 'payment', '50')],
    received: '150',
    covered: '150',
    short: [],
    status: 'matched',
  },
  {
    name: 'across channels the largest stands (a partial CEB403, the full bank credit)',
    proceeds: [paid('O-1', 'ceb403', '60'), paid('O-1', 'bank', '100'), paid('O-2', 'rmb', '30'), paid('O-2', 'ceb403', '20')],
    received: '130',
    covered: '130',
    short: ['O-2:50:30'],
    status: 'under_received',
  },
  {
    name: 'a settlement naming only the declaration counts on its own, in full',
    proceeds: [paid('O-1', 'ceb403', '100'), paid(null, 'rmb', '50')],
    received: '150',
    covered: '150',
    short: ['O-2:50:0'],
    status: 'matched',
  },
  {
    name: 'a payment in another currency covers nothing in this one',
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-2', 'bank', '50', '502')],
    received: '100',
    covered: '100',
    short: ['O-2:50:0'],
    status: 'under_received',
  },
  {
    name: 'an order of the declaration without a declared value covers nothing, though it was received',
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-9', 'bank', '50')],
    received: '150',
    covered: '100',
    short: ['O-2:50:0'],
    status: 'under_received',
  },
  {
    name: 'a five-place CEB403 charge is exact',
    proceeds: [paid('O-1', 'ceb403', '99.99999'), paid('O-1', 'bank', '0.00001'), paid('O-2', 'ceb403', '50')],
    received: '149.99999',
    covered: '149.99999',
    short: ['O-1:100:99.99999'],
    status: 'under_received',
  },
];
for (const c of coverageCases) {
  test(`per-order coverage: ${c.name}`, () => {
    const cny = orderCoverage(c.proceeds, VALUES)['142']!;
    assert.deepEqual(
      [cny.received, cny.covered, cny.short.map((o) => `${o.orderNo}:${o.declared}:${o.received}`)],
      [c.received, c.covered, c.short],
    );
    const [r] = reconcile(
      [
        {
          period: '2026-10',
          currency: '142',
          declared: '150',
          receivedCeb403: '0',
          receivedBank: '0',
          received: cny.received,
          covered: cny.covered,
        },
      ],
      '2026-12-01',
    );
    assert.equal(r!.status, c.status);
  });
}

test("per-order coverage: the declaration's proceeds by order and channel, from the matched receipts and settlements", () => {
  const orders: DeclaredOrder[] = [
    { orgId: ORG, orderNo: 'O-1', declarationId: 'D1', entryId: 'E1', inventoryId: 'I1' },
    { orgId: ORG, orderNo: 'O-2', declarationId: 'D1', entryId: 'E1', inventoryId: 'I2' },
    { orgId: ORG, orderNo: 'O-3', declarationId: 'D2', entryId: 'E2', inventoryId: 'I3' },
  ];
  const per = proceedsPerDeclaration(
    orders,
    [
      { inventoryId: 'I1', currency: '142', declared: '100', collected: '100' },
      { inventoryId: 'I2', currency: '142', declared: '50', collected: '0' },
      { inventoryId: 'I3', currency: '142', declared: '70', collected: '70' },
    ],
    [{ declarationId: 'D1', orderNo: 'O-1', institutionKind: 'bank', currency: '142', amount: '100' }],
    [
      { declarationId: 'D1', matchedOrderNo: 'O-1', amount: '100' },
      { declarationId: 'D2', matchedOrderNo: null, amount: '5' },
    ],
  );
  assert.deepEqual(per.get('D1'), {
    proceeds: [paid('O-1', 'ceb403', '100'), paid('O-1', 'bank', '100'), paid('O-1', 'rmb', '100')],
    values: VALUES,
  });
  assert.deepEqual(orderCoverage(per.get('D1')!.proceeds, per.get('D1')!.values)['142']!.covered, '100');
  assert.deepEqual(per.get('D2')!.proceeds, [paid('O-3', 'ceb403', '70'), paid(null, 'rmb', '5')]);
});
