import { sql } from 'kysely';
import type { Db } from '../../src/kernel/db.ts';

/**
 * Bookkeeping columns a request may write without storing anything: a session's last-seen time
 * (touched at most every quarter of the idle limit) and an API key's last use.
 */
export const VOLATILE_COLUMNS: Record<string, string[]> = {
  user_session: ['last_seen_at'],
  api_key: ['last_used_at'],
};

/**
 * Every row of every table in `public`, hashed: table → "rows:hash:columns" (as src/server/backup.test.ts
 * compares a restored database). Two equal fingerprints: nothing was stored, changed or deleted
 * anywhere, not only in the tables a test thought of. Sequences are not rows and are left out.
 */
export async function databaseFingerprint(
  db: Db,
  ignore: Record<string, string[]> = VOLATILE_COLUMNS,
): Promise<Record<string, string>> {
  const tables = await sql<{ t: string; cols: number }>`
    select t.table_name as t, (select count(*)::int from information_schema.columns c
      where c.table_schema = 'public' and c.table_name = t.table_name) as cols
    from information_schema.tables t where t.table_schema = 'public' and t.table_type = 'BASE TABLE' order by 1`.execute(db);
  const out: Record<string, string> = {};
  for (const { t, cols } of tables.rows) {
    const drop = ignore[t] ?? [];
    const row = drop.length ? sql`to_jsonb(x) - ${sql.val(drop)}::text[]` : sql`to_jsonb(x)`;
    const r = await sql<{ h: string | null; n: number }>`
      select md5(string_agg(md5((${row})::text), '' order by md5((${row})::text))) as h, count(*)::int as n
      from ${sql.table(t)} x`.execute(db);
    out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}:${cols}`;
  }
  return out;
}

/** The tables whose fingerprints differ, for a readable failure. */
export function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]).sort();
}
