import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { connect, type Database } from '../../kernel/db.ts';
import { runMigrations } from '../../kernel/migrations.ts';
import { MIGRATIONS } from '../../server/platform.ts';
import { createRiskRepository } from './risk.repository.ts';

// The split-shipment window: low-value parcels per key decided since the window opened, the batch's
// own inventories (re-decided ones among them) left out. Counted as "window minus excluded", which
// must answer what the row-by-row exclusion answered.

let tdb: TestDatabase;
let database: Database;
before(async () => {
  tdb = await testDatabase();
  database = connect(tdb.url, { max: 2 });
  await runMigrations(database.db, MIGRATIONS);
});
after(async () => {
  await database.close();
  await tdb.drop();
});

const NOW = new Date('2026-11-28T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

async function decide(rows: { id: string; key: string; total: number; at: Date }[]): Promise<void> {
  for (const r of rows)
    await sql`
      insert into rsk_decision (inventory_id, guid, ebc_code, split_key, total, lane, hits, decided_at)
      values (${r.id}, ${randomUUID()}, 'S1', ${r.key}, ${r.total}, 'auto', '[]', ${r.at})`.execute(database.db);
}

test('split counts: the window, under the value, without the excluded ids; keys with nothing left are absent', async () => {
  const ids = Array.from({ length: 8 }, () => randomUUID());
  await decide([
    { id: ids[0]!, key: 'A', total: 100, at: hoursAgo(1) },
    { id: ids[1]!, key: 'A', total: 200, at: hoursAgo(2) },
    { id: ids[2]!, key: 'A', total: 300, at: hoursAgo(3) }, // excluded: in the batch
    { id: ids[3]!, key: 'A', total: 9_000, at: hoursAgo(1) }, // over the value
    { id: ids[4]!, key: 'A', total: 100, at: hoursAgo(30) }, // before the window
    { id: ids[5]!, key: 'B', total: 100, at: hoursAgo(1) }, // excluded: B's only parcel
    { id: ids[6]!, key: 'C', total: 100, at: hoursAgo(5) },
    { id: ids[7]!, key: 'D', total: 100, at: hoursAgo(5) }, // a key not asked for
  ]);
  const repo = createRiskRepository(database.db);
  const counts = await repo.splitCounts(['A', 'B', 'C', 'E'], hoursAgo(24), 5_000, [ids[2]!, ids[5]!, randomUUID()]);
  assert.deepEqual(Object.fromEntries(counts), { A: 2, C: 1 });
  // without exclusions every parcel of the window counts; with no value cap the large one too
  const all = await repo.splitCounts(['A', 'B'], hoursAgo(24), Infinity, []);
  assert.deepEqual(Object.fromEntries(all), { A: 4, B: 1 });
});
