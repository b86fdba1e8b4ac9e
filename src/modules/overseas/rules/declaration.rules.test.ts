import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkDeclaration,
  checkReceivedGoods,
  declaredGoods,
  type InventoryCandidate,
  type SummaryCandidate,
} from './declaration.rules.ts';

const SELLER = { id: 'org-1', codes: ['3601260888'] };
const RELEASED = new Date('2026-10-01T02:00:00Z');
const TYPED = new Date('2026-10-05T00:00:00Z');
const inv = (over: Partial<InventoryCandidate> = {}): InventoryCandidate => ({
  id: 'inv-1',
  ebcCode: '3601260888',
  tradeMode: '9810',
  status: '899',
  releasedAt: RELEASED,
  ...over,
});
const sum = (over: Partial<SummaryCandidate> = {}): SummaryCandidate => ({
  id: 'sum-1',
  inventoryIds: ['inv-7', 'inv-8'],
  orgId: 'org-1',
  ebcCode: '3601260888',
  tradeModes: ['9810'],
  inventoryCount: 2,
  releasedInventories: 2,
  firstReleasedAt: RELEASED,
  ...over,
});

const CASES: {
  name: string;
  mode?: '9810' | '9610' | '0110';
  typed?: Date | null;
  inventory?: InventoryCandidate;
  summary?: SummaryCandidate;
  want: { source: string; releasedAt: Date; inventories: string[] } | { field: string; rule: string };
}[] = [
  {
    name: 'inventory of the seller, released: customs release time, the typed one ignored',
    typed: TYPED,
    inventory: inv(),
    want: { source: 'inventory', releasedAt: RELEASED, inventories: ['inv-1'] },
  },
  {
    name: 'released (800), not yet closed',
    inventory: inv({ status: '800' }),
    want: { source: 'inventory', releasedAt: RELEASED, inventories: ['inv-1'] },
  },
  {
    name: 'summary declaration of the seller: earliest release of its inventories',
    summary: sum(),
    want: { source: 'summary', releasedAt: RELEASED, inventories: ['inv-7', 'inv-8'] },
  },
  { name: 'unknown number', want: { field: 'declarationNo', rule: 'heldForSeller' } },
  {
    name: "another seller's inventory",
    inventory: inv({ ebcCode: '3601260999' }),
    want: { field: 'declarationNo', rule: 'heldForSeller' },
  },
  {
    name: "another seller's summary declaration",
    summary: sum({ orgId: 'org-2', ebcCode: '3601260999' }),
    want: { field: 'declarationNo', rule: 'heldForSeller' },
  },
  {
    name: 'decided, not released',
    inventory: inv({ status: '399', releasedAt: null }),
    want: { field: 'declarationNo', rule: 'released' },
  },
  {
    name: 'summary with an inventory not released',
    summary: sum({ releasedInventories: 1 }),
    want: { field: 'declarationNo', rule: 'released' },
  },
  {
    name: 'declared under another trade mode',
    mode: '9610',
    inventory: inv(),
    want: { field: 'tradeMode', rule: 'declaredMode' },
  },
  {
    name: '0110: external, as typed',
    mode: '0110',
    typed: TYPED,
    want: { source: 'external', releasedAt: TYPED, inventories: [] },
  },
  {
    name: '0110 is never looked up, even when a record exists',
    mode: '0110',
    typed: TYPED,
    inventory: inv(),
    want: { source: 'external', releasedAt: TYPED, inventories: [] },
  },
  { name: '0110 without a release time', mode: '0110', want: { field: 'releasedAt', rule: 'required' } },
];

for (const c of CASES)
  test(`declaration check: ${c.name}`, () => {
    const out = checkDeclaration({
      declarationNo: '400620261000000001',
      tradeMode: c.mode ?? '9810',
      typedReleasedAt: c.typed ?? null,
      seller: SELLER,
      inventory: c.inventory,
      summary: c.summary,
    });
    if ('field' in c.want) {
      assert.ok('problem' in out, JSON.stringify(out));
      assert.deepEqual({ field: out.problem.field, rule: out.problem.rule }, c.want);
      assert.ok(out.problem.message.zh && out.problem.message.en);
    } else {
      assert.ok('ok' in out, JSON.stringify(out));
      assert.deepEqual({ source: out.ok.source, releasedAt: out.ok.releasedAt, inventories: out.ok.inventories }, c.want);
    }
  });

test('received goods: within what the declaration carried per SKU (summed over its inventories); partial is fine', () => {
  const declared = declaredGoods([
    {
      lines: [
        { itemNo: 'VASE', qty: '2' },
        { itemNo: 'BOWL', qty: '1.00000' },
      ],
    },
    { lines: [{ itemNo: 'VASE', qty: '1' }] },
  ]);
  assert.deepEqual(
    [...declared],
    [
      ['VASE', '3'],
      ['BOWL', '1'],
    ],
  );
  const at = (sku: string, qty: number, i = 0) => ({ sku, qty, field: `lines[${i}]` });
  assert.deepEqual(checkReceivedGoods([at('VASE', 3), at('BOWL', 1, 1)], declared, 'N1'), []);
  assert.deepEqual(checkReceivedGoods([at('VASE', 1)], declared, 'N1'), [], 'a partial delivery');
  const over = checkReceivedGoods([at('VASE', 4)], declared, 'N1');
  assert.deepEqual(
    over.map((p) => [p.field, p.rule, p.value]),
    [['lines[0].qty', 'withinDeclared', 4]],
  );
  const foreign = checkReceivedGoods([at('VASE', 1), at('CUP', 1, 1)], declared, 'N1');
  assert.deepEqual(
    foreign.map((p) => [p.field, p.rule, p.value]),
    [['lines[1].sku', 'declared', 'CUP']],
  );
  assert.ok(foreign[0]!.message.zh.includes('CUP') && foreign[0]!.message.en.includes('CUP'));
});
