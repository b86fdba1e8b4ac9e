import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { inspectionSuite } from '../../../test/support/inspection.ts';

// The risk engine counts split parcels with one split-shipment rule's key fields, window and
// value: saving a second split rule in force at the same time as another is refused (409, naming
// both rules and the day), as are key fields that would give every parcel the same key. Nothing
// refused is stored; two officers saving two split rules at once cannot both succeed.

const { tp, api } = inspectionSuite({ guids: 89, users: ['customs'] });
const db = () => tp.platform.database.db;

const splitRule = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  effectiveFrom: '2020-01-01',
  kind: 'split_shipment',
  lane: 'review',
  params: { windowHours: 24, minCount: 20, maxValue: '5000', keyFields: ['ebcCode', 'country', 'POD'] },
  explainZh: '同一企业同一去向短时间内大量低值包裹',
  explainEn: 'many low-value parcels of one seller to one destination',
  enabled: true,
  ...over,
});

const versions = async (id: string) =>
  (
    await sql<{ version: number; enabled: boolean }>`
      select version, enabled from rsk_rule where id = ${id} order by version`.execute(db())
  ).rows;

/** Split rules in force today (Beijing): per id, the latest version effective by today, enabled. */
const enabledSplitRules = async () =>
  (
    await sql<{ id: string }>`
      select id from (
        select distinct on (id) id, kind, enabled from rsk_rule
        where effective_from <= (now() at time zone 'Asia/Shanghai')::date order by id, version desc
      ) r
      where kind = 'split_shipment' and enabled order by id`.execute(db())
  ).rows.map((r) => r.id);

test('a second split shipment rule in force at the same time is refused, naming both rules; bad key fields too', async () => {
  // The seeded R-SPLIT is switched off: a split rule of customs' own is the only one in force.
  assert.deepEqual(await enabledSplitRules(), []);
  const first = await api('customs', 'POST', '/api/v1/risk/rules', splitRule('R-SPLIT-A'));
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.deepEqual(await enabledSplitRules(), ['R-SPLIT-A']);
  const seeded = await versions('R-SPLIT');

  const refused: { what: string; body: ReturnType<typeof splitRule>; conflictsWith: string; day: RegExp | string }[] = [
    {
      what: 'switching the seeded R-SPLIT on',
      body: splitRule('R-SPLIT', { params: { windowHours: 12, minCount: 5, maxValue: '2000', keyFields: ['buyer'] } }),
      conflictsWith: 'R-SPLIT-A',
      day: /^\d{4}-\d{2}-\d{2}$/,
    },
    {
      what: 'a new split rule dated in the past',
      body: splitRule('R-SPLIT-B'),
      conflictsWith: 'R-SPLIT-A',
      day: /^\d{4}-\d{2}-\d{2}$/,
    },
    {
      what: 'a new split rule from a future day',
      body: splitRule('R-SPLIT-B', { effectiveFrom: '2099-01-01' }),
      conflictsWith: 'R-SPLIT-A',
      day: '2099-01-01',
    },
  ];
  for (const c of refused) {
    const r = await api('customs', 'POST', '/api/v1/risk/rules', c.body);
    assert.equal(r.status, 409, `${c.what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'risk.conflict', c.what);
    assert.equal(r.body.ruleId, c.body.id, c.what);
    assert.equal(r.body.conflictsWith, c.conflictsWith, c.what);
    if (typeof c.day === 'string') assert.equal(r.body.day, c.day, c.what);
    else assert.match(r.body.day as string, c.day, c.what);
    assert.match(
      r.body.detailZh as string,
      new RegExp(`拆单规则 ${c.body.id} 不能生效.*${c.conflictsWith}.*同一时间只能有一条拆单规则`),
      c.what,
    );
    assert.match(
      r.body.detailEn as string,
      new RegExp(`split shipment rule ${c.body.id} cannot be in force.*${c.conflictsWith}.*only one split shipment rule`),
      c.what,
    );
  }
  assert.deepEqual(await versions('R-SPLIT'), seeded, 'nothing stored for R-SPLIT');
  assert.deepEqual(await versions('R-SPLIT-B'), [], 'nothing stored for R-SPLIT-B');

  // Key fields that would give every parcel one key: refused with the field named, nothing stored.
  for (const keyFields of [[], ['sellerCode'], ['ebcCode', 'ebcCode']]) {
    const r = await api(
      'customs',
      'POST',
      '/api/v1/risk/rules',
      splitRule('R-SPLIT-A', { params: { windowHours: 24, minCount: 20, maxValue: '5000', keyFields } }),
    );
    assert.equal(r.status, 400, JSON.stringify(keyFields));
    const errors = r.body.errors as { field: string }[];
    assert.deepEqual(
      errors.map((e) => e.field),
      ['params.keyFields'],
      JSON.stringify(keyFields),
    );
  }
  assert.deepEqual(await versions('R-SPLIT-A'), [{ version: 1, enabled: true }]);

  // Allowed: a second split rule switched off, a new version of the one in force.
  const off = await api('customs', 'POST', '/api/v1/risk/rules', splitRule('R-SPLIT-B', { enabled: false }));
  assert.equal(off.status, 201, JSON.stringify(off.body));
  const v2 = await api(
    'customs',
    'POST',
    '/api/v1/risk/rules',
    splitRule('R-SPLIT-A', { params: { windowHours: 48, minCount: 10, maxValue: '5000', keyFields: ['buyer', 'ebcCode'] } }),
  );
  assert.equal(v2.status, 201, JSON.stringify(v2.body));
  assert.deepEqual(await enabledSplitRules(), ['R-SPLIT-A']);

  // Once R-SPLIT-A is switched off, R-SPLIT-B may be switched on.
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', splitRule('R-SPLIT-A', { enabled: false }))).status, 201);
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', splitRule('R-SPLIT-B'))).status, 201);
  assert.deepEqual(await enabledSplitRules(), ['R-SPLIT-B']);
  assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', splitRule('R-SPLIT-B', { enabled: false }))).status, 201);
});

test('two officers switching on two split rules at once: exactly one is saved', async () => {
  assert.deepEqual(await enabledSplitRules(), []);
  for (let round = 0; round < 3; round++) {
    const ids = [`R-RACE-${round}-X`, `R-RACE-${round}-Y`];
    const answers = await Promise.all(ids.map((id) => api('customs', 'POST', '/api/v1/risk/rules', splitRule(id))));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409], JSON.stringify(answers.map((a) => a.body)));
    const won = ids[answers.findIndex((a) => a.status === 201)]!;
    const lost = ids.find((id) => id !== won)!;
    assert.deepEqual(await enabledSplitRules(), [won], `round ${round}`);
    assert.deepEqual(await versions(lost), [], `round ${round}: the refused one is not stored`);
    assert.equal(answers.find((a) => a.status === 409)!.body.conflictsWith, won);
    assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', splitRule(won, { enabled: false }))).status, 201);
  }
});
