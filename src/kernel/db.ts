import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { namePooledClient, preparedStatementNamer } from './prepared-statements.ts';

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

export function connect(
  url: string,
  opts: { max?: number; applicationName?: string; preparedStatements?: boolean } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'cbec-window',
    idleTimeoutMillis: 30_000,
    // JIT off for the platform's sessions: the pipeline's batch statements (thousands of ids in an
    // array) cross the planner's jit_above_cost and paid 50–200 ms of compilation each, every
    // batch; offered 1,000 parcels/s, p99 submit→decision fell from 1.2 s to 0.4 s without it.
    // A URL that sets `options` itself keeps its own.
    // Named statements are planned afresh at every execution (ADR 0027): a generic plan cannot see
    // how many ids a batch's array holds, and chose scans that made a benchmark run 25 % slower.
    ...(/[?&]options=/.test(url)
      ? {}
      : { options: opts.preparedStatements === false ? '-c jit=off' : '-c jit=off -c plan_cache_mode=force_custom_plan' }),
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Recurring statements go as named statements (ADR 0027); PREPARED_STATEMENTS=0 turns it off.
  const namer = opts.preparedStatements === false ? null : preparedStatementNamer();
  const kyselyPool = namer ? { connect: async () => namePooledClient(await pool.connect(), namer), end: () => pool.end() } : pool;
  const db: Db = new Kysely<AnyTables>({ dialect: new PostgresDialect({ pool: kyselyPool }) });
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
