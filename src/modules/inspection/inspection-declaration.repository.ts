import { sql, type Executor } from '../../kernel/db.ts';
import type { DeclarationGrouping, DeclarationStatus } from './inspection.states.ts';

export interface DeclarationRow {
  id: string;
  declaration_no: string;
  enterprise_code: string;
  customs_code: string;
  /** yyyy-mm-dd, Beijing day (of the first parcel, for a declaration per bill) */
  day: string;
  grouping: DeclarationGrouping;
  /** the total-sub bill's master bill number (grouping 'bill') */
  bill_no: string | null;
  parcel_count: number;
  status: DeclarationStatus;
  supervised_by: string | null;
  supervised_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeclaredParcelRow {
  inventory_id: string;
  declaration_id: string;
  logistics_no: string;
  lane: string;
  lines: { gnum: string; itemNo: string; name: string; hsCode: string; qty: number; category: string }[];
  added_at: Date;
  withdrawn_at: Date | null;
}

export interface SettingRow {
  customs_prefix: string;
  declaration_grouping: DeclarationGrouping;
  updated_by: string | null;
  updated_at: Date;
}

export interface NewDeclaredParcel {
  newId: string;
  declarationNo: string;
  grouping: DeclarationGrouping;
  billNo: string | null;
  enterpriseCode: string;
  customsCode: string;
  day: string;
  inventoryId: string;
  logisticsNo: string;
  lane: string;
  lines: unknown[];
}

const COLUMNS = sql`id, declaration_no, enterprise_code, customs_code, to_char(day, 'YYYY-MM-DD') as day, grouping, bill_no,
  parcel_count, status, supervised_by, supervised_at, created_at, updated_at`;

/** Centralised declaration (集中申报) and the inspection authorities' settings: their SQL. */
export function createDeclarationRepository(db: Executor) {
  return {
    /**
     * Adds parcels to their declaration (created on first use, by its deterministic number), in a
     * fixed number of statements; a parcel already declared keeps its place (a replayed or
     * re-decided parcel updates its lane and lines). A declaration that gains parcels waits for
     * supervision again.
     */
    async declareParcels(rows: NewDeclaredParcel[], at: Date): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        insert into insp_declaration (id, declaration_no, enterprise_code, customs_code, day, grouping, bill_no, status, created_at, updated_at)
        select distinct on (t.no) t.id, t.no, t.ebc, t.cc, t.day, t.grouping, t.bill, 'declared', ${at}::timestamptz, ${at}::timestamptz
        from unnest(${rows.map((r) => r.newId)}::uuid[], ${rows.map((r) => r.declarationNo)}::text[],
                    ${rows.map((r) => r.enterpriseCode)}::text[], ${rows.map((r) => r.customsCode)}::text[],
                    ${rows.map((r) => r.day)}::date[], ${rows.map((r) => r.grouping)}::text[], ${rows.map((r) => r.billNo)}::text[])
          as t(id, no, ebc, cc, day, grouping, bill)
        order by t.no, t.day
        on conflict (declaration_no) do nothing`.execute(db);
      await sql`
        insert into insp_declaration_parcel (inventory_id, declaration_id, logistics_no, lane, lines, added_at)
        select t.inv, d.id, t.lno, t.lane, t.lines, ${at}::timestamptz
        from unnest(${rows.map((r) => r.inventoryId)}::uuid[], ${rows.map((r) => r.declarationNo)}::text[],
                    ${rows.map((r) => r.logisticsNo)}::text[], ${rows.map((r) => r.lane)}::text[],
                    ${rows.map((r) => JSON.stringify(r.lines))}::jsonb[]) as t(inv, no, lno, lane, lines)
        join insp_declaration d on d.declaration_no = t.no
        on conflict (inventory_id) do update set lane = excluded.lane, lines = excluded.lines`.execute(db);
      await sql`
        update insp_declaration d
        set parcel_count = c.n, updated_at = ${at},
            status = case when c.n > d.parcel_count then 'declared' else d.status end
        from (select declaration_id, count(*)::int as n from insp_declaration_parcel
              where declaration_id in (select id from insp_declaration where declaration_no = any(${[...new Set(rows.map((r) => r.declarationNo))]}::text[]))
              group by declaration_id) c
        where d.id = c.declaration_id`.execute(db);
    },

    /** Rejected or cancelled parcels stay on their declaration, marked withdrawn. */
    async withdrawDeclared(inventoryIds: string[], at: Date): Promise<void> {
      if (inventoryIds.length === 0) return;
      await sql`
        update insp_declaration_parcel set withdrawn_at = ${at}
        where inventory_id = any(${inventoryIds}::uuid[]) and withdrawn_at is null`.execute(db);
    },

    async listDeclarations(opts: { customsPrefix: string | null; day?: string; limit: number }): Promise<DeclarationRow[]> {
      const { rows } = await sql<DeclarationRow>`
        select ${COLUMNS} from insp_declaration
        where (${opts.customsPrefix}::text is null or customs_code like ${`${opts.customsPrefix ?? ''}%`})
          and (${opts.day ?? null}::date is null or day = ${opts.day ?? null}::date)
        order by day desc, enterprise_code, customs_code, bill_no nulls first limit ${opts.limit}`.execute(db);
      return rows;
    },

    async declaration(id: string, lock = false): Promise<DeclarationRow | undefined> {
      const { rows } = await sql<DeclarationRow>`
        select ${COLUMNS} from insp_declaration where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db);
      return rows[0];
    },

    async declaredParcels(declarationId: string): Promise<DeclaredParcelRow[]> {
      const { rows } = await sql<DeclaredParcelRow>`
        select * from insp_declaration_parcel where declaration_id = ${declarationId} order by added_at, inventory_id`.execute(
        db,
      );
      return rows;
    },

    async superviseDeclaration(id: string, userId: string | null, at: Date): Promise<void> {
      await sql`
        update insp_declaration set status = 'supervised', supervised_by = ${userId}, supervised_at = ${at}, updated_at = ${at}
        where id = ${id}`.execute(db);
    },

    /** Every authority's settings (a handful of rows: one per jurisdiction that set one). */
    async settings(): Promise<SettingRow[]> {
      const { rows } = await sql<SettingRow>`select * from insp_setting order by customs_prefix`.execute(db);
      return rows;
    },

    async putSetting(r: SettingRow): Promise<void> {
      await sql`
        insert into insp_setting (customs_prefix, declaration_grouping, updated_by, updated_at)
        values (${r.customs_prefix}, ${r.declaration_grouping}, ${r.updated_by}, ${r.updated_at})
        on conflict (customs_prefix) do update
          set declaration_grouping = excluded.declaration_grouping, updated_by = excluded.updated_by, updated_at = excluded.updated_at`.execute(
        db,
      );
    },
  };
}
