import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  capFinding,
  checkReceipt,
  csvShapeProblems,
  matchReceipts,
  matchSettlements,
  parseCsv,
  receivedPerDeclaration,
  reconcile,
  type DeclaredOrder,
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

const recon: {
  name: string;
  declared: string;
  c403: string;
  bank: string;
  today: string;
  status: string;
  diff: string;
  overdue: boolean;
}[] = [
  {
    name: 'received in full',
    declared: '100',
    c403: '60',
    bank: '40',
    today: '2026-12-01',
    status: 'matched',
    diff: '0',
    overdue: false,
  },
  {
    name: 'short, in time',
    declared: '100',
    c403: '60',
    bank: '0',
    today: '2026-12-01',
    status: 'under_received',
    diff: '-40',
    overdue: false,
  },
  {
    name: 'short after 30 April next year',
    declared: '100',
    c403: '60',
    bank: '0',
    today: '2027-05-01',
    status: 'under_received',
    diff: '-40',
    overdue: true,
  },
  {
    name: 'more than declared',
    declared: '100',
    c403: '100',
    bank: '0.5',
    today: '2026-12-01',
    status: 'over_received',
    diff: '0.5',
    overdue: false,
  },
  {
    name: 'received without a declaration',
    declared: '0',
    c403: '0',
    bank: '10',
    today: '2026-12-01',
    status: 'undeclared',
    diff: '10',
    overdue: false,
  },
];
for (const c of recon) {
  test(`reconciliation: ${c.name}`, () => {
    const [r] = reconcile(
      [{ period: '2026-10', currency: '142', declared: c.declared, receivedCeb403: c.c403, receivedBank: c.bank }],
      c.today,
    );
    assert.equal(r!.status, c.status);
    assert.equal(r!.difference, c.diff);
    assert.equal(r!.overdue, c.overdue);
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
    got.map((s) => `${s.refNo}:${s.declarationId}`),
    ['S-order:D1', 'S-entry:D2', 'S-both:D1'],
  );
});

test('reconciliation: RMB settlements add to what was received', () => {
  const [r] = reconcile(
    [{ period: '2026-10', currency: '142', declared: '100', receivedCeb403: '40', receivedBank: '10', receivedRmb: '50' }],
    '2027-06-01',
  );
  assert.deepEqual([r!.received, r!.status, r!.overdue], ['100', 'matched', false]);
});
