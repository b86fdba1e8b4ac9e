/**
 * Logical backup and restore of the platform's database, for the embedded PostgreSQL (whose npm
 * package ships no pg_dump; a distribution's pg_dump refuses a newer server). One consistent
 * snapshot (REPEATABLE READ) of every table in `public`, streamed as gzip'd JSON lines; restore
 * applies this code's migrations to an empty database, checks they are the ones the backup was
 * taken with, and loads the rows. On a PostgreSQL server use pg_dump (docs/operations.md).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'kysely';
import type { Db } from '../kernel/db.ts';

export const BACKUP_FORMAT = 'cbec-backup/1';
const BATCH = 2_000;

interface Header {
  format: string;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

/** A sequence and its last value handed out (null: never used). */
interface SavedSequence {
  name: string;
  last: string | null;
}

export interface BackupSummary {
  tables: number;
  rows: number;
  migrations: number;
}

async function migrationList(exec: Db): Promise<string[]> {
  const r = await sql<{ m: string }>`select module || '/' || name as m from schema_migrations order by module, name`.execute(
    exec,
  );
  return r.rows.map((x) => x.m);
}

export async function backupDatabase(db: Db, file: string): Promise<BackupSummary> {
  const gz = createGzip();
  const out = createWriteStream(file, { mode: 0o600 });
  gz.pipe(out);
  const write = async (obj: unknown): Promise<void> => {
    if (!gz.write(`${JSON.stringify(obj)}\n`)) await once(gz, 'drain');
  };
  let rows = 0;
  let tableCount = 0;
  let migrations = 0;
  await db.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read read only`.execute(conn);
    try {
      const tables = (
        await sql<{ t: string }>`
          select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`.execute(conn)
      ).rows.map((x) => x.t);
      const applied = await migrationList(conn);
      migrations = applied.length;
      tableCount = tables.length;
      await write({ format: BACKUP_FORMAT, createdAt: new Date().toISOString(), migrations: applied, tables } satisfies Header);
      // A partitioned table is dumped through its parent (its partitions are not listed): the rows
      // go back through the parent into whatever partitions the restored database has.
      for (const t of tables) {
        await write({ table: t });
        await sql`declare backup_cursor no scroll cursor for select row_to_json(x)::text as j from ${sql.table(t)} x`.execute(
          conn,
        );
        for (;;) {
          const batch = await sql<{ j: string }>`fetch ${sql.raw(String(BATCH))} from backup_cursor`.execute(conn);
          for (const r of batch.rows) {
            if (!gz.write(`{"r":${r.j}}\n`)) await once(gz, 'drain');
          }
          rows += batch.rows.length;
          if (batch.rows.length < BATCH) break;
        }
        await sql`close backup_cursor`.execute(conn);
      }
      // Sequences are not rows: the ones a column owns follow its values (see restore), but a
      // standalone one (the receipt feed's clr_receipt_seq, lgx_feed_seq, certificate numbers…)
      // would start again at 1 and hand out positions and numbers already given. Every sequence's
      // last value is kept (read at the end: sequences do not roll back, so it is ≥ the snapshot's).
      const sequences = (
        await sql<SavedSequence>`
          select schemaname || '.' || sequencename as name, last_value::text as last
          from pg_sequences where schemaname = 'public' order by 1`.execute(conn)
      ).rows;
      await write({ sequences });
      await write({ end: true, rows });
    } finally {
      await sql`rollback`.execute(conn);
    }
  });
  gz.end();
  await once(out, 'close');
  return { tables: tableCount, rows, migrations };
}

/**
 * Loads a backup into a database whose migrations are already applied and which holds no rows
 * besides what migrations seed (those are replaced). Foreign keys are not checked during the load
 * (session_replication_role = replica, superuser only): the snapshot was consistent.
 */
export async function restoreDatabase(db: Db, file: string, opts: { overwrite?: boolean } = {}): Promise<BackupSummary> {
  // A restore replaces every row: refuse a database that is in use unless told to overwrite it.
  const users = await sql<{ n: number }>`select count(*)::int as n from app_user`.execute(db);
  if ((users.rows[0]?.n ?? 0) > 0 && !opts.overwrite) {
    throw new Error(
      'the database is not empty; restore into a fresh DATA_DIR or database (or pass --overwrite to replace every row)',
    );
  }
  let header: Header | undefined;
  let table: string | undefined;
  let columns: string[] = [];
  let batch: unknown[] = [];
  let rows = 0;
  let ended = false;
  let saved: SavedSequence[] = [];
  await db.connection().execute(async (conn) => {
    const flush = async (): Promise<void> => {
      if (!table || batch.length === 0) return;
      const cols = sql.join(columns.map((c) => sql.ref(c)));
      await sql`insert into ${sql.table(table)} (${cols}) overriding system value
        select ${cols} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(batch)}::json)`.execute(conn);
      rows += batch.length;
      batch = [];
    };
    await sql`begin`.execute(conn);
    try {
      await sql`set local session_replication_role = replica`.execute(conn);
      // Opened only now: readline emits lines from the first tick, and the loop must be there to take them.
      const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        const obj = JSON.parse(line) as Record<string, unknown>;
        if (!header) {
          header = obj as unknown as Header;
          if (header.format !== BACKUP_FORMAT) throw new Error(`not a CBEC Window backup (format ${String(header.format)})`);
          const here = await migrationList(conn);
          const missing = header.migrations.filter((m) => !here.includes(m));
          const extra = here.filter((m) => !header!.migrations.includes(m));
          if (missing.length || extra.length) {
            throw new Error(
              `the backup was taken with other migrations (missing here: ${missing.join(', ') || '-'}; not in the backup: ${extra.join(', ') || '-'}); restore with the version that made it`,
            );
          }
          for (const t of header.tables) await sql`truncate ${sql.table(t)} cascade`.execute(conn);
          continue;
        }
        if ('table' in obj) {
          await flush();
          table = obj.table as string;
          // Generated columns are computed again; every other column is loaded as it was.
          columns = (
            await sql<{ c: string }>`
              select column_name as c from information_schema.columns
              where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER' order by ordinal_position`.execute(
              conn,
            )
          ).rows.map((x) => x.c);
          continue;
        }
        if ('r' in obj) {
          batch.push(obj.r);
          if (batch.length >= BATCH) await flush();
          continue;
        }
        if ('sequences' in obj) {
          saved = obj.sequences as SavedSequence[];
          continue;
        }
        if ('end' in obj) {
          await flush();
          if (obj.rows !== rows) throw new Error(`backup truncated or damaged: ${rows} rows read, ${String(obj.rows)} written`);
          ended = true;
        }
      }
      if (!header || !ended) throw new Error('backup incomplete: no end marker');
      await restoreSequences(conn, saved);
      await sql`commit`.execute(conn);
    } catch (e) {
      await sql`rollback`.execute(conn);
      throw e;
    }
  });
  return { tables: header?.tables.length ?? 0, rows, migrations: header?.migrations.length ?? 0 };
}

/**
 * Every sequence continues after the largest of: its value in the backup, its value here (an
 * overwritten database may have gone further; a client may hold a feed position from it), and
 * the largest value of the columns it serves. Backups made before sequences were saved carry
 * none: their standalone sequences keep this database's values.
 */
async function restoreSequences(conn: Db, saved: SavedSequence[]): Promise<void> {
  const inBackup = new Map(saved.map((q) => [q.name, q.last === null ? 0n : BigInt(q.last)]));
  const here = await sql<{ name: string; last: string | null }>`
    select schemaname || '.' || sequencename as name, last_value::text as last
    from pg_sequences where schemaname = 'public' order by 1`.execute(conn);
  const owners = await sql<{ t: string; c: string; s: string }>`
    select table_name as t, column_name as c, pg_get_serial_sequence(quote_ident(table_name), column_name) as s
    from information_schema.columns
    where table_schema = 'public' and pg_get_serial_sequence(quote_ident(table_name), column_name) is not null`.execute(conn);
  for (const q of here.rows) {
    let target = inBackup.get(q.name) ?? 0n;
    if (q.last !== null && BigInt(q.last) > target) target = BigInt(q.last);
    for (const o of owners.rows.filter((x) => x.s === q.name)) {
      const m = await sql<{ m: string | null }>`select max(${sql.ref(o.c)})::text as m from ${sql.table(o.t)}`.execute(conn);
      const max = m.rows[0]?.m;
      if (max != null && BigInt(max) > target) target = BigInt(max);
    }
    if (target >= 1n) await sql`select setval(${q.name}::regclass, ${target.toString()}::bigint, true)`.execute(conn);
    else await sql`select setval(${q.name}::regclass, 1, false)`.execute(conn);
  }
}
