import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { Logger } from './logger.ts';

/**
 * Forward-only SQL migrations, owned by each module: `<module dir>/migrations/NNN_name.sql`,
 * applied in the order modules are listed in the composition root, then by file name. A file
 * that was applied and later edited is an error: fix forward with a new file.
 */
export interface MigrationSource {
  module: string;
  dir: string;
}

export interface MigrationResult {
  applied: { module: string; name: string }[];
  alreadyApplied: number;
}

// Any stable 64-bit number: serialises concurrent starters (several API processes, CLI).
const MIGRATION_LOCK = 4_242_610_001;

export async function runMigrations(db: Db, sources: MigrationSource[], log?: Logger): Promise<MigrationResult> {
  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (
        module text not null,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (module, name)
      )`.execute(conn);
      const done = await sql<{ module: string; name: string; checksum: string }>`
        select module, name, checksum from schema_migrations`.execute(conn);
      const known = new Map(done.rows.map((r) => [`${r.module}/${r.name}`, r.checksum]));
      for (const src of sources) {
        const files = (await readdir(src.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
        for (const name of files) {
          const text = await readFile(path.join(src.dir, name), 'utf8');
          const checksum = createHash('sha256').update(text).digest('hex');
          const prior = known.get(`${src.module}/${name}`);
          if (prior !== undefined) {
            if (prior !== checksum) {
              throw new Error(
                `迁移文件 ${src.module}/${name} 已执行后被修改 / migration ${src.module}/${name} was changed after it ran; ` +
                  'migrations are forward-only: add a new file instead',
              );
            }
            result.alreadyApplied++;
            continue;
          }
          await conn.transaction().execute(async (trx) => {
            await sql.raw(text).execute(trx);
            await sql`insert into schema_migrations (module, name, checksum) values (${src.module}, ${name}, ${checksum})`.execute(
              trx,
            );
          });
          log?.info({ module: src.module, migration: name }, 'migration applied');
          result.applied.push({ module: src.module, name });
        }
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
  return result;
}

export function migrationsDir(moduleUrl: string): string {
  return path.join(path.dirname(new URL(moduleUrl).pathname), 'migrations');
}
