import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';

// numeric (money, quantities) stays a string: never a JS float. int8 counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/**
 * Kernel tables only; each module adds its own with `db.withTables<ModuleTables>()`, so no
 * module imports another's table types (each module owns its tables).
 */
export interface KernelTables {
  schema_migrations: { module: string; name: string; checksum: string; applied_at: Date };
}

// Modules own their tables, so the shared handle is untyped; `tables<T>()` gives a module its typed view.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTables = any;
export type Db = Kysely<AnyTables>;
/** A database handle or a transaction: repositories accept either. */
export type Executor = Kysely<AnyTables> | Transaction<AnyTables>;

export function tables<T>(exec: Executor): Kysely<T> {
  return exec as Kysely<T>;
}

export interface Database {
  db: Db;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export function connect(url: string, opts: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'cbec-window',
    idleTimeoutMillis: 30_000,
    // JIT off for the platform's sessions: the pipeline's batch statements (thousands of ids in an
    // array) cross the planner's jit_above_cost and paid 50–200 ms of compilation each, every
    // batch; offered 1,000 parcels/s, p99 submit→decision fell from 1.2 s to 0.4 s without it.
    // A URL that sets `options` itself keeps its own.
    ...(/[?&]options=/.test(url) ? {} : { options: '-c jit=off' }),
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db: Db = new Kysely<AnyTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    async close() {
      await db.destroy();
    },
  };
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

export { sql };
