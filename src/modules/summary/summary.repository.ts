import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type { HeadField, LineField } from './rules/summary.rulesets.ts';
import { createSourceRepository } from './summary-source.repository.ts';
import type { SummaryApplicationRow, SummaryDeclarationRow, SummaryLineRow, SummaryTables } from './summary.tables.ts';

/** Rule-set field names → columns of sum_source_line (a whitelist: never user text). */
const HEAD_COLUMN: Readonly<Record<HeadField, string>> = {
  customsCode: 'customs_code',
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

const HEAD_ALL = Object.keys(HEAD_COLUMN) as HeadField[];
const LINE_ALL = Object.keys(LINE_COLUMN) as LineField[];
const list = (names: readonly string[], f: (c: string) => string) => sql.raw(names.map(f).join(', '));
const jsonKey = (fields: readonly string[], map: Readonly<Record<string, string>>, agg = '') =>
  sql.raw(`jsonb_build_object(${fields.map((f) => `'${f}', ${agg ? `${agg}(${map[f]})` : map[f]}`).join(', ')})`);

/**
 * The unsummarised B-type source lines of a grouping query (sum_source_line rows plus `line_name`,
 * the name a declaration line shows). Every filter is per inventory, so an inventory's lines are
 * all in or all out and `first_line` still marks exactly one line of each inventory.
 */
function pendingLines(q: GroupingQuery) {
  return sql`
    select s.*, ${sql.raw(q.line.includes('itemName') ? 's.item_name' : 's.gname')} as line_name
    from sum_source_line s
    where s.statistics_flag = 'B' and s.ebc_code = any(${[...q.ebcCodes]}::text[])
      and s.closed_at >= ${q.from} and s.closed_at < ${q.to}
      and not exists (select 1 from sum_claim c where c.inventory_id = s.inventory_id)
      ${q.invtNos ? sql`and s.invt_no = any(${[...q.invtNos]}::text[])` : sql``}
      ${q.agentCodes ? sql`and s.agent_code = any(${[...q.agentCodes]}::text[])` : sql``}`;
}

export function createSummaryRepository(exec: Executor) {
  const db = tables<SummaryTables>(exec);
  // What the last stage() grouped by, and its lineage hash.
  let staged: { head: readonly HeadField[]; line: readonly LineField[]; lineage: boolean; lineageHash: string } | undefined;
  const current = () => {
    if (!staged) throw new Error('summary repository: stage() first');
    return staged;
  };
  return {
    ...createSourceRepository(exec),

    /**
     * Groups the unsummarised B-type lines of the window, in one statement (one snapshot): each
     * (head key, line key) group with its declaration number (dense rank of the head key) and line
     * number (dense rank of the line key within it) goes to a temporary table (dropped at commit),
     * and the lineage hash is taken over the lines in result order. Ranks come from ranking the
     * few distinct keys, not the lines. With `lineage`, the lines with their numbers are staged
     * too (for persistStaged). Call inside a transaction; answers the number of lines.
     */
    async stage(q: GroupingQuery, opts: { lineage?: boolean } = {}): Promise<number> {
      const head = q.head.map((f) => HEAD_COLUMN[f]);
      const line = q.line.map((f) => LINE_COLUMN[f]);
      const keys = [...head, ...line];
      if (!head.length || !line.length) throw new Error('summary repository: a grouping needs head and line keys');
      if (!q.head.includes('customsCode')) throw new Error('summary repository: a declaration is keyed on its customs office');
      // 194号: the declared unit is not in the line key, so a line sums quantities in the legal unit.
      const [qtyColumn, unitColumn] = q.line.includes('unit') ? ['qty', 'unit'] : ['qty1', 'unit1'];
      // Sorting 1.5 million lineage strings in memory rather than in temporary files.
      await sql`set local work_mem = '256MB'`.execute(exec);
      await sql`drop table if exists pg_temp.sum_grp`.execute(exec);
      await sql`drop table if exists pg_temp.sum_src`.execute(exec);
      // Key columns absent from this rule set's keys stay null.
      await sql`
        create temporary table sum_grp (
          decl_seq integer not null, line_no integer not null,
          ${list([...HEAD_ALL.map((f) => HEAD_COLUMN[f]), ...LINE_ALL.map((f) => LINE_COLUMN[f])], (c) => `${c} text collate "C"`)},
          m_ebc_code text collate "C", m_traf_mode text collate "C", m_head_country text collate "C", m_port_code text collate "C",
          m_gcode text collate "C", m_gname text collate "C", m_country text collate "C", m_currency text collate "C",
          m_unit text collate "C",
          qty numeric, total_price numeric, source_count integer, gross_weight numeric, net_weight numeric, inventory_count integer
        ) on commit drop`.execute(exec);
      await sql`
        create temporary table sum_src (
          decl_seq integer not null, line_no integer not null, inventory_id uuid not null, gnum integer not null,
          invt_no text collate "C" not null, logistics_no text not null, gcode text not null, first_line boolean not null
        ) on commit drop`.execute(exec);
      const on = sql.raw(keys.map((c) => `g.${c} = p.${c}`).join(' and '));
      // `p` is read twice (for the groups, then for the lines joined to their ranks) rather than
      // spooled: cheaper, and one statement sees one snapshot. `j` is spooled only for lineage.
      const r = await sql<{ n: string; h: string | null }>`
        with p as not materialized (${pendingLines(q)}),
        g as (
          select ${list(keys, (c) => c)},
            min(ebc_code) as m_ebc_code, min(traf_mode) as m_traf_mode, min(head_country) as m_head_country,
            min(port_code) as m_port_code, min(gcode) as m_gcode, min(line_name) as m_gname, min(line_country) as m_country,
            min(currency) as m_currency, min(${sql.raw(unitColumn)}) as m_unit,
            sum(${sql.raw(qtyColumn)}) as qty, sum(total_price) as total_price, count(*)::int as source_count,
            sum(gross_weight) filter (where first_line) as gross_weight, sum(net_weight) filter (where first_line) as net_weight,
            count(*) filter (where first_line)::int as inventory_count
          from p group by ${list(keys, (c) => c)}),
        r as (
          select g.*, dense_rank() over (order by ${list(head, (c) => `${c} collate "C"`)})::int as decl_seq,
            dense_rank() over (partition by ${list(head, (c) => c)} order by ${list(line, (c) => `${c} collate "C"`)})::int as line_no
          from g),
        kept as (
          insert into pg_temp.sum_grp (decl_seq, line_no, ${list(keys, (c) => c)}, m_ebc_code, m_traf_mode, m_head_country,
            m_port_code, m_gcode, m_gname, m_country, m_currency, m_unit, qty, total_price, source_count,
            gross_weight, net_weight, inventory_count)
          select decl_seq, line_no, ${list(keys, (c) => c)}, m_ebc_code, m_traf_mode, m_head_country,
            m_port_code, m_gcode, m_gname, m_country, m_currency, m_unit, qty, total_price, source_count,
            gross_weight, net_weight, inventory_count
          from r),
        j as (select g.decl_seq, g.line_no, p.inventory_id, p.gnum, p.invt_no, p.logistics_no, p.gcode, p.first_line
          from p join r g on ${on})
        ${
          opts.lineage
            ? sql`, rows as (
          insert into pg_temp.sum_src
          select decl_seq, line_no, inventory_id, gnum, invt_no, logistics_no, gcode, first_line from j)`
            : sql``
        }
        select count(*) as n, encode(sha256(convert_to(string_agg(decl_seq || ':' || line_no || ':' || invt_no || ':' || gnum, ','
          order by decl_seq, line_no, invt_no collate "C", gnum), 'UTF8')), 'hex') as h
        from j`.execute(exec);
      await sql`analyze pg_temp.sum_grp`.execute(exec);
      if (opts.lineage) await sql`analyze pg_temp.sum_src`.execute(exec);
      staged = { head: q.head, line: q.line, lineage: !!opts.lineage, lineageHash: r.rows[0]?.h ?? '' };
      return Number(r.rows[0]?.n ?? 0);
    },

    async stagedDeclarations(): Promise<StagedDeclaration[]> {
      const r = await sql<StagedDeclaration>`
        select decl_seq, ${jsonKey(current().head, HEAD_COLUMN, 'min')} as head_key,
          trim_scale(coalesce(sum(gross_weight), 0))::text as gross_weight,
          trim_scale(coalesce(sum(net_weight), 0))::text as net_weight,
          coalesce(sum(inventory_count), 0)::int as inventory_count,
          min(customs_code) as customs_code
        from pg_temp.sum_grp group by decl_seq order by decl_seq`.execute(exec);
      return r.rows;
    },
    async stagedLines(): Promise<StagedLine[]> {
      const { head, line } = current();
      const r = await sql<StagedLine>`
        select decl_seq, line_no, ${jsonKey(head, HEAD_COLUMN)} as head_key, ${jsonKey(line, LINE_COLUMN)} as line_key,
          m_gcode as gcode, m_gname as gname, m_country as country, m_currency as currency, m_unit as unit,
          trim_scale(qty)::text as qty, trim_scale(total_price)::text as total_price, source_count
        from pg_temp.sum_grp order by decl_seq, line_no`.execute(exec);
      return r.rows;
    },

    /** sha256 over every lineage row in result order (decl_seq:line_no:invt_no:gnum): part of the reproducible result hash. */
    async stagedLineageHash(): Promise<string> {
      return current().lineageHash;
    },

    /** A-type (simplified) inventories of the window: counted for statistics only. */
    async statistics(
      q: Pick<GroupingQuery, 'ebcCodes' | 'from' | 'to'>,
    ): Promise<{ currency: string; inventories: number; value: string }[]> {
      const r = await sql<{ currency: string; inventories: number; value: string }>`
        select currency, count(distinct inventory_id)::int as inventories, trim_scale(sum(total_price))::text as value
        from sum_source_line
        where statistics_flag = 'A' and ebc_code = any(${[...q.ebcCodes]}::text[]) and closed_at >= ${q.from} and closed_at < ${q.to}
        group by currency order by currency`.execute(exec);
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

    /**
     * Writes the staged result under an application: declarations, lines, lineage, claims. Each
     * declaration is numbered by its own customs office (`firstNos`: the first number allocated to
     * each office, taken in declaration order within it); an office '' numbers as 0000.
     */
    async persistStaged(a: {
      applicationId: string;
      year: string;
      firstNos: ReadonlyMap<string, number>;
      decState: string;
      now: Date;
    }): Promise<void> {
      const { head, line, lineage } = current();
      if (!lineage) throw new Error('summary repository: persistStaged needs stage(…, { lineage: true })');
      const codes = [...a.firstNos.keys()];
      const firsts = codes.map((c) => a.firstNos.get(c)!);
      await sql`
        insert into sum_declaration (id, application_id, seq, decl_seq_no, entry_id, dec_state, head_key, ebc_code, owner_code,
          traf_mode, country, port_code, gross_weight, net_weight, inventory_count, created_at, customs_code)
        select gen_random_uuid(), ${a.applicationId}, x.decl_seq,
          x.office || ${a.year} || 'S' || lpad((n.first + x.k - 1)::text, 9, '0'),
          x.office || ${a.year} || '0' || lpad((n.first + x.k - 1)::text, 9, '0'),
          ${a.decState}, x.head_key, x.ebc_code, nullif(x.head_key->>'ownerCode', ''), x.traf_mode, x.country, x.port_code,
          x.gross_weight, x.net_weight, x.inventory_count, ${a.now}, x.office
        from (
          select decl_seq, ${jsonKey(head, HEAD_COLUMN, 'min')} as head_key, min(m_ebc_code) as ebc_code,
            min(m_traf_mode) as traf_mode, min(m_head_country) as country, min(m_port_code) as port_code,
            coalesce(sum(gross_weight), 0) as gross_weight, coalesce(sum(net_weight), 0) as net_weight,
            coalesce(sum(inventory_count), 0) as inventory_count, coalesce(nullif(min(customs_code), ''), '0000') as office,
            row_number() over (partition by coalesce(nullif(min(customs_code), ''), '0000') order by decl_seq) as k
          from pg_temp.sum_grp group by decl_seq) x
        join unnest(${codes}::text[], ${firsts}::bigint[]) as n(code, first) on n.code = x.office`.execute(exec);
      await sql`
        insert into sum_declaration_line (declaration_id, line_no, line_key, gcode, gname, country, currency, unit, qty, total_price, source_count)
        select d.id, g.line_no, ${jsonKey(line, LINE_COLUMN)}, g.m_gcode, g.m_gname, g.m_country, g.m_currency, g.m_unit,
          g.qty, g.total_price, g.source_count
        from pg_temp.sum_grp g join sum_declaration d on d.application_id = ${a.applicationId} and d.seq = g.decl_seq`.execute(
        exec,
      );
      await sql`
        insert into sum_lineage (declaration_id, line_no, inventory_id, invt_no, gnum, logistics_no, gcode)
        select d.id, s.line_no, s.inventory_id, s.invt_no, s.gnum, s.logistics_no, s.gcode
        from pg_temp.sum_src s join sum_declaration d on d.application_id = ${a.applicationId} and d.seq = s.decl_seq`.execute(
        exec,
      );
      await sql`
        insert into sum_claim (inventory_id, application_id)
        select inventory_id, ${a.applicationId}::uuid from pg_temp.sum_src where first_line`.execute(exec);
    },

    /** Serialises the summaries of one consignor (until commit): each sees the claims of the one before. */
    async lockConsignor(orgId: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`sum_application:${orgId}`}, 0))`.execute(exec);
    },

    /** The copNos of an organisation's applications that start with `prefix`. */
    async copNosLike(orgId: string, prefix: string): Promise<Set<string>> {
      const rows = await db
        .selectFrom('sum_application')
        .select('cop_no')
        .where('org_id', '=', orgId)
        .where('cop_no', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
        .execute();
      return new Set(rows.map((r) => r.cop_no));
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
      // officers: applications with a declaration lodged at their office
      if (f.customsPrefix !== undefined) {
        const prefix = `${f.customsPrefix}%`;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('sum_declaration as d')
              .select(sql.lit(1).as('one'))
              .whereRef('d.application_id', '=', 'sum_application.id')
              .where(sql<boolean>`coalesce(d.customs_code, sum_application.customs_code) like ${prefix}`),
          ),
        );
      }
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
