import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_PRODUCTS } from './filing.demo.ts';
import { filingLifecycle } from './filing.states.ts';
import { DEFAULT_PRODUCT_APPROVAL_RULES, productApproval } from './rules/approval.ts';
import { checkEnterpriseFiling } from './rules/enterprise.ts';
import { checkProduct, duplicateItemNos, missingElements, type ProductFields } from './rules/product.ts';

const bowl: ProductFields = {
  itemNo: 'QHC-BOWL-01',
  gname: '青花瓷碗',
  hsCode: '6911101900',
  gmodel:
    '出口享惠情况：0|品牌类型：1|品牌（中文或外文名称）：景德青花|是否为骨瓷：否|材质（瓷制、陶制）：瓷制|种类（餐具、厨房器具等）：餐具',
  unit: '011',
  legalUnit1: '011',
  referencePrice: '150',
};
const rules = (ps: ReturnType<typeof checkProduct>) => ps.map((p) => `${p.field}:${p.rule}`);

test('lifecycle: draft → submitted → approved | rejected → submitted again; approved is final', () => {
  assert.deepEqual(filingLifecycle.transition('draft', 'submit'), { ok: true, to: 'submitted' });
  assert.deepEqual(filingLifecycle.transition('submitted', 'approve'), { ok: true, to: 'approved' });
  assert.deepEqual(filingLifecycle.transition('submitted', 'reject'), { ok: true, to: 'rejected' });
  assert.deepEqual(filingLifecycle.transition('rejected', 'resubmit'), { ok: true, to: 'submitted' });
  assert.equal(filingLifecycle.can('draft', 'approve'), false);
  assert.equal(filingLifecycle.can('submitted', 'edit'), false);
  assert.deepEqual(filingLifecycle.eventsFrom('approved'), []);
  assert.equal(filingLifecycle.can('rejected', 'edit'), true);
});

test('a valid product has no problems; defaults need not be given', () => {
  assert.deepEqual(checkProduct(bowl), []);
});

test('every demo product is valid and names all its required declaration elements', () => {
  for (const p of DEMO_PRODUCTS) assert.deepEqual(checkProduct(p), [], p.itemNo);
});

test('HS code: not 10 digits, or not in the hs table', () => {
  assert.deepEqual(rules(checkProduct({ ...bowl, hsCode: '69111019' })), ['hsCode:pattern']);
  assert.deepEqual(rules(checkProduct({ ...bowl, hsCode: '9999999999' })), ['hsCode:codeTable']);
});

test('missing required declaration elements are named, one problem each', () => {
  const ps = checkProduct({ ...bowl, gmodel: '品牌类型：1|出口享惠情况：0' });
  assert.ok(ps.every((p) => p.field === 'gmodel' && p.rule === 'declarationElement'));
  assert.deepEqual(
    ps.map((p) => p.value),
    ['品牌（中文或外文名称）', '是否为骨瓷', '材质（瓷制、陶制）', '种类（餐具、厨房器具等）'],
  );
  assert.match(ps[0]?.message.zh ?? '', /品牌（中文或外文名称）/);
  // The element name without its explanation, ASCII punctuation and an empty value count as shown.
  assert.deepEqual(missingElements('6913100000', '出口享惠情况:0|品牌类型：1|材质(瓷制、陶制)：瓷|用途：装饰'), []);
  assert.deepEqual(missingElements('6913100000', '出口享惠情况：0|品牌类型：1|材质：瓷|用途：'), ['用途']);
});

test('units, country and currency come from their code tables; price must be a decimal > 0', () => {
  assert.deepEqual(rules(checkProduct({ ...bowl, unit: '999', legalUnit2: 'X', originCountry: '000', currency: 'USD' })), [
    'unit:codeTable',
    'legalUnit2:codeTable',
    'originCountry:codeTable',
    'currency:codeTable',
  ]);
  assert.deepEqual(rules(checkProduct({ ...bowl, referencePrice: '0' })), ['referencePrice:exclusiveMinimum']);
  assert.deepEqual(rules(checkProduct({ ...bowl, referencePrice: '0.00000' })), ['referencePrice:exclusiveMinimum']);
  assert.deepEqual(rules(checkProduct({ ...bowl, referencePrice: '-5' })), ['referencePrice:format']);
  assert.deepEqual(rules(checkProduct({ ...bowl, referencePrice: '1e3' })), ['referencePrice:format']);
  assert.deepEqual(checkProduct({ ...bowl, referencePrice: '0.5' }), []);
});

test('lengths as CEB603 allows, with a prefix for bulk rows', () => {
  const ps = checkProduct({ ...bowl, itemNo: 'X'.repeat(21), gname: '瓷'.repeat(251), gmodel: '' }, 'items[3].');
  assert.deepEqual(rules(ps), ['items[3].itemNo:maxLength', 'items[3].gname:maxLength', 'items[3].gmodel:required']);
  assert.deepEqual(rules(checkProduct({ ...bowl, itemNo: 'X'.repeat(20), gname: '瓷'.repeat(250) })), []);
  assert.deepEqual(rules(duplicateItemNos([{ itemNo: 'A' }, { itemNo: 'B' }, { itemNo: 'A' }])), ['items[2].itemNo:unique']);
});

test('auto-approval is a rule set: default approves filed sellers; rules can send goods to review', () => {
  const facts = { sellerFiled: true, hsCode: '0805100000', quarantineCategory: 'fresh_fruit' };
  assert.equal(productApproval(DEFAULT_PRODUCT_APPROVAL_RULES, facts), 'approve');
  assert.equal(productApproval(DEFAULT_PRODUCT_APPROVAL_RULES, { ...facts, sellerFiled: false }), 'review');
  const strict = [
    { id: 'quarantine-review', description: '', when: { quarantine: true }, decision: 'review' as const },
    ...DEFAULT_PRODUCT_APPROVAL_RULES,
  ];
  assert.equal(productApproval(strict, facts), 'review');
  assert.equal(productApproval(strict, { ...facts, quarantineCategory: null }), 'approve');
  assert.equal(productApproval([], facts), 'review');
});

test('enterprise filing: licence number, contacts and roles the organisation holds', () => {
  const org = { uscc: '91360100MA35A0888X', roles: ['ebc'] };
  const ok = {
    licenceNo: '360100123456789',
    legalRep: '陈青华',
    contactName: '李瓷',
    contactPhone: '0798-82200888',
    address: '景德镇',
    roles: ['ebc'],
  };
  assert.deepEqual(checkEnterpriseFiling(ok, org), []);
  const bad = checkEnterpriseFiling(
    { ...ok, licenceNo: 'ABC', contactPhone: 'call me', contactEmail: 'nope', roles: ['ebc', 'payment'] },
    org,
  );
  assert.deepEqual(
    bad.map((p) => `${p.field}:${p.rule}`),
    ['licenceNo:format', 'contactPhone:format', 'contactEmail:format', 'roles[1]:organisationRole'],
  );
});
