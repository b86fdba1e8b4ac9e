import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { apiCall, submitOk } from '../../../test/support/clearance.ts';
import { guidOf, makeParcel, message, PARTIES } from '../../../test/support/parcels.ts';
import { fixedClock, login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

// A credit level customs sets in the risk workbench holds until its validUntil (default a year):
// until then it outranks the credit system's rating, past it (on the platform's clock) the rating
// applies again.

const START = new Date('2026-11-26T03:00:00Z');
const YEAR_MS = 365 * 86_400_000;
const clock = fixedClock(START);
let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;
let n = 0;

before(async () => {
  tp = await startTestPlatform({ listen: false, clock });
  for (const u of ['platform', 'carrier', 'broker', 'customs']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp.stop();
});

type Body = Record<string, unknown>;
const api = (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<Body>(tp, t[user]!, method, url, payload);
const seller = PARTIES.seller.code;

/** Declares one ordinary parcel of the demo seller; answers the rules that hit it and their details. */
async function hitsOfNextParcel(): Promise<{ rules: string[]; details: string[] }> {
  const p = makeParcel(++n, 'CX');
  await submitOk(tp, t.platform!, message('CEB303', guidOf(87, ++g), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', guidOf(87, ++g), PARTIES.carrier, [p.waybill]));
  const inv = await submitOk(tp, t.broker!, message('CEB603', guidOf(87, ++g), PARTIES.broker, [p.inventory]));
  await tp.platform.settle();
  const d = await api('customs', 'GET', `/api/v1/risk/decisions/${inv.entities[0]!.documentId!}`);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  const hits = d.body.hits as { rule: string; detailEn: string }[];
  return { rules: hits.map((h) => h.rule).sort(), details: hits.map((h) => h.detailEn) };
}

const stored = async () =>
  (
    await sql<{ level: string; source: string; updated_at: Date; valid_until: Date }>`
      select level, source, updated_at, valid_until from rsk_credit where enterprise_code = ${seller}`.execute(
      tp.platform.database.db,
    )
  ).rows[0];

const listed = async () => {
  const r = await api('customs', 'GET', '/api/v1/risk/credit');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.items as Body[]).find((x) => x.enterpriseCode === seller);
};

test('the demo seed grades its sellers AA for a year from its clock', async () => {
  const row = await stored();
  assert.deepEqual([row?.level, row?.source], ['AA', 'demo']);
  assert.equal(row!.valid_until.toISOString(), new Date(START.getTime() + YEAR_MS).toISOString());
  assert.deepEqual(await listed(), {
    enterpriseCode: seller,
    level: 'AA',
    source: 'demo',
    updatedAt: START.toISOString(),
    validUntil: new Date(START.getTime() + YEAR_MS).toISOString(),
    expired: false,
  });
});

test('validUntil not after now is refused, naming the field, and nothing changes', async () => {
  const before = await stored();
  for (const validUntil of [new Date(START.getTime() - 60_000).toISOString(), clock.now().toISOString()]) {
    const r = await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'C', validUntil });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const errors = r.body.errors as { field: string; rule: string; message: { zh: string; en: string } }[];
    assert.deepEqual(
      errors.map((e) => [e.field, e.rule]),
      [['validUntil', 'future']],
    );
    assert.match(errors[0]!.message.zh, /^有效期（validUntil）.*不晚于当前时间/);
    assert.match(errors[0]!.message.en, /validUntil .* is not after now/);
    assert.match(r.body.detail as string, /^输入有误：validUntil.*Invalid input: validUntil/s, 'Chinese first, English second');
  }
  const bad = await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'C', validUntil: 'next year' });
  assert.equal(bad.status, 400);
  assert.deepEqual(
    (bad.body.errors as { field: string }[]).map((e) => e.field),
    ['body.validUntil'],
  );
  assert.deepEqual(await stored(), before, 'the override is unchanged');
});

test('an override outranks the credit system’s rating until validUntil; past it, the rating applies', async () => {
  const db = tp.platform.database.db;
  // Only C is sampled, always: the hit shows which level the engine used.
  const rule = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-CREDIT-SAMPLE',
    kind: 'credit_sampling',
    lane: 'inspect',
    effectiveFrom: '2020-01-01',
    params: { seed: '2026', ratesPct: { AA: 0, A: 0, B: 0, C: 100 } },
    explainZh: '按信用等级抽查',
    explainEn: 'sample by credit level',
    enabled: true,
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const org = await sql<{ id: string }>`select id from organisation where customs_code = ${seller}`.execute(db);
  await sql`insert into cr_rating (org_id, code, level, score, factors, rules_version, computed_at)
    values (${org.rows[0]!.id}, ${seller}, 'C', 30, '{}'::jsonb, 'test', ${clock.now()})`.execute(db);

  // Customs grades the seller A for 30 minutes: the rating C does not count meanwhile.
  const until = new Date(clock.now().getTime() + 30 * 60_000).toISOString();
  const set = await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'A', validUntil: until });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body, { enterpriseCode: seller, level: 'A', validUntil: until });
  const row = await stored();
  assert.deepEqual([row?.level, row?.source, row?.valid_until.toISOString()], ['A', 'customs', until]);
  assert.deepEqual((await hitsOfNextParcel()).rules, [], 'the override (A) outranks the rating (C)');
  clock.advance(29 * 60_000);
  assert.deepEqual((await hitsOfNextParcel()).rules, [], 'a minute before validUntil it still does');

  // The clock passes validUntil: the credit system's rating applies again.
  clock.advance(2 * 60_000);
  const expired = await hitsOfNextParcel();
  assert.deepEqual(expired.rules, ['R-CREDIT-SAMPLE']);
  assert.match(expired.details[0]!, /credit level C/);
  assert.deepEqual([(await listed())?.level, (await listed())?.expired], ['A', true], 'listed, marked expired');

  // A level sent alone (as before validUntil existed) holds a year from now and outranks the rating again.
  const plain = await api('customs', 'PUT', `/api/v1/risk/credit/${seller}`, { level: 'AA' });
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  const year = new Date(clock.now().getTime() + YEAR_MS).toISOString();
  assert.equal(plain.body.validUntil, year);
  assert.equal((await stored())?.valid_until.toISOString(), year);
  assert.deepEqual((await hitsOfNextParcel()).rules, []);
});
