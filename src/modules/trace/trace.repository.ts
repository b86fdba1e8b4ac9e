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
  /** the customs office the product was filed with (agencies' jurisdiction check); null on old codes without a filing office */
  jurisdiction?: string | null;
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
  /** an inspection link's result; null on other links (and on inspection links older than the column) */
  result?: 'pass' | 'fail' | null;
  /** where the link came from: seller, filing, warehouse, customs, inspection, agency, logistics */
  source?: EventSource | null;
  /** the parcel the link is about */
  logistics_no?: string | null;
  /** the source record's key: a record is a link of a chain once */
  ref?: string | null;
}

export type EventSource = 'seller' | 'filing' | 'warehouse' | 'customs' | 'inspection' | 'agency' | 'logistics';

/** A parcel carrying a code's goods, linked when the seller named it on a link. */
export interface ParcelLinkRow {
  code: string;
  inventory_id: string;
  logistics_no: string;
  waybill_key: string;
  linked_at: Date;
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
    /** Inserts links; one whose source record (ref) is on the code's chain already is skipped. Answers how many were added. */
    async insertEvents(rows: EventRow[]): Promise<number> {
      if (!rows.length) return 0;
      const added = await exec
        .insertInto('tr_event')
        .values(rows)
        .onConflict((oc) => oc.columns(['code', 'ref']).doNothing())
        .returning('id')
        .execute();
      return added.length;
    },
    /** Links parcels to codes (again: nothing changes). */
    async linkParcels(rows: ParcelLinkRow[]): Promise<void> {
      if (rows.length)
        await exec
          .insertInto('tr_parcel')
          .values(rows)
          .onConflict((oc) => oc.columns(['code', 'inventory_id']).doNothing())
          .execute();
    },
    /** The codes whose goods travel in these inventories' parcels. */
    async linkedTo(inventoryIds: string[]): Promise<ParcelLinkRow[]> {
      if (!inventoryIds.length) return [];
      return (await exec
        .selectFrom('tr_parcel')
        .selectAll()
        .where('inventory_id', 'in', [...new Set(inventoryIds)])
        .orderBy('code')
        .execute()) as ParcelLinkRow[];
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
    /** A seller's codes of one batch (and product, when given), oldest first. */
    async codesOfBatch(orgId: string, batchNo: string, itemNo: string | undefined, limit: number): Promise<CodeRow[]> {
      let q = exec.selectFrom('tr_code').selectAll().where('org_id', '=', orgId).where('batch_no', '=', batchNo);
      if (itemNo) q = q.where('item_no', '=', itemNo);
      return (await q.orderBy('created_at').orderBy('code').limit(limit).execute()) as CodeRow[];
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
    /**
     * Scans within the window: their number and countries; and where the goods went — the
     * countries of the code's deliveries (ISO alpha-2) and its departures' destinations (customs
     * codes) — with the countries it was scanned in since it first left (unknown ZZ left out).
     */
    async scanSummary(
      code: string,
      since: Date,
    ): Promise<{
      scans: number;
      countries: string[];
      went: { delivered: string[]; departedTo: string[] };
      sinceDeparture: string[];
    }> {
      const r = await sql<{
        scans: number;
        countries: string[];
        delivered: string[];
        departed_to: string[];
        since_departure: string[];
      }>`
        with left_at as (select min(at) as at from tr_event where code = ${code} and kind = 'departure')
        select count(*) filter (where s.at >= ${since})::int as scans,
               coalesce(array_agg(distinct s.country) filter (where s.at >= ${since} and s.country <> 'ZZ'), '{}') as countries,
               coalesce(array_agg(distinct s.country) filter (where s.at >= ${since} and s.at >= l.at and s.country <> 'ZZ'), '{}') as since_departure,
               array(select distinct country from tr_event where code = ${code} and kind = 'delivery' and country is not null
                     order by 1) as delivered,
               array(select distinct destination from tr_event where code = ${code} and kind = 'departure' and destination is not null
                     order by 1) as departed_to
          from left_at l left join tr_scan s on s.code = ${code}`.execute(exec);
      const x = r.rows[0];
      return {
        scans: x?.scans ?? 0,
        countries: x?.countries ?? [],
        went: { delivered: x?.delivered ?? [], departedTo: x?.departed_to ?? [] },
        sinceDeparture: x?.since_departure ?? [],
      };
    },
  };
}
