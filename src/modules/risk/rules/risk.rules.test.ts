import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUARANTINE_CATEGORIES as FILED_CATEGORIES } from '../../filing/index.ts';
import {
  beijingDay,
  buyerFingerprint,
  checkParams,
  QUARANTINE_CATEGORIES,
  evaluate,
  evaluateRule,
  isVague,
  rulesInForce,
  sampleBucket,
  splitKeyOf,
  splitRuleClash,
  SPLIT_KEY_FIELDS,
  type LineFacts,
  type ParcelFacts,
  type RiskRule,
  type RuleKind,
} from './risk.rules.ts';

const line = (over: Partial<LineFacts> = {}): LineFacts => ({
  gnum: '1',
  itemNo: 'QHC-BOWL-01',
  name: '青花瓷碗',
  hsCode: '6911101900',
  currency: '142',
  qty: 2,
  unitPrice: 150,
  referencePrice: 150,
  hsMedian: null,
  quarantineCategory: null,
  inspectionFiled: false,
  ...over,
});

const parcel = (over: Partial<ParcelFacts> = {}, lines: LineFacts[] = [line()]): ParcelFacts => ({
  guid: '00000603-0000-4000-8000-000000000001',
  ebcCode: '3601260888',
  country: '502',
  head: {},
  total: lines.reduce((a, l) => a + l.qty * l.unitPrice, 0),
  lines,
  creditLevel: 'A',
  firstTime: false,
  splitCount: () => 1,
  ...over,
});

const rule = (kind: RuleKind, params: Record<string, unknown>, lane: RiskRule['lane'] = 'review'): RiskRule => ({
  id: `R-${kind.toUpperCase()}`,
  version: 1,
  effectiveFrom: '2018-06-30',
  kind,
  lane,
  params,
  explainZh: '说明',
  explainEn: 'explanation',
  enabled: true,
});

/** Find a guid that samples in (or out) of a rate, so the table does not depend on luck. */
function guidWithBucket(seed: string, below: number, want: boolean): string {
  for (let i = 0; ; i++) {
    const g = `00000603-0000-4000-8000-${String(i).padStart(12, '0')}`;
    if (sampleBucket(seed, g) < below === want) return g;
  }
}

const CASES: { name: string; rule: RiskRule; facts: ParcelFacts; hit: boolean; detail?: RegExp }[] = [
  // parcel_limit
  { name: 'value over the limit', rule: rule('parcel_limit', { maxValue: '50000' }), facts: parcel({ total: 56000 }), hit: true },
  { name: 'value at the limit', rule: rule('parcel_limit', { maxValue: '50000' }), facts: parcel({ total: 50000 }), hit: false },
  {
    name: 'quantity over the limit',
    rule: rule('parcel_limit', { maxQty: 10 }),
    facts: parcel({}, [line({ qty: 11 })]),
    hit: true,
  },
  {
    name: 'quantity within the limit',
    rule: rule('parcel_limit', { maxQty: 10 }),
    facts: parcel({}, [line({ qty: 10 })]),
    hit: false,
  },
  // undervaluation
  {
    name: 'price far below the filed reference price',
    rule: rule('undervaluation', { minRatio: 0.3 }),
    facts: parcel({}, [line({ unitPrice: 10 })]),
    hit: true,
  },
  {
    name: 'price near the reference price',
    rule: rule('undervaluation', { minRatio: 0.3 }),
    facts: parcel({}, [line({ unitPrice: 100 })]),
    hit: false,
  },
  {
    name: 'no reference price: below the HS median with enough samples',
    rule: rule('undervaluation', { minRatio: 0.3, medianMinSamples: 20 }),
    facts: parcel({}, [line({ referencePrice: null, unitPrice: 5, hsMedian: { price: 100, samples: 50 } })]),
    hit: true,
  },
  {
    name: 'no reference price: median from too few samples is ignored',
    rule: rule('undervaluation', { minRatio: 0.3, medianMinSamples: 20 }),
    facts: parcel({}, [line({ referencePrice: null, unitPrice: 5, hsMedian: { price: 100, samples: 3 } })]),
    hit: false,
  },
  // hs_list
  {
    name: 'prohibited HS prefix',
    rule: rule('hs_list', { hsPrefixes: ['9301'] }),
    facts: parcel({}, [line({ hsCode: '9301100000' })]),
    hit: true,
  },
  { name: 'HS not listed', rule: rule('hs_list', { hsPrefixes: ['9301'] }), facts: parcel(), hit: false },
  // destination_list
  {
    name: 'restricted destination',
    rule: rule('destination_list', { countries: ['133'] }),
    facts: parcel({ country: '133' }),
    hit: true,
  },
  {
    name: 'other destination',
    rule: rule('destination_list', { countries: ['133'] }),
    facts: parcel({ country: '502' }),
    hit: false,
  },
  {
    name: 'restricted destination only for listed HS',
    rule: rule('destination_list', { countries: ['133'], hsPrefixes: ['8471'] }),
    facts: parcel({ country: '133' }),
    hit: false,
  },
  // vague_description
  {
    name: 'vague "gift"',
    rule: rule('vague_description', { words: ['gift', '礼品'] }),
    facts: parcel({}, [line({ name: 'Gift' })]),
    hit: true,
  },
  {
    name: 'vague "礼品"',
    rule: rule('vague_description', { words: ['gift', '礼品'] }),
    facts: parcel({}, [line({ name: '礼品' })]),
    hit: true,
  },
  {
    name: 'stop words only',
    rule: rule('vague_description', { words: ['gift', 'accessories'] }),
    facts: parcel({}, [line({ name: 'gift, accessories' })]),
    hit: true,
  },
  {
    name: 'specific name containing a stop word',
    rule: rule('vague_description', { words: ['gift'] }),
    facts: parcel({}, [line({ name: 'porcelain gift bowl' })]),
    hit: false,
  },
  // split_shipment
  {
    name: 'many low-value parcels in the window',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['ebcCode'] }),
    facts: parcel({ splitCount: () => 5 }),
    hit: true,
  },
  {
    name: 'few parcels in the window',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['ebcCode'] }),
    facts: parcel({ splitCount: () => 4 }),
    hit: false,
  },
  {
    name: 'a parcel above the threshold is not a split',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['ebcCode'] }),
    facts: parcel({ total: 6000, splitCount: () => 50 }),
    hit: false,
  },
  // split_shipment keyed on the buyer (key field `buyer`)
  {
    name: 'buyer key: many low-value parcels to one buyer say "same buyer/address"',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['buyer', 'ebcCode', 'country'] }),
    facts: parcel({ splitCount: () => 5, splitByBuyer: true }),
    hit: true,
    detail: /5 low-value parcels to the same buyer\/address within 24 h.*同一买家（姓名及地址相同）/,
  },
  {
    name: 'buyer key: few parcels to one buyer',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['buyer', 'ebcCode', 'country'] }),
    facts: parcel({ splitCount: () => 4, splitByBuyer: true }),
    hit: false,
  },
  {
    name: 'buyer key: a parcel to the buyer above the threshold is not a split',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['buyer'] }),
    facts: parcel({ total: 5000, splitCount: () => 50, splitByBuyer: true }),
    hit: false,
  },
  {
    name: 'buyer unknown: fell back to seller and destination, and says so',
    rule: rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['buyer', 'ebcCode', 'country'] }),
    facts: parcel({ splitCount: () => 6, splitByBuyer: false }),
    hit: true,
    detail: /6 low-value parcels of the same seller and destination within 24 h/,
  },
  // credit_sampling
  {
    name: 'level rate 0 never samples',
    rule: rule('credit_sampling', { seed: 's', ratesPct: { AA: 0, C: 100 } }, 'inspect'),
    facts: parcel({ creditLevel: 'AA' }),
    hit: false,
  },
  {
    name: 'level rate 100 always samples',
    rule: rule('credit_sampling', { seed: 's', ratesPct: { AA: 0, C: 100 } }, 'inspect'),
    facts: parcel({ creditLevel: 'C' }),
    hit: true,
  },
  {
    name: 'guid in the sampled bucket',
    rule: rule('credit_sampling', { seed: 's', ratesPct: { B: 2 } }, 'inspect'),
    facts: parcel({ creditLevel: 'B', guid: guidWithBucket('s', 200, true) }),
    hit: true,
  },
  {
    name: 'guid outside the sampled bucket',
    rule: rule('credit_sampling', { seed: 's', ratesPct: { B: 2 } }, 'inspect'),
    facts: parcel({ creditLevel: 'B', guid: guidWithBucket('s', 200, false) }),
    hit: false,
  },
  {
    name: 'a blacklisted seller is inspected whatever its rate and bucket',
    rule: rule('credit_sampling', { seed: 's', ratesPct: { C: 0 } }, 'inspect'),
    facts: parcel({ creditLevel: 'C', blacklisted: true, guid: guidWithBucket('s', 200, false) }),
    hit: true,
    detail: /on the credit blacklist \(level C\): every parcel is inspected/,
  },
  // first_time_exporter
  { name: 'first-time exporter', rule: rule('first_time_exporter', {}), facts: parcel({ firstTime: true }), hit: true },
  { name: 'known exporter', rule: rule('first_time_exporter', {}), facts: parcel({ firstTime: false }), hit: false },
  // quarantine
  {
    name: 'quarantine product without inspection filing',
    rule: rule('quarantine', {}, 'hold'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: false })]),
    hit: true,
  },
  {
    name: 'quarantine product with inspection filing',
    rule: rule('quarantine', {}, 'hold'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: true })]),
    hit: false,
  },
  {
    name: 'quarantine product filed but no batch balance',
    rule: rule('quarantine', {}, 'hold'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: true, batchCovered: false })]),
    hit: true,
  },
  {
    name: 'quarantine product filed, drawn on a batch',
    rule: rule('quarantine', {}, 'hold'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: true, batchCovered: true })]),
    hit: false,
  },
  { name: 'no quarantine category', rule: rule('quarantine', {}, 'hold'), facts: parcel(), hit: false },
  // quarantine_sampling: by category, at a percentage, seeded by the guid
  {
    name: 'category listed, sampled at 100 %',
    rule: rule('quarantine_sampling', { categories: ['fresh_fruit'], samplePercent: 100, seed: 'q' }, 'inspect'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: true })]),
    hit: true,
    detail: /quarantine category fresh_fruit\) sampled \(100%\).*检疫类别 fresh_fruit）抽中（100%）/,
  },
  {
    name: 'category listed, rate 0 never samples',
    rule: rule('quarantine_sampling', { categories: ['fresh_fruit'], samplePercent: 0, seed: 'q' }, 'inspect'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit', inspectionFiled: true })]),
    hit: false,
  },
  {
    name: 'category listed, guid in the sampled bucket',
    rule: rule('quarantine_sampling', { categories: ['meat', 'fresh_fruit'], samplePercent: 5, seed: 'q' }, 'inspect'),
    facts: parcel({ guid: guidWithBucket('q', 500, true) }, [line(), line({ gnum: '2', quarantineCategory: 'fresh_fruit' })]),
    hit: true,
    detail: /line 2 /,
  },
  {
    name: 'category listed, guid outside the sampled bucket',
    rule: rule('quarantine_sampling', { categories: ['fresh_fruit'], samplePercent: 5, seed: 'q' }, 'inspect'),
    facts: parcel({ guid: guidWithBucket('q', 500, false) }, [line({ quarantineCategory: 'fresh_fruit' })]),
    hit: false,
  },
  {
    name: 'another category is not sampled',
    rule: rule('quarantine_sampling', { categories: ['meat'], samplePercent: 100 }, 'inspect'),
    facts: parcel({}, [line({ quarantineCategory: 'fresh_fruit' })]),
    hit: false,
  },
  {
    name: 'no quarantine category is not sampled',
    rule: rule('quarantine_sampling', { categories: ['fresh_fruit'], samplePercent: 100 }, 'inspect'),
    facts: parcel(),
    hit: false,
  },
];

for (const c of CASES) {
  test(`rule ${c.rule.kind}: ${c.name}`, () => {
    const hit = evaluateRule(c.rule, c.facts);
    assert.equal(hit !== null, c.hit);
    if (hit) {
      assert.equal(hit.rule, c.rule.id);
      assert.equal(hit.lane, c.rule.lane);
      assert.ok(hit.detailZh && hit.detailEn, 'a hit says why, in both languages');
      if (c.detail) assert.match(`${hit.detailEn} ${hit.detailZh}`, c.detail);
    }
  });
}

test('lane: the strictest hit wins (hold > inspect > review > green); no hit is green', () => {
  const facts = parcel({ creditLevel: 'C', total: 60000 }, [line({ quarantineCategory: 'fresh_fruit', name: '礼品' })]);
  const rules = [
    rule('vague_description', { words: ['礼品'] }, 'review'),
    rule('credit_sampling', { seed: 's', ratesPct: { C: 100 } }, 'inspect'),
    rule('parcel_limit', { maxValue: '50000' }, 'green'),
  ];
  assert.equal(evaluate(rules, facts).lane, 'inspect');
  assert.equal(evaluate([...rules, rule('quarantine', {}, 'hold')], facts).lane, 'hold');
  assert.equal(evaluate([rules[0]!], facts).lane, 'review');
  assert.equal(evaluate([rules[2]!], facts).lane, 'green', 'a green rule records a hit without stopping the parcel');
  assert.equal(evaluate([rules[2]!], facts).hits.length, 1);
  assert.deepEqual(evaluate(rules, parcel({ creditLevel: 'AA' })), { lane: 'green', hits: [] });
});

test('agency: quarantine rules select for inspection, others for customs, unless params.agency says', () => {
  const fruit = parcel({}, [line({ quarantineCategory: 'fresh_fruit', hsCode: '0805100000' })]);
  assert.equal(evaluateRule(rule('quarantine', {}, 'hold'), fruit)?.agency, 'inspection');
  assert.equal(evaluateRule(rule('hs_list', { hsPrefixes: ['0805'] }, 'inspect'), fruit)?.agency, 'customs');
  assert.equal(
    evaluateRule(rule('hs_list', { hsPrefixes: ['0805'], agency: 'inspection' }, 'inspect'), fruit)?.agency,
    'inspection',
  );
});

test('sampling is reproducible: the same seed and guid give the same bucket; another seed another', () => {
  const g = '00000603-0000-4000-8000-000000000042';
  assert.equal(sampleBucket('a', g), sampleBucket('a', g));
  const spread = new Set(Array.from({ length: 50 }, (_, i) => sampleBucket(String(i), g)));
  assert.ok(spread.size > 40);
});

test('versions: the latest version effective on or before the day is in force; disabled versions switch a rule off', () => {
  const v1 = { ...rule('vague_description', { words: ['gift'] }), id: 'R-V', version: 1, effectiveFrom: '2026-01-01' };
  const v2 = { ...v1, version: 2, effectiveFrom: '2026-12-01', params: { words: ['gift', 'parts'] } };
  const v3 = { ...v1, version: 3, effectiveFrom: '2027-01-01', enabled: false };
  assert.deepEqual(
    rulesInForce([v1, v2, v3], new Date('2026-11-26T10:00:00Z')).map((r) => r.version),
    [1],
  );
  assert.deepEqual(
    rulesInForce([v1, v2, v3], new Date('2026-12-02T10:00:00Z')).map((r) => r.version),
    [2],
  );
  assert.deepEqual(rulesInForce([v1, v2, v3], new Date('2027-02-01T10:00:00Z')), []);
  assert.deepEqual(rulesInForce([v2], new Date('2026-11-26T10:00:00Z')), [], 'not yet effective');
});

test('vague names: only stop words (and numbers) make a name vague', () => {
  const words = ['gift', 'accessories', '礼品', '配件'];
  for (const [name, vague] of [
    ['礼品', true],
    ['配件', true],
    ['Accessories', true],
    ['gift 2', true],
    ['礼品 配件', true],
    ['手机配件 充电线', false],
    ['Blue-and-white porcelain bowl', false],
    ['', false],
  ] as const) {
    assert.equal(isVague(name, words), vague, name);
  }
});

test('parameters are checked per kind, each problem named', () => {
  assert.deepEqual(checkParams('vague_description', { words: ['gift'] }), []);
  assert.equal(checkParams('vague_description', { words: 'gift' })[0]?.field, 'params.words');
  assert.equal(checkParams('parcel_limit', {})[0]?.field, 'params.maxValue');
  assert.equal(checkParams('undervaluation', { minRatio: -1 })[0]?.field, 'params.minRatio');
  assert.equal(checkParams('credit_sampling', { ratesPct: { D: 1 } })[0]?.field, 'params.ratesPct.D');
  assert.equal(checkParams('credit_sampling', { ratesPct: { A: 101 } })[0]?.field, 'params.ratesPct.A');
  assert.equal(checkParams('hs_list', { hsPrefixes: [], agency: 'police' })[0]?.field, 'params.agency');
  assert.equal(checkParams('split_shipment', { windowHours: 24, minCount: 5, maxValue: 1 })[0]?.field, 'params.keyFields');
});

test('quarantine sampling parameters: categories from the filing list, a percentage 0–100, a string seed', () => {
  const cases: { params: Record<string, unknown>; problems: { field: string; zh: RegExp; en: RegExp }[] }[] = [
    { params: { categories: ['fresh_fruit'], samplePercent: 5 }, problems: [] },
    { params: { categories: ['fresh_fruit', 'meat'], samplePercent: '12.5', seed: '2026' }, problems: [] },
    { params: { categories: ['fresh_fruit'], samplePercent: 0 }, problems: [] },
    { params: { categories: ['fresh_fruit'], samplePercent: 100 }, problems: [] },
    {
      params: { samplePercent: 5 },
      problems: [
        { field: 'params.categories', zh: /检疫抽样规则的 categories 必须是至少一个检疫类别/, en: /categories must be a list/ },
      ],
    },
    {
      params: { categories: [], samplePercent: 5 },
      problems: [{ field: 'params.categories', zh: /至少一个检疫类别/, en: /at least one quarantine category/ }],
    },
    {
      params: { categories: 'fresh_fruit', samplePercent: 5 },
      problems: [{ field: 'params.categories', zh: /列表/, en: /list/ }],
    },
    {
      params: { categories: ['fresh_fruit', 'rocks'], samplePercent: 5 },
      problems: [
        { field: 'params.categories', zh: /检疫类别 rocks 不存在/, en: /unknown quarantine category rocks; one of fresh_fruit/ },
      ],
    },
    {
      params: { categories: ['fresh_fruit'] },
      problems: [
        {
          field: 'params.samplePercent',
          zh: /samplePercent 必须是 0–100/,
          en: /samplePercent must be a percentage from 0 to 100/,
        },
      ],
    },
    {
      params: { categories: ['fresh_fruit'], samplePercent: 101 },
      problems: [{ field: 'params.samplePercent', zh: /0–100/, en: /0 to 100/ }],
    },
    {
      params: { categories: ['fresh_fruit'], samplePercent: -1 },
      problems: [{ field: 'params.samplePercent', zh: /0–100/, en: /0 to 100/ }],
    },
    {
      params: { categories: ['fresh_fruit'], samplePercent: 'some' },
      problems: [{ field: 'params.samplePercent', zh: /0–100/, en: /0 to 100/ }],
    },
    {
      params: { categories: ['fresh_fruit'], samplePercent: 5, seed: 7 },
      problems: [{ field: 'params.seed', zh: /seed（抽样种子）必须是字符串/, en: /seed \(the sampling seed\) must be a string/ }],
    },
    {
      params: { categories: ['x'], samplePercent: 500, agency: 'police' },
      problems: [
        { field: 'params.agency', zh: /agency/, en: /agency must be customs or inspection/ },
        { field: 'params.categories', zh: /x 不存在/, en: /unknown quarantine category x/ },
        { field: 'params.samplePercent', zh: /0–100/, en: /0 to 100/ },
      ],
    },
  ];
  for (const c of cases) {
    const got = checkParams('quarantine_sampling', c.params);
    assert.deepEqual(
      got.map((g) => g.field),
      c.problems.map((p) => p.field),
      JSON.stringify(c.params),
    );
    c.problems.forEach((p, i) => {
      assert.match(got[i]!.zh, p.zh, JSON.stringify(c.params));
      assert.match(got[i]!.en, p.en, JSON.stringify(c.params));
    });
  }
  // Quarantine sampling selects for inspection unless told otherwise.
  const fruit = parcel({}, [line({ quarantineCategory: 'fresh_fruit' })]);
  const sampling = rule('quarantine_sampling', { categories: ['fresh_fruit'], samplePercent: 100 }, 'inspect');
  assert.equal(evaluateRule(sampling, fruit)?.agency, 'inspection');
  assert.equal(evaluateRule({ ...sampling, params: { ...sampling.params, agency: 'customs' } }, fruit)?.agency, 'customs');
});

test('quarantine categories: the risk rules know the filing module’s list', () => {
  assert.deepEqual([...QUARANTINE_CATEGORIES], [...FILED_CATEGORIES]);
});

test('effective dates are Beijing days: at 23:30 UTC the next day’s version is already in force', () => {
  const v1 = { ...rule('vague_description', { words: ['gift'] }), id: 'R-BJ', version: 1, effectiveFrom: '2026-01-01' };
  const v2 = { ...v1, version: 2, effectiveFrom: '2026-12-01' };
  // 2026-11-30T23:30Z is 2026-12-01 07:30 in Beijing: version 2 is in force (the UTC day said 1).
  assert.equal(beijingDay(new Date('2026-11-30T23:30:00Z')), '2026-12-01');
  assert.deepEqual(
    rulesInForce([v1, v2], new Date('2026-11-30T23:30:00Z')).map((r) => r.version),
    [2],
  );
  // 15:59:59Z is still 23:59:59 the day before in Beijing; 16:00Z is midnight.
  assert.deepEqual(
    rulesInForce([v1, v2], new Date('2026-11-30T15:59:59Z')).map((r) => r.version),
    [1],
  );
  assert.deepEqual(
    rulesInForce([v1, v2], new Date('2026-11-30T16:00:00Z')).map((r) => r.version),
    [2],
  );
  assert.equal(beijingDay(new Date('2026-12-31T16:30:00Z')), '2027-01-01', 'across a year');
});

test('buyer fingerprint: case, width, whitespace and punctuation do not count; name and address both do', () => {
  const base = buyerFingerprint('Jane Doe', '12 Main St., Springfield, IL 62701');
  assert.match(base ?? '', /^[0-9a-f]{32}$/);
  const cases: [string, string, string, 'same' | 'other' | null][] = [
    ['identical', 'Jane Doe', '12 Main St., Springfield, IL 62701', 'same'],
    ['case', 'JANE DOE', '12 MAIN ST., SPRINGFIELD, IL 62701', 'same'],
    ['whitespace', '  Jane   Doe ', '12 Main St.,Springfield,IL 62701', 'same'],
    ['punctuation', 'Jane-Doe', '12 Main St Springfield IL 62701', 'same'],
    ['full-width', 'Ｊａｎｅ　Ｄｏｅ', '１２ Main St．， Springfield， IL 62701', 'same'],
    ['tabs and a line break', 'Jane\tDoe', '12 Main St.\nSpringfield, IL 62701', 'same'],
    ['another name', 'John Doe', '12 Main St., Springfield, IL 62701', 'other'],
    ['another address', 'Jane Doe', '14 Main St., Springfield, IL 62701', 'other'],
    ['no name', '', '12 Main St., Springfield, IL 62701', null],
    ['no address', 'Jane Doe', ' ,. ', null],
  ];
  for (const [name, who, where, want] of cases) {
    const fp = buyerFingerprint(who, where);
    if (want === null) assert.equal(fp, null, name);
    else if (want === 'same') assert.equal(fp, base, name);
    else assert.notEqual(fp, base, name);
  }
  // Chinese names and addresses: full-width punctuation and spaces are ignored too.
  assert.equal(buyerFingerprint('张 三', '北京市朝阳区，建国路 1 号。'), buyerFingerprint('张三', '北京市朝阳区建国路1号'));
  assert.ok(!/jane|doe|main/i.test(base!), 'the fingerprint holds no personal data');
});

test('split keys: the buyer replaces the other fields when known, else they are the fallback', () => {
  const head = { ebcCode: '3601260888', country: '502', POD: 'USLAX' };
  const fp = buyerFingerprint('Jane Doe', '12 Main St')!;
  const cases: [string, string[], string | null, string | null][] = [
    ['seller and destination, buyer not asked for', ['ebcCode', 'country', 'POD'], fp, '3601260888|502|USLAX'],
    ['buyer known', ['buyer', 'ebcCode', 'country', 'POD'], fp, `buyer:${fp}`],
    ['buyer known, field order does not matter', ['ebcCode', 'buyer'], fp, `buyer:${fp}`],
    ['buyer unknown: the other fields', ['buyer', 'ebcCode', 'country', 'POD'], null, '3601260888|502|USLAX'],
    ['buyer only, unknown: no key', ['buyer'], null, null],
    ['buyer only, known', ['buyer'], fp, `buyer:${fp}`],
  ];
  for (const [name, fields, buyer, want] of cases) assert.equal(splitKeyOf(head, fields, buyer), want, name);
});

test('split shipment keyFields: a non-empty list of known fields, each once', () => {
  const base = { windowHours: 24, minCount: 5, maxValue: '5000' };
  const cases: { keyFields: unknown; problem: { zh: RegExp; en: RegExp } | null }[] = [
    { keyFields: ['ebcCode'], problem: null },
    { keyFields: ['buyer'], problem: null },
    { keyFields: ['buyer', 'ebcCode', 'country', 'POD'], problem: null },
    { keyFields: [...SPLIT_KEY_FIELDS], problem: null },
    { keyFields: undefined, problem: { zh: /keyFields 必须是字段名列表/, en: /keyFields must be a list of field names/ } },
    { keyFields: 'ebcCode', problem: { zh: /字段名列表/, en: /list of field names/ } },
    { keyFields: ['ebcCode', 7], problem: { zh: /字段名列表/, en: /list of field names/ } },
    { keyFields: [], problem: { zh: /keyFields 不能为空/, en: /keyFields must not be empty/ } },
    { keyFields: ['sellerCode'], problem: { zh: /键字段 sellerCode 不存在/, en: /unknown key field sellerCode \(/ } },
    {
      keyFields: ['ebcCode', 'pod', 'Country'],
      problem: { zh: /键字段 pod、Country 不存在/, en: /unknown key fields pod, Country/ },
    },
    { keyFields: ['ebcCode', 'country', 'ebcCode'], problem: { zh: /键字段 ebcCode 重复/, en: /key field ebcCode given twice/ } },
  ];
  for (const c of cases) {
    const problems = checkParams('split_shipment', { ...base, keyFields: c.keyFields });
    const what = JSON.stringify(c.keyFields);
    if (!c.problem) {
      assert.deepEqual(problems, [], what);
      continue;
    }
    assert.equal(problems.length, 1, `${what}: ${JSON.stringify(problems)}`);
    assert.equal(problems[0]!.field, 'params.keyFields', what);
    assert.match(problems[0]!.zh, c.problem.zh, what);
    assert.match(problems[0]!.en, c.problem.en, what);
    // The officer is told which fields there are (a repeated one is simply named).
    if (!/twice/.test(problems[0]!.en)) assert.match(problems[0]!.en, /one of buyer, ebcCode, ebpCode/, what);
  }
});

test('a second split shipment rule in force at the same time as another is a clash, from today on', () => {
  const TODAY = '2026-11-26';
  const split = (id: string, version: number, effectiveFrom: string, enabled = true): RiskRule => ({
    ...rule('split_shipment', { windowHours: 24, minCount: 5, maxValue: '5000', keyFields: ['ebcCode'] }),
    id,
    version,
    effectiveFrom,
    enabled,
  });
  const other = (id: string, version: number, effectiveFrom: string): RiskRule => ({
    ...rule('hs_list', { hsPrefixes: ['6911'] }),
    id,
    version,
    effectiveFrom,
  });
  const cases: {
    what: string;
    stored: RiskRule[];
    draft: RiskRule;
    clash: { id: string; version: number; day: string } | null;
  }[] = [
    { what: 'the only split rule', stored: [other('R-HS', 1, '2018-06-30')], draft: split('R-A', 1, TODAY), clash: null },
    {
      what: 'a new version of the split rule in force',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: split('R-A', 2, TODAY),
      clash: null,
    },
    {
      what: 'another split rule in force today',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: split('R-B', 1, TODAY),
      clash: { id: 'R-A', version: 1, day: TODAY },
    },
    {
      what: 'a draft dated in the past still clashes today',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: split('R-B', 1, '2020-01-01'),
      clash: { id: 'R-A', version: 1, day: TODAY },
    },
    {
      what: 'a draft in force from next month clashes then',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: split('R-B', 1, '2026-12-01'),
      clash: { id: 'R-A', version: 1, day: '2026-12-01' },
    },
    {
      what: 'the other one comes into force later',
      stored: [split('R-A', 1, '2027-03-01')],
      draft: split('R-B', 1, TODAY),
      clash: { id: 'R-A', version: 1, day: '2027-03-01' },
    },
    {
      what: 'the other one is switched off by a later version',
      stored: [split('R-A', 1, '2018-06-30'), split('R-A', 2, '2020-01-01', false)],
      draft: split('R-B', 1, TODAY),
      clash: null,
    },
    {
      what: 'the other one is switched off from the day the draft starts',
      stored: [split('R-A', 1, '2018-06-30'), split('R-A', 2, '2027-01-01', false)],
      draft: split('R-B', 1, '2027-01-01'),
      clash: null,
    },
    {
      what: 'the other one is switched off only after the draft starts',
      stored: [split('R-A', 1, '2018-06-30'), split('R-A', 2, '2027-01-02', false)],
      draft: split('R-B', 1, '2027-01-01'),
      clash: { id: 'R-A', version: 1, day: '2027-01-01' },
    },
    {
      what: 'the other one was a split rule only in the past (now another kind)',
      stored: [split('R-A', 1, '2018-06-30'), other('R-A', 2, '2020-01-01')],
      draft: split('R-B', 1, TODAY),
      clash: null,
    },
    {
      what: 'a later version of another kind turns into a split rule next year',
      stored: [other('R-A', 1, '2018-06-30'), split('R-A', 2, '2027-06-01')],
      draft: split('R-B', 1, TODAY),
      clash: { id: 'R-A', version: 2, day: '2027-06-01' },
    },
    {
      what: 'the other one is disabled (the seeded R-SPLIT)',
      stored: [split('R-SPLIT', 1, '2018-06-30', false)],
      draft: split('R-B', 1, TODAY),
      clash: null,
    },
    {
      what: 'the draft itself is switched off',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: split('R-B', 1, TODAY, false),
      clash: null,
    },
    {
      what: 'the draft switches its own id from another kind to split while another split rule is in force',
      stored: [split('R-A', 1, '2018-06-30'), other('R-B', 1, '2018-06-30')],
      draft: split('R-B', 2, TODAY),
      clash: { id: 'R-A', version: 1, day: TODAY },
    },
    {
      what: 'the draft is of another kind',
      stored: [split('R-A', 1, '2018-06-30')],
      draft: other('R-B', 1, TODAY),
      clash: null,
    },
  ];
  for (const c of cases) {
    const got = splitRuleClash(c.stored, c.draft, TODAY);
    assert.deepEqual(got ? { id: got.other.id, version: got.other.version, day: got.day } : null, c.clash, c.what);
  }
});
