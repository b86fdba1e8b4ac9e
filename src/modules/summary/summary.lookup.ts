import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../kernel/db.ts';
import { clearanceLookup, closedInventoryLines, inventoryCollections } from '../clearance/index.ts';
import { periodBounds } from './rules/deadline.rules.ts';

/** A formed export declaration (报关单) as tax, forex and evidence modules read it. */
export interface DeclarationRecord {
  id: string;
  applicationId: string;
  orgId: string;
  ebcCode: string;
  ebcName: string;
  period: string;
  /** goods left in the period: its last day stands for the exit date */
  exitDay: string;
  /** 申报海关: the declaration's own office (officers' lookups filter by it) */
  customsCode: string;
  declSeqNo: string;
  entryId: string;
  inventoryCount: number;
  lines: { lineNo: number; gcode: string; gname: string; currency: string; qty: string; totalPrice: string }[];
  /** CEB403 collections of the declaration's orders, per currency */
  received: Record<string, string>;
  lastReceiptDay: string | null;
}

/** A summary export declaration as an overseas warehouse consignment checks it (issue 7). */
export interface ExportDeclarationRef {
  id: string;
  entryId: string;
  orgId: string;
  ebcCode: string;
  formedAt: Date;
  /** the closed inventories (clearance document ids) that fed it */
  inventoryIds: string[];
  /** trade modes of the inventories that fed it */
  tradeModes: string[];
  inventoryCount: number;
  /** how many of them customs released (all, once the declaration is formed from closed inventories) */
  releasedInventories: number;
  /** the earliest release among them: the one-year return window runs from it */
  firstReleasedAt: Date | null;
}

/** A declaration line that differs from the closed inventory lines that fed it. */
export interface CustomsDifference {
  lineNo: number;
  /** lines: declared = inventory lines its lineage names, customs = how many of them are closed (899) lines */
  field: 'gcode' | 'currency' | 'qty' | 'totalPrice' | 'lines';
  declared: string;
  customs: string;
}

/**
 * What the refund copy of a declaration (报关单退税联, issue 6) needs beyond DeclarationRecord: the
 * head (transport mode, country of arrival, exit port, producer, weights), each line's unit and
 * final destination, and when the goods really left — the latest closing (899, on departure) of
 * the inventories it was formed from (null while none is closed).
 */
export interface DeclarationExitFacts {
  trafMode: string;
  country: string;
  portCode: string;
  ownerCode: string;
  grossWeight: string;
  netWeight: string;
  exitAt: Date | null;
  lines: { lineNo: number; unit: string; country: string }[];
}

const lastDayOf = (period: string): string => {
  const d = new Date(`${periodBounds(period).to}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

let cursorSeq = 0;

/** A query's rows in pages through a server-side cursor (inside the caller's transaction), closed at the end. */
async function* cursorPages<R>(exec: Executor, query: RawBuilder<unknown>, pageSize: number): AsyncGenerator<R[]> {
  const name = sql.raw(`sum_pages_${++cursorSeq}`);
  const size = sql.raw(String(Math.max(1, Math.floor(pageSize))));
  await sql`declare ${name} no scroll cursor for ${query}`.execute(exec);
  try {
    for (;;) {
      const page = (await sql<R>`fetch forward ${size} from ${name}`.execute(exec)).rows;
      if (page.length) yield page;
      if (page.length < Math.max(1, Math.floor(pageSize))) return;
    }
  } finally {
    // After a failed statement the transaction is aborted and rolls back, cursor and all: the
    // close may fail then, and must not hide the error that ended the loop.
    await sql`close ${name}`.execute(exec).catch(() => undefined);
  }
}

/** What other modules may ask of summary declarations, batch-first (3 statements per page). */
export function summaryLookup(exec: Executor) {
  async function onTimeCounts(ebcCodes: string[], since: Date): Promise<Map<string, { total: number; onTime: number }>> {
    if (ebcCodes.length === 0) return new Map();
    const r = await sql<{ ebc_code: string; total: number; on_time: number }>`
      select ebc_code, count(*)::int as total,
        count(*) filter (where (submitted_at at time zone 'Asia/Shanghai')::date <= deadline)::int as on_time
      from sum_application
      where ebc_code = any(${[...new Set(ebcCodes)]}::text[]) and status <> 'cancelled' and created_at >= ${since}
      group by ebc_code`.execute(exec);
    return new Map(r.rows.map((x) => [x.ebc_code, { total: x.total, onTime: x.on_time }]));
  }
  return {
    /** Inventory lines that fed a declaration (first `limit`), in result order. */
    async lineage(
      declarationId: string,
      limit: number,
    ): Promise<{ lineNo: number; inventoryId: string; invtNo: string; gnum: number; logisticsNo: string; gcode: string }[]> {
      const r = await sql<{
        line_no: number;
        inventory_id: string;
        invt_no: string;
        gnum: number;
        logistics_no: string;
        gcode: string;
      }>`
        select line_no, inventory_id, invt_no, gnum, logistics_no, gcode from sum_lineage
        where declaration_id = ${declarationId} order by line_no, invt_no, gnum limit ${limit}`.execute(exec);
      return r.rows.map((x) => ({
        lineNo: x.line_no,
        inventoryId: x.inventory_id,
        invtNo: x.invt_no,
        gnum: x.gnum,
        logisticsNo: x.logistics_no,
        gcode: x.gcode,
      }));
    },

    /**
     * All of a declaration's lineage in pages of `pageSize` rows, in the order of `lineage`, read
     * through a cursor so a declaration of any size is read once with bounded memory (evidence
     * packs). `exec` must be a transaction; stop early and the cursor is closed.
     */
    async *lineagePages(
      declarationId: string,
      pageSize: number,
    ): AsyncGenerator<
      { lineNo: number; inventoryId: string; invtNo: string; gnum: number; logisticsNo: string; gcode: string }[]
    > {
      for await (const rows of cursorPages<{
        line_no: number;
        inventory_id: string;
        invt_no: string;
        gnum: number;
        logistics_no: string;
        gcode: string;
      }>(
        exec,
        sql`select line_no, inventory_id, invt_no, gnum, logistics_no, gcode from sum_lineage
          where declaration_id = ${declarationId} order by line_no, invt_no, gnum`,
        pageSize,
      ))
        yield rows.map((x) => ({
          lineNo: x.line_no,
          inventoryId: x.inventory_id,
          invtNo: x.invt_no,
          gnum: x.gnum,
          logisticsNo: x.logistics_no,
          gcode: x.gcode,
        }));
    },

    /** The inventories that fed a declaration, in pages ordered by invtNo, as `lineagePages` reads them. */
    async *inventoryPages(declarationId: string, pageSize: number): AsyncGenerator<{ inventoryId: string; invtNo: string }[]> {
      for await (const rows of cursorPages<{ inventory_id: string; invt_no: string }>(
        exec,
        sql`select distinct inventory_id, invt_no from sum_lineage where declaration_id = ${declarationId} order by invt_no, inventory_id`,
        pageSize,
      ))
        yield rows.map((x) => ({ inventoryId: x.inventory_id, invtNo: x.invt_no }));
    },

    /** Which declaration line each line of these inventories fed (cancelled applications excluded). */
    async inventoryLineage(
      inventoryIds: readonly string[],
    ): Promise<{ inventoryId: string; gnum: number; declarationId: string; entryId: string; lineNo: number }[]> {
      if (!inventoryIds.length) return [];
      const r = await sql<{ inventory_id: string; gnum: number; declaration_id: string; entry_id: string; line_no: number }>`
        select l.inventory_id, l.gnum, l.declaration_id, d.entry_id, l.line_no
        from sum_lineage l
        join sum_declaration d on d.id = l.declaration_id
        join sum_application a on a.id = d.application_id and a.status <> 'cancelled'
        where l.inventory_id = any(${[...inventoryIds]}::uuid[]) order by l.inventory_id, l.gnum`.execute(exec);
      return r.rows.map((x) => ({
        inventoryId: x.inventory_id,
        gnum: x.gnum,
        declarationId: x.declaration_id,
        entryId: x.entry_id,
        lineNo: x.line_no,
      }));
    },

    /**
     * The orders (orderNo of the inventory head) of the closed inventories that fed each
     * declaration: what forex matches a receipt's orderNo against (issue 6).
     */
    async declaredOrders(
      declarationIds: readonly string[],
    ): Promise<{ declarationId: string; inventoryId: string; invtNo: string; orderNo: string }[]> {
      if (!declarationIds.length) return [];
      const r = await sql<{ declaration_id: string; inventory_id: string; invt_no: string }>`
        select distinct declaration_id, inventory_id, invt_no from sum_lineage
        where declaration_id = any(${[...declarationIds]}::uuid[]) order by declaration_id, invt_no`.execute(exec);
      const orders = await clearanceLookup(exec).orderNos(r.rows.map((x) => x.inventory_id));
      return r.rows.flatMap((x) => {
        const orderNo = orders.get(x.inventory_id) ?? '';
        return orderNo ? [{ declarationId: x.declaration_id, inventoryId: x.inventory_id, invtNo: x.invt_no, orderNo }] : [];
      });
    },

    /**
     * Each declaration line against the customs data it came from: the closed (899) inventory lines
     * its lineage names, summed (quantity, value) and compared (HS code, currency). Declarations
     * that agree are absent; one statement per batch after the lineage's inventory ids.
     */
    async customsDifferences(declarationIds: readonly string[]): Promise<Map<string, CustomsDifference[]>> {
      const out = new Map<string, CustomsDifference[]>();
      if (!declarationIds.length) return out;
      const ids = [...declarationIds];
      const inv = await sql<{ inventory_id: string }>`
        select distinct inventory_id from sum_lineage where declaration_id = any(${ids}::uuid[])`.execute(exec);
      const src = closedInventoryLines({ inventoryIds: inv.rows.map((x) => x.inventory_id) });
      const r = await sql<{
        declaration_id: string;
        line_no: number;
        gcode: string;
        currency: string;
        qty: string;
        total_price: string;
        fed: number;
        found: number;
        src_gcodes: string | null;
        src_currencies: string | null;
        src_qty: string;
        src_total: string;
      }>`
        with src as (${src}),
        fed as (
          -- a line keyed on the declared unit (2014/2016) sums declared quantities, otherwise (194号)
          -- quantities in the first legal unit
          select l.declaration_id, l.line_no, count(*)::int as fed, count(s.inventory_id)::int as found,
            string_agg(distinct s.gcode, ',') as src_gcodes, string_agg(distinct s.currency, ',') as src_currencies,
            trim_scale(round(coalesce(sum(case when dl.line_key ? 'unit' then s.qty else s.qty1 end), 0), 5))::text as src_qty,
            trim_scale(round(coalesce(sum(s.total_price), 0), 5))::text as src_total
          from sum_lineage l
          join sum_declaration_line dl on dl.declaration_id = l.declaration_id and dl.line_no = l.line_no
          left join src s on s.inventory_id = l.inventory_id and s.gnum = l.gnum
          where l.declaration_id = any(${ids}::uuid[])
          group by l.declaration_id, l.line_no)
        select d.declaration_id, d.line_no, d.gcode, d.currency, trim_scale(d.qty)::text as qty,
          trim_scale(d.total_price)::text as total_price, coalesce(f.fed, 0) as fed, coalesce(f.found, 0) as found,
          f.src_gcodes, f.src_currencies, coalesce(f.src_qty, '0') as src_qty, coalesce(f.src_total, '0') as src_total
        from sum_declaration_line d left join fed f on f.declaration_id = d.declaration_id and f.line_no = d.line_no
        where d.declaration_id = any(${ids}::uuid[])
        order by 1, 2`.execute(exec);
      for (const x of r.rows) {
        const diffs: CustomsDifference[] = [];
        const add = (field: CustomsDifference['field'], declared: string, customs: string) =>
          diffs.push({ lineNo: x.line_no, field, declared, customs });
        if (x.fed === 0 || x.found < x.fed) add('lines', String(x.fed), String(x.found));
        else {
          if (x.src_gcodes !== x.gcode) add('gcode', x.gcode, x.src_gcodes ?? '');
          if (x.src_currencies !== x.currency) add('currency', x.currency, x.src_currencies ?? '');
          if (x.qty !== x.src_qty) add('qty', x.qty, x.src_qty);
          if (x.total_price !== x.src_total) add('totalPrice', x.total_price, x.src_total);
        }
        if (diffs.length) out.set(x.declaration_id, [...(out.get(x.declaration_id) ?? []), ...diffs]);
      }
      return out;
    },

    /**
     * Summary export declarations (报关单) by entryId, as an overseas warehouse consignment names one
     * (issue 7): the consignor, and from the closed inventories that fed it (lineage) their trade
     * modes and release times as clearance holds them. Cancelled applications are absent.
     */
    async exportDeclarations(entryIds: readonly string[]): Promise<ExportDeclarationRef[]> {
      const nos = [...new Set(entryIds)];
      if (!nos.length) return [];
      const heads = await sql<{ id: string; entry_id: string; org_id: string; ebc_code: string; created_at: Date }>`
        select d.id, d.entry_id, a.org_id, a.ebc_code, d.created_at
        from sum_declaration d join sum_application a on a.id = d.application_id
        where d.entry_id = any(${nos}::text[]) and a.status <> 'cancelled'`.execute(exec);
      if (!heads.rows.length) return [];
      const fed = await sql<{ declaration_id: string; inventory_id: string }>`
        select distinct declaration_id, inventory_id from sum_lineage
        where declaration_id = any(${heads.rows.map((h) => h.id)}::uuid[])`.execute(exec);
      const inv = new Map(
        (await clearanceLookup(exec).inventoryReleases({ ids: fed.rows.map((f) => f.inventory_id) })).map((i) => [i.id, i]),
      );
      return heads.rows.map((h) => {
        const mine = fed.rows.filter((f) => f.declaration_id === h.id).map((f) => inv.get(f.inventory_id));
        const released = mine.flatMap((i) => (i?.releasedAt ? [i.releasedAt.getTime()] : []));
        return {
          id: h.id,
          entryId: h.entry_id,
          orgId: h.org_id,
          ebcCode: h.ebc_code,
          formedAt: h.created_at,
          inventoryIds: fed.rows.filter((f) => f.declaration_id === h.id).map((f) => f.inventory_id),
          tradeModes: [...new Set(mine.flatMap((i) => (i ? [i.tradeMode] : [])))].sort(),
          inventoryCount: mine.length,
          releasedInventories: released.length,
          firstReleasedAt: released.length ? new Date(Math.min(...released)) : null,
        };
      });
    },

    /**
     * `${orgId}|${entryId}` among `pairs` that name a summary export declaration of that
     * organisation (cancelled applications absent), in one statement: forex checks the declaration
     * an RMB settlement gives as trade evidence (issue 6).
     */
    async ownEntryIds(pairs: readonly { orgId: string; entryId: string }[]): Promise<Set<string>> {
      if (!pairs.length) return new Set();
      const r = await sql<{ k: string }>`
        select distinct q.org_id::text || '|' || q.entry_id as k
        from unnest(${pairs.map((x) => x.orgId)}::uuid[], ${pairs.map((x) => x.entryId)}::text[]) as q(org_id, entry_id)
        join sum_declaration d on d.entry_id = q.entry_id
        join sum_application a on a.id = d.application_id and a.org_id = q.org_id and a.status <> 'cancelled'`.execute(exec);
      return new Set(r.rows.map((x) => x.k));
    },

    /**
     * Share of each seller's summary applications (not cancelled, created since a date) submitted
     * on or before their deadline, China Standard Time (credit factor `summary_on_time`, issue 8);
     * sellers without applications are absent.
     */
    async onTimeRates(ebcCodes: string[], since: Date): Promise<Map<string, number>> {
      const counts = await onTimeCounts(ebcCodes, since);
      return new Map([...counts].map(([code, x]) => [code, x.onTime / x.total]));
    },

    /**
     * The counts `onTimeRates` divides, per code as the applications name the seller: credit adds
     * them up over an enterprise's customs code and USCC (issue 8).
     */
    onTimeCounts,

    /** Refund-copy facts of declarations (see DeclarationExitFacts): three statements per batch. */
    async exitFacts(declarationIds: readonly string[]): Promise<Map<string, DeclarationExitFacts>> {
      const ids = [...new Set(declarationIds)];
      if (!ids.length) return new Map();
      const heads = await sql<{
        id: string;
        traf_mode: string | null;
        country: string | null;
        port_code: string | null;
        owner_code: string | null;
        gross_weight: string;
        net_weight: string;
      }>`
        select id, traf_mode, country, port_code, owner_code, trim_scale(gross_weight)::text as gross_weight,
          trim_scale(net_weight)::text as net_weight
        from sum_declaration where id = any(${ids}::uuid[])`.execute(exec);
      const lines = await sql<{ declaration_id: string; line_no: number; unit: string; country: string }>`
        select declaration_id, line_no, unit, country from sum_declaration_line
        where declaration_id = any(${ids}::uuid[]) order by declaration_id, line_no`.execute(exec);
      const fed = await sql<{ declaration_id: string; inventory_id: string }>`
        select distinct declaration_id, inventory_id from sum_lineage where declaration_id = any(${ids}::uuid[])`.execute(exec);
      const closed = new Map(
        (await clearanceLookup(exec).inventoryReleases({ ids: fed.rows.map((f) => f.inventory_id) })).map((i) => [
          i.id,
          i.closedAt,
        ]),
      );
      const exitAt = new Map<string, Date>();
      for (const f of fed.rows) {
        const at = closed.get(f.inventory_id);
        const seen = exitAt.get(f.declaration_id);
        if (at && (!seen || at > seen)) exitAt.set(f.declaration_id, at);
      }
      return new Map(
        heads.rows.map((h) => [
          h.id,
          {
            trafMode: h.traf_mode ?? '',
            country: h.country ?? '',
            portCode: h.port_code ?? '',
            ownerCode: h.owner_code ?? '',
            grossWeight: h.gross_weight,
            netWeight: h.net_weight,
            exitAt: exitAt.get(h.id) ?? null,
            lines: lines.rows
              .filter((l) => l.declaration_id === h.id)
              .map((l) => ({ lineNo: l.line_no, unit: l.unit, country: l.country })),
          },
        ]),
      );
    },

    async declarations(f: {
      orgId?: string;
      /** sellers' customs codes (issue 8: forex receipt rates for credit) */
      ebcCodes?: readonly string[];
      /** officers: declarations lodged at their office (the declaration's own customs code) */
      customsPrefix?: string;
      ids?: readonly string[];
      limit: number;
    }): Promise<DeclarationRecord[]> {
      const heads = await sql<{
        id: string;
        application_id: string;
        org_id: string;
        ebc_code: string;
        ebc_name: string;
        period: string;
        customs_code: string;
        decl_seq_no: string;
        entry_id: string;
        inventory_count: number;
      }>`
        select d.id, d.application_id, a.org_id, a.ebc_code, a.ebc_name, a.period,
          coalesce(d.customs_code, a.customs_code) as customs_code, d.decl_seq_no, d.entry_id, d.inventory_count
        from sum_declaration d join sum_application a on a.id = d.application_id
        where a.status <> 'cancelled'
          ${f.orgId ? sql`and a.org_id = ${f.orgId}` : sql``}
          ${f.ebcCodes ? sql`and a.ebc_code = any(${[...f.ebcCodes]}::text[])` : sql``}
          ${f.customsPrefix !== undefined ? sql`and coalesce(d.customs_code, a.customs_code) like ${`${f.customsPrefix}%`}` : sql``}
          ${f.ids ? sql`and d.id = any(${[...f.ids]}::uuid[])` : sql``}
        order by a.period desc, d.decl_seq_no
        limit ${f.limit}`.execute(exec);
      const ids = heads.rows.map((h) => h.id);
      if (!ids.length) return [];
      const lines = await sql<{
        declaration_id: string;
        line_no: number;
        gcode: string;
        gname: string;
        currency: string;
        qty: string;
        total_price: string;
      }>`
        select declaration_id, line_no, gcode, gname, currency, trim_scale(qty)::text as qty, trim_scale(total_price)::text as total_price
        from sum_declaration_line where declaration_id = any(${ids}::uuid[]) order by declaration_id, line_no`.execute(exec);
      const inv = sql`select distinct inventory_id from sum_lineage where declaration_id = any(${ids}::uuid[])`;
      const got = await sql<{ declaration_id: string; currency: string; received: string; last_day: string | null }>`
        with c as (${inventoryCollections(inv)}),
        per_inv as (select distinct declaration_id, inventory_id from sum_lineage where declaration_id = any(${ids}::uuid[]))
        select pi.declaration_id, c.currency, trim_scale(sum(c.charge))::text as received,
          max(substr(c.accounting_date, 1, 4) || '-' || substr(c.accounting_date, 5, 2) || '-' || substr(c.accounting_date, 7, 2)) as last_day
        from per_inv pi join c on c.inventory_id = pi.inventory_id
        group by pi.declaration_id, c.currency`.execute(exec);
      return heads.rows.map((h) => {
        const mine = got.rows.filter((g) => g.declaration_id === h.id);
        const days = mine.map((g) => g.last_day).filter((d): d is string => !!d);
        return {
          id: h.id,
          applicationId: h.application_id,
          orgId: h.org_id,
          ebcCode: h.ebc_code,
          ebcName: h.ebc_name,
          period: h.period,
          exitDay: lastDayOf(h.period),
          customsCode: h.customs_code,
          declSeqNo: h.decl_seq_no,
          entryId: h.entry_id,
          inventoryCount: h.inventory_count,
          lines: lines.rows
            .filter((l) => l.declaration_id === h.id)
            .map((l) => ({
              lineNo: l.line_no,
              gcode: l.gcode,
              gname: l.gname,
              currency: l.currency,
              qty: l.qty,
              totalPrice: l.total_price,
            })),
          received: Object.fromEntries(mine.map((g) => [g.currency, g.received])),
          lastReceiptDay: days.length ? days.sort()[days.length - 1]! : null,
        };
      });
    },
  };
}

export type SummaryLookup = ReturnType<typeof summaryLookup>;
