import { sql, type Executor } from '../../kernel/db.ts';

export interface CodeRow {
  code: string;
  org_id: string;
  ebc_code: string;
  seller_name: string;
  kind: 'unit' | 'batch';
  batch_no: string;
  quantity: number;
  item_no: string;
  product_name: string;
  product_name_en: string | null;
  product_names: Record<string, string>;
  hs_code: string | null;
  origin: string | null;
  created_at: Date;
}

export interface EventRow {
  id?: number;
  code: string;
  kind: 'producer' | 'filing' | 'warehouse' | 'inspection' | 'departure' | 'delivery';
  at: Date;
  place: string | null;
  country: string | null;
  note: string | null;
  actor_org_id: string | null;
  /** a departure's destination country (customs code, 运抵国); null on other links */
  destination?: string | null;
}

export function createTraceRepository(exec: Executor) {
  return {
    async insertCodes(rows: CodeRow[]): Promise<void> {
      if (rows.length)
        await exec
          .insertInto('tr_code')
          .values(rows.map((r) => ({ ...r, product_names: JSON.stringify(r.product_names) })))
          .execute();
    },
    async insertEvents(rows: EventRow[]): Promise<void> {
      if (rows.length) await exec.insertInto('tr_event').values(rows).execute();
    },
    async code(code: string): Promise<CodeRow | undefined> {
      return (await exec.selectFrom('tr_code').selectAll().where('code', '=', code).executeTakeFirst()) as CodeRow | undefined;
    },
    async codesOf(orgId: string, limit: number): Promise<CodeRow[]> {
      return (await exec
        .selectFrom('tr_code')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('code')
        .limit(limit)
        .execute()) as CodeRow[];
    },
    async events(code: string): Promise<EventRow[]> {
      return (await exec
        .selectFrom('tr_event')
        .selectAll()
        .where('code', '=', code)
        .orderBy('at')
        .orderBy('id')
        .execute()) as EventRow[];
    },
    /**
     * Where the code's goods went, as recorded on its chain: the country of the latest delivery
     * (ISO alpha-2, the seller's word), and the destination customs recorded for the latest departure.
     */
    async destinations(code: string): Promise<{ delivered: string | null; departedTo: string | null }> {
      const r = await sql<{ delivered: string | null; departed_to: string | null }>`
        select (select country from tr_event where code = ${code} and kind = 'delivery' and country is not null
                 order by at desc, id desc limit 1) as delivered,
               (select destination from tr_event where code = ${code} and kind = 'departure' and destination is not null
                 order by at desc, id desc limit 1) as departed_to`.execute(exec);
      return { delivered: r.rows[0]?.delivered ?? null, departedTo: r.rows[0]?.departed_to ?? null };
    },
    /** Stores a scan unless this client scanned this code on this day already; answers whether it counted. */
    async addScan(scan: { code: string; at: Date; country: string; day: string; clientHash: Buffer | null }): Promise<boolean> {
      const r = await sql<{ id: string }>`
        insert into tr_scan (code, at, country, day, client_hash)
        values (${scan.code}, ${scan.at}, ${scan.country}, ${scan.day}::date, ${scan.clientHash})
        on conflict (code, day, client_hash) do nothing returning id`.execute(exec);
      return r.rows.length > 0;
    },
    /** The salt of `day` (the first caller's candidate wins); salts before yesterday are forgotten. */
    async daySalt(day: string, candidate: Buffer): Promise<Buffer> {
      await sql`insert into tr_scan_salt (day, salt) values (${day}::date, ${candidate}) on conflict (day) do nothing`.execute(
        exec,
      );
      await sql`delete from tr_scan_salt where day < ${day}::date - 1`.execute(exec);
      const r = await sql<{ salt: Buffer }>`select salt from tr_scan_salt where day = ${day}::date`.execute(exec);
      return r.rows[0]!.salt;
    },
    async scanSummary(code: string, since: Date): Promise<{ scans: number; countries: string[] }> {
      const r = await sql<{ scans: number; countries: string[] }>`
        select count(*)::int as scans, coalesce(array_agg(distinct country) filter (where country <> 'ZZ'), '{}') as countries
        from tr_scan where code = ${code} and at >= ${since}`.execute(exec);
      return r.rows[0] ?? { scans: 0, countries: [] };
    },
  };
}
