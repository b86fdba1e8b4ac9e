import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { PARTIES } from '../../../test/support/parcels.ts';
import { apiCall } from '../../../test/support/clearance.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';

// Storage locations on the real platform: registered, edited, retired and brought back; a retired
// location is no put-away choice, one holding stock is not retired, another centre's is not found.

const clock = fixedClock(new Date('2026-11-26T09:00:00Z'));
let tp: TestPlatform;
let token = '';
let whId = '';

type Body = Record<string, unknown> & { errors?: { field: string; rule: string; value: unknown }[] };
const api = <B = Body>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  apiCall<B>(tp, token, method, url, payload);
const db = () => tp.platform.database.db;

interface Loc {
  code: string;
  zone: string;
  parcels: number;
  active: boolean;
}

const stored = async (code: string, org = whId) =>
  (
    await sql<{ zone: string; active: boolean }>`
      select zone, active from whs_location where warehouse_org_id = ${org} and code = ${code}`.execute(db())
  ).rows[0];
const locationOf = async (no: string) =>
  (await sql<{ location: string | null }>`select location from whs_parcel where logistics_no = ${no}`.execute(db())).rows[0]
    ?.location;

/** A parcel received at the centre, seeded directly: put-away needs nothing of customs. */
async function received(no: string): Promise<void> {
  await sql`
    insert into whs_parcel (id, warehouse_org_id, logistics_no, logistics_code, status, created_at, updated_at, received_at)
    values (${newId()}, ${whId}, ${no}, ${PARTIES.carrier.code}, 'received', ${clock.now()}, ${clock.now()}, ${clock.now()})`.execute(
    db(),
  );
}

before(async () => {
  tp = await startTestPlatform({ clock, listen: false });
  token = await login(tp.platform, 'warehouse');
  whId = (await sql<{ id: string }>`select id from organisation where customs_code = ${PARTIES.warehouse.code}`.execute(db()))
    .rows[0]!.id;
});
after(async () => {
  await tp?.stop();
});

test('a list naming a code twice is refused whole (400, rule unique), nothing stored', async () => {
  const r = await api('PUT', '/api/v1/warehouse/locations', [{ code: 'D-01' }, { code: 'D-02' }, { code: 'D-01' }]);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.errors?.map((e) => [e.field, e.rule, e.value]),
    [['code', 'unique', 'D-01']],
  );
  assert.equal(await stored('D-01'), undefined);
  assert.equal(await stored('D-02'), undefined);
});

test('retire, refuse put-away, edit the zone, bring back: each step stored and audited', async () => {
  const reg = await api('PUT', '/api/v1/warehouse/locations', [
    { code: 'R-01', zone: 'R' },
    { code: 'R-02', zone: 'R' },
  ]);
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  assert.deepEqual(await stored('R-02'), { zone: 'R', active: true });

  await received('LOC0000001');
  const put = await api<{ location: string }>('POST', '/api/v1/warehouse/put-away', {
    logisticsNo: 'LOC0000001',
    location: 'R-01',
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(await locationOf('LOC0000001'), 'R-01');

  // R-01 holds a parcel in stock: not retired
  const busy = await api<{ parcels?: number }>('POST', '/api/v1/warehouse/locations/R-01/deactivate');
  assert.equal(busy.status, 409, JSON.stringify(busy.body));
  assert.equal(busy.body.parcels, 1);
  assert.deepEqual(await stored('R-01'), { zone: 'R', active: true });

  // R-02 is empty: retired (lower case as a scanner may send it)
  const off = await api<Loc>('POST', '/api/v1/warehouse/locations/r-02/deactivate');
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.deepEqual(off.body, { code: 'R-02', zone: 'R', parcels: 0, active: false });
  assert.deepEqual(await stored('R-02'), { zone: 'R', active: false });
  assert.equal((await api('POST', '/api/v1/warehouse/locations/R-02/deactivate')).status, 409, 'already retired');

  // no longer a put-away choice: absent from the default list, refused by put-away
  const choices = await api<Loc[]>('GET', '/api/v1/warehouse/locations');
  assert.deepEqual(
    choices.body.filter((l) => l.code.startsWith('R-')).map((l) => [l.code, l.parcels, l.active]),
    [['R-01', 1, true]],
  );
  const all = await api<Loc[]>('GET', '/api/v1/warehouse/locations?all=true');
  assert.deepEqual(
    all.body.filter((l) => l.code.startsWith('R-')).map((l) => [l.code, l.active]),
    [
      ['R-01', true],
      ['R-02', false],
    ],
  );
  const refused = await api('POST', '/api/v1/warehouse/put-away', { logisticsNo: 'LOC0000001', location: 'R-02' });
  assert.equal(refused.status, 400, JSON.stringify(refused.body));
  assert.deepEqual(
    refused.body.errors?.map((e) => [e.field, e.rule]),
    [['location', 'active']],
  );
  assert.equal(await locationOf('LOC0000001'), 'R-01', 'the parcel stays where it was');

  // editing the zone does not bring it back
  assert.equal((await api('PUT', '/api/v1/warehouse/locations', [{ code: 'R-02', zone: 'R2' }])).status, 200);
  assert.deepEqual(await stored('R-02'), { zone: 'R2', active: false });

  const on = await api<Loc>('POST', '/api/v1/warehouse/locations/R-02/activate');
  assert.equal(on.status, 200, JSON.stringify(on.body));
  assert.deepEqual(await stored('R-02'), { zone: 'R2', active: true });
  assert.equal((await api('POST', '/api/v1/warehouse/locations/R-02/activate')).status, 409, 'already in use');
  const moved = await api('POST', '/api/v1/warehouse/put-away', { logisticsNo: 'LOC0000001', location: 'R-02' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(await locationOf('LOC0000001'), 'R-02');

  // R-01 is empty now: it may be retired
  assert.equal((await api('POST', '/api/v1/warehouse/locations/R-01/deactivate')).status, 200);
  assert.deepEqual(await stored('R-01'), { zone: 'R', active: false });

  await tp.platform.settle();
  const trail = await sql<{ action: string; after: { code: string; active: boolean } }>`
    select action, after from audit_log where entity = 'warehouse_location' and action in ('warehouse.location_activated', 'warehouse.location_deactivated')
    order by seq`.execute(db());
  assert.deepEqual(
    trail.rows.map((r) => [r.action, r.after.code, r.after.active]),
    [
      ['warehouse.location_deactivated', 'R-02', false],
      ['warehouse.location_activated', 'R-02', true],
      ['warehouse.location_deactivated', 'R-01', false],
    ],
  );
});

test("another centre's location, or an unknown one, is not found and not touched", async () => {
  const other = newId();
  await sql`insert into whs_location (warehouse_org_id, code, zone) values (${other}, 'X-01', '')`.execute(db());
  assert.equal((await api('POST', '/api/v1/warehouse/locations/X-01/deactivate')).status, 404);
  assert.deepEqual(await stored('X-01', other), { zone: '', active: true });
  assert.equal((await api('POST', '/api/v1/warehouse/locations/NOPE-99/activate')).status, 404);
  const mine = await api<Loc[]>('GET', '/api/v1/warehouse/locations?all=true');
  assert.ok(!mine.body.some((l) => l.code === 'X-01'), 'not in my list either');
});

test('a put-away racing a retirement: never a parcel put away at a retired location', async () => {
  for (let i = 0; i < 6; i++) {
    const code = `RACE-${i}`;
    const no = `LOCRACE00${i}`;
    await api('PUT', '/api/v1/warehouse/locations', [{ code }]);
    await received(no);
    const [put, off] = await Promise.all([
      api('POST', '/api/v1/warehouse/put-away', { logisticsNo: no, location: code }),
      api('POST', `/api/v1/warehouse/locations/${code}/deactivate`),
    ]);
    const loc = await stored(code);
    const at = await locationOf(no);
    // exactly one of the two wins, and the stored state says which
    if (put.status === 200) {
      assert.equal(off.status, 409, JSON.stringify(off.body));
      assert.deepEqual([loc?.active, at], [true, code]);
    } else {
      assert.equal(put.status, 400, JSON.stringify(put.body));
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.deepEqual([loc?.active, at], [false, null]);
    }
  }
});
