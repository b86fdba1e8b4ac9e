import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import { closedInventoryLines } from '../clearance/index.ts';
import type { HeadField, LineField } from './rules/summary.rulesets.ts';
import type { SummaryApplicationRow, SummaryDeclarationRow, SummaryLineRow, SummaryTables } from './summary.tables.ts';

/** Rule-set field names → columns of the closed-inventory-lines relation (a whitelist: never user text). */
const HEAD_COLUMN: Readonly<Record<HeadField, string>> = {
  ebcCode: 'ebc_code',
  trafMode: 'traf_mode',
  ownerCode: 'owner_code',
  country: 'head_country',
  portCode: 'port_code',
};
const LINE_COLUMN: Readonly<Record<LineField, string>> = {
  country: 'line_country',
  gcode: 'gcode',
  currency: 'currency',
  unit: 'unit',
  itemName: 'item_name',
};

export interface GroupingQuery {
  ebcCodes: readonly string[];
  from: Date;
  to: Date;
  head: readonly HeadField[];
  line: readonly LineField[];
  /** CEB701 list form: only these inventories */
  invtNos?: readonly string[];
  /** a declaring agent summarises only the inventories it declared */
  agentCodes?: readonly string[];
}

export interface StagedLine {
  decl_seq: number;
  line_no: number;
  head_key: Record<string, string>;
  line_key: Record<string, string>;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  unit: string;
  qty: string;
  total_price: string;
  source_count: number;
}

export interface StagedDeclaration {
  decl_seq: number;
  head_key: Record<string, string>;
  gross_weight: string;
  net_weight: string;
  inventory_count: number;
  customs_code: string;
}

const cols = (names: readonly string[]) => sql.raw(names.map((c) => `${c} collate "C"`).join(', ') || '1');
const jsonKey = (fields: readonly string[], map: Readonly<Record<string, string>>) =>
  sql.raw(`jsonb_build_object(${fields.map((f) => `'${f}', ${map[f]}`).join(', ')})`);

export function createSummaryRepository(exec: Executor) {
  const db = tables<SummaryTables>(exec);
  return {
    /**
     * Stages the unsummarised B-type lines of the window in a temporary table (dropped at commit),
     * each with its declaration number (dense rank of the head key) and line number (dense rank of
     * the line key within it): one set-based pass, whatever the volume. Call inside a transaction.
     */
    async stage(q: GroupingQuery): Promise<number> {
      const head = q.head.map((f) => HEAD_COLUMN[f]);
      const line = q.line.map((f) => LINE_COLUMN[f]);
      await sql`drop table if exists pg_temp.sum_src`.execute(exec);
      const r = await sql`
        create temporary table sum_src on commit drop as
        with src as (${closedInventoryLines({ ebcCodes: q.ebcCodes, from: q.from, to: q.to, statisticsFlag: 'B' })}),
        pending as (select s.* from src s where not exists (select 1 from sum_claim c where c.inventory_id = s.inventory_id)
          ${q.invtNos ? sql`and s.invt_no = any(${[...q.invtNos]}::text[])` : sql``}
          ${q.agentCodes ? sql`and s.agent_code = any(${[...q.agentCodes]}::text[])` : sql``}),
        ranked as (
          select o.*, dense_rank() over (order by ${cols(head)})::int as decl_seq,
            row_number() over (partition by o.inventory_id order by o.gnum)::int as inv_first
          from pending o)
        select r.*, dense_rank() over (partition by r.decl_seq order by ${cols(line)})::int as line_no,
          ${jsonKey(q.head, HEAD_COLUMN)} as head_key, ${jsonKey(q.line, LINE_COLUMN)} as line_key,
          ${q.line.includes('itemName') ? sql.raw('item_name') : sql.raw('gname')} as line_name
        from ranked r`.execute(exec);
      await sql`analyze pg_temp.sum_src`.execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },

    async stagedDeclarations(): Promise<StagedDeclaration[]> {
      const r = await sql<StagedDeclaration>`
        select decl_seq, min(head_key::text)::jsonb as head_key,
          trim_scale(coalesce(sum(gross_weight) filter (where inv_first = 1), 0))::text as gross_weight,
          trim_scale(coalesce(sum(net_weight) filter (where inv_first = 1), 0))::text as net_weight,
          count(*) filter (where inv_first = 1)::int as inventory_count,
          min(customs_code collate "C") as customs_code
        from pg_temp.sum_src group by decl_seq order by decl_seq`.execute(exec);
      return r.rows;
    },

    async stagedLines(): Promise<StagedLine[]> {
      const r = await sql<StagedLine>`
        select decl_seq, line_no, min(head_key::text)::jsonb as head_key, min(line_key::text)::jsonb as line_key,
          min(gcode collate "C") as gcode, min(line_name collate "C") as gname, min(line_country collate "C") as country,
          min(currency collate "C") as currency, min(unit collate "C") as unit,
          trim_scale(sum(qty))::text as qty, trim_scale(sum(total_price))::text as total_price, count(*)::int as source_count
        from pg_temp.sum_src group by decl_seq, line_no order by decl_seq, line_no`.execute(exec);
      return r.rows;
    },

    /** sha256 over every lineage row in result order: part of the reproducible result hash. */
    async stagedLineageHash(): Promise<string> {
      const r = await sql<{ h: string | null }>`
        select encode(sha256(convert_to(string_agg(decl_seq || ':' || line_no || ':' || invt_no || ':' || gnum, ','
          order by decl_seq, line_no, invt_no collate "C", gnum), 'UTF8')), 'hex') as h from pg_temp.sum_src`.execute(exec);
      return r.rows[0]?.h ?? '';
    },

    /** A-type (simplified) inventories of the window: counted for statistics only. */
    async statistics(
      q: Pick<GroupingQuery, 'ebcCodes' | 'from' | 'to'>,
    ): Promise<{ currency: string; inventories: number; value: string }[]> {
      const r = await sql<{ currency: string; inventories: number; value: string }>`
        with src as (${closedInventoryLines({ ...q, statisticsFlag: 'A' })})
        select currency, count(distinct inventory_id)::int as inventories, trim_scale(sum(total_price))::text as value
        from src group by currency order by currency`.execute(exec);
      return r.rows;
    },

    /** Allocates `n` consecutive numbers of a counter; answers the first. */
    async allocate(name: string, n: number): Promise<number> {
      const r = await sql<{ value: number }>`
        insert into sum_counter (name, value) values (${name}, ${n})
        on conflict (name) do update set value = sum_counter.value + ${n} returning value`.execute(exec);
      return Number(r.rows[0]!.value) - n + 1;
    },

    async insertApplication(row: SummaryApplicationRow): Promise<void> {
      await db.insertInto('sum_application').values(row).execute();
    },

    /** Writes the staged result under an application: declarations, lines, lineage, claims. */
    async persistStaged(a: {
      applicationId: string;
      declSeqPrefix: string;
      entryPrefix: string;
      firstNo: number;
      decState: string;
      now: Date;
    }): Promise<void> {
      await sql`
        insert into sum_declaration (id, application_id, seq, decl_seq_no, entry_id, dec_state, head_key, ebc_code, owner_code,
          traf_mode, country, port_code, gross_weight, net_weight, inventory_count, created_at)
        select gen_random_uuid(), ${a.applicationId}, decl_seq,
          ${a.declSeqPrefix} || lpad((${a.firstNo}::bigint + decl_seq - 1)::text, 9, '0'),
          ${a.entryPrefix} || lpad((${a.firstNo}::bigint + decl_seq - 1)::text, 9, '0'),
          ${a.decState}, min(head_key::text)::jsonb, min(ebc_code), nullif(min(head_key->>'ownerCode'), ''),
          min(traf_mode), min(head_country), min(port_code),
          coalesce(sum(gross_weight) filter (where inv_first = 1), 0), coalesce(sum(net_weight) filter (where inv_first = 1), 0),
          count(*) filter (where inv_first = 1), ${a.now}
        from pg_temp.sum_src group by decl_seq`.execute(exec);
      await sql`
        insert into sum_declaration_line (declaration_id, line_no, line_key, gcode, gname, country, currency, unit, qty, total_price, source_count)
        select d.id, s.line_no, min(s.line_key::text)::jsonb, min(s.gcode collate "C"), min(s.line_name collate "C"),
          min(s.line_country collate "C"), min(s.currency collate "C"), min(s.unit collate "C"), sum(s.qty), sum(s.total_price), count(*)
        from pg_temp.sum_src s join sum_declaration d on d.application_id = ${a.applicationId} and d.seq = s.decl_seq
        group by d.id, s.line_no`.execute(exec);
      await sql`
        insert into sum_lineage (declaration_id, line_no, inventory_id, invt_no, gnum, logistics_no, gcode)
        select d.id, s.line_no, s.inventory_id, s.invt_no, s.gnum, s.logistics_no, s.gcode
        from pg_temp.sum_src s join sum_declaration d on d.application_id = ${a.applicationId} and d.seq = s.decl_seq`.execute(
        exec,
      );
      await sql`
        insert into sum_claim (inventory_id, application_id)
        select distinct inventory_id, ${a.applicationId}::uuid from pg_temp.sum_src`.execute(exec);
    },

    /** Closed B-type inventories per month (China time) not yet in any summary. */
    async pendingByPeriod(ebcCodes: readonly string[], from: Date, to: Date): Promise<{ period: string; inventories: number }[]> {
      const r = await sql<{ period: string; inventories: number }>`
        with src as (${closedInventoryLines({ ebcCodes, from, to, statisticsFlag: 'B' })})
        select to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM') as period, count(distinct inventory_id)::int as inventories
        from src s where not exists (select 1 from sum_claim c where c.inventory_id = s.inventory_id)
        group by 1 order by 1`.execute(exec);
      return r.rows;
    },

    /** The month (China time) each listed inventory of the consignors closed in; absent when not a closed B-type one. */
    async closedMonths(ebcCodes: readonly string[], invtNos: readonly string[]): Promise<Map<string, string>> {
      const r = await sql<{ invt_no: string; period: string }>`
        with src as (${closedInventoryLines({ ebcCodes, from: new Date(0), to: new Date('9999-01-01T00:00:00Z'), statisticsFlag: 'B', invtNos })})
        select distinct invt_no, to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM') as period from src`.execute(exec);
      return new Map(r.rows.map((x) => [x.invt_no, x.period]));
    },

    async applicationById(id: string): Promise<SummaryApplicationRow | undefined> {
      return db.selectFrom('sum_application').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async applicationByCop(orgId: string, copNo: string): Promise<SummaryApplicationRow | undefined> {
      return db
        .selectFrom('sum_application')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('cop_no', '=', copNo)
        .executeTakeFirst();
    },

    async livePeriods(ebcCodes: readonly string[], periods: readonly string[]): Promise<SummaryApplicationRow[]> {
      if (!ebcCodes.length || !periods.length) return [];
      return db
        .selectFrom('sum_application')
        .selectAll()
        .where('ebc_code', 'in', [...ebcCodes])
        .where('period', 'in', [...periods])
        .where('status', '<>', 'cancelled')
        .execute();
    },

    async listApplications(f: { orgId?: string; customsPrefix?: string; limit: number }): Promise<SummaryApplicationRow[]> {
      let q = db.selectFrom('sum_application').selectAll();
      if (f.orgId) q = q.where('org_id', '=', f.orgId);
      if (f.customsPrefix !== undefined) q = q.where('customs_code', 'like', `${f.customsPrefix}%`);
      return q.orderBy('period', 'desc').orderBy('created_at', 'desc').limit(f.limit).execute();
    },

    async declarationsOf(applicationIds: readonly string[]): Promise<SummaryDeclarationRow[]> {
      if (!applicationIds.length) return [];
      return db
        .selectFrom('sum_declaration')
        .selectAll()
        .where('application_id', 'in', [...applicationIds])
        .orderBy('application_id')
        .orderBy('seq')
        .execute();
    },

    async linesOf(declarationIds: readonly string[]): Promise<SummaryLineRow[]> {
      if (!declarationIds.length) return [];
      return db
        .selectFrom('sum_declaration_line')
        .selectAll()
        .where('declaration_id', 'in', [...declarationIds])
        .orderBy('declaration_id')
        .orderBy('line_no')
        .execute();
    },

    async countLineage(declarationId: string): Promise<number> {
      const r = await db
        .selectFrom('sum_lineage')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('declaration_id', '=', declarationId)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    async lineage(
      declarationId: string,
      f: { lineNo?: number; limit: number; offset: number },
    ): Promise<{ line_no: number; invt_no: string; gnum: number; logistics_no: string; gcode: string }[]> {
      let q = db
        .selectFrom('sum_lineage')
        .select(['line_no', 'invt_no', 'gnum', 'logistics_no', 'gcode'])
        .where('declaration_id', '=', declarationId);
      if (f.lineNo !== undefined) q = q.where('line_no', '=', f.lineNo);
      return q.orderBy('line_no').orderBy('invt_no').orderBy('gnum').limit(f.limit).offset(f.offset).execute();
    },
  };
}

export type SummaryRepository = ReturnType<typeof createSummaryRepository>;
