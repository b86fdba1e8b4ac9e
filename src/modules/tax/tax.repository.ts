import { sql } from 'kysely';
import { tables, type Executor } from '../../kernel/db.ts';
import type {
  TaxProfileRow,
  TaxPurchaseRow,
  TaxRateVersionRow,
  TaxRefundRateRow,
  TaxRuleVersionRow,
  TaxTables,
} from './tax.tables.ts';

/** A rate version with how many rows it holds. */
export interface RateVersionSummary extends TaxRateVersionRow {
  rows: number;
  excluded: number;
}

export function createTaxRepository(exec: Executor) {
  const db = tables<TaxTables>(exec);
  return {
    async profiles(orgIds: readonly string[]): Promise<TaxProfileRow[]> {
      if (!orgIds.length) return [];
      return db
        .selectFrom('tax_profile')
        .selectAll()
        .where('org_id', 'in', [...orgIds])
        .execute();
    },
    async upsertProfile(row: TaxProfileRow): Promise<TaxProfileRow> {
      const { org_id: _id, ...rest } = row;
      return db
        .insertInto('tax_profile')
        .values(row)
        .onConflict((oc) => oc.column('org_id').doUpdateSet(rest))
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async purchases(declarationIds: readonly string[]): Promise<TaxPurchaseRow[]> {
      if (!declarationIds.length) return [];
      return db
        .selectFrom('tax_purchase')
        .selectAll()
        .where('declaration_id', 'in', [...declarationIds])
        .orderBy('declaration_id')
        .orderBy('line_no')
        .orderBy('invoice_no')
        .execute();
    },
    /** Every version of the 无票免税 rule, the national ones first, each jurisdiction's oldest first (a handful of rows). */
    async ruleVersions(): Promise<TaxRuleVersionRow[]> {
      const r = await sql<TaxRuleVersionRow>`
        select jurisdiction, to_char(effective_from, 'YYYY-MM-DD') as effective_from, no_invoice_enabled, pilot_zones, note,
          updated_by, updated_at
        from tax_rule_version order by jurisdiction, effective_from`.execute(exec);
      return r.rows;
    },
    /** Inserts or replaces the version in force from its date in its jurisdiction; answers the row it replaced. */
    async upsertRuleVersion(row: TaxRuleVersionRow): Promise<TaxRuleVersionRow | undefined> {
      const before = await sql<TaxRuleVersionRow>`
        select jurisdiction, to_char(effective_from, 'YYYY-MM-DD') as effective_from, no_invoice_enabled, pilot_zones, note,
          updated_by, updated_at
        from tax_rule_version where jurisdiction = ${row.jurisdiction} and effective_from = ${row.effective_from}::date
        for update`.execute(exec);
      await sql`
        insert into tax_rule_version (jurisdiction, effective_from, no_invoice_enabled, pilot_zones, note, updated_by, updated_at)
        values (${row.jurisdiction}, ${row.effective_from}::date, ${row.no_invoice_enabled}, ${JSON.stringify(row.pilot_zones)}::jsonb,
          ${row.note}, ${row.updated_by}, ${row.updated_at})
        on conflict (jurisdiction, effective_from) do update set no_invoice_enabled = excluded.no_invoice_enabled,
          pilot_zones = excluded.pilot_zones, note = excluded.note, updated_by = excluded.updated_by,
          updated_at = excluded.updated_at`.execute(exec);
      return before.rows[0];
    },
    /** Every refund-rate version, oldest first, with its row counts. */
    async rateVersions(version?: string): Promise<RateVersionSummary[]> {
      const r = await sql<RateVersionSummary>`
        select v.version, to_char(v.effective_from, 'YYYY-MM-DD') as effective_from, v.source, v.updated_by, v.updated_at,
          count(r.hs)::int as rows, count(r.hs) filter (where r.excluded)::int as excluded
        from tax_rate_version v left join tax_refund_rate r on r.version = v.version
        ${version === undefined ? sql`` : sql`where v.version = ${version}`}
        group by v.version order by v.effective_from`.execute(exec);
      return r.rows;
    },
    /**
     * What each (version, goods code) pair's rate table says, one statement: the longest HS prefix
     * of the code that the version holds (by primary key, one probe per prefix length). Pairs no
     * row covers are absent.
     */
    async ratesFor(pairs: readonly { version: string; gcode: string }[]): Promise<Map<string, TaxRefundRateRow>> {
      const unique = [...new Map(pairs.map((p) => [`${p.version}|${p.gcode}`, p])).values()];
      if (!unique.length) return new Map();
      const r = await sql<TaxRefundRateRow & { gcode: string }>`
        select distinct on (q.version, q.gcode) q.version, q.gcode, t.hs, trim_scale(t.rate)::text as rate, t.excluded
        from unnest(${unique.map((p) => p.version)}::text[], ${unique.map((p) => p.gcode)}::text[]) as q(version, gcode)
        cross join lateral generate_series(2, least(length(q.gcode), 10)) as n(len)
        join tax_refund_rate t on t.version = q.version and t.hs = left(q.gcode, n.len)
        order by q.version, q.gcode, n.len desc`.execute(exec);
      return new Map(r.rows.map(({ gcode, ...row }) => [`${row.version}|${gcode}`, row]));
    },
    /**
     * Stores a rate version with all its rows, replacing a version of that name (and its rows);
     * answers the replaced version's summary. Rows go in one statement.
     */
    async replaceRateVersion(
      v: TaxRateVersionRow,
      rows: readonly { hs: string; rate: string | null; excluded: boolean }[],
    ): Promise<RateVersionSummary | undefined> {
      const [before] = (
        await sql<RateVersionSummary>`
          select v.version, to_char(v.effective_from, 'YYYY-MM-DD') as effective_from, v.source, v.updated_by, v.updated_at,
            (select count(*)::int from tax_refund_rate r where r.version = v.version) as rows,
            (select count(*)::int from tax_refund_rate r where r.version = v.version and r.excluded) as excluded
          from tax_rate_version v where v.version = ${v.version} for update`.execute(exec)
      ).rows;
      await db.deleteFrom('tax_rate_version').where('version', '=', v.version).execute();
      await sql`
        insert into tax_rate_version (version, effective_from, source, updated_by, updated_at)
        values (${v.version}, ${v.effective_from}::date, ${v.source}, ${v.updated_by}, ${v.updated_at})`.execute(exec);
      if (rows.length)
        await sql`
          insert into tax_refund_rate (version, hs, rate, excluded)
          select ${v.version}, u.hs, u.rate, u.excluded
          from unnest(${rows.map((r) => r.hs)}::text[], ${rows.map((r) => r.rate)}::numeric[], ${rows.map((r) => r.excluded)}::boolean[])
            as u(hs, rate, excluded)`.execute(exec);
      return before;
    },
    async replacePurchases(declarationId: string, rows: TaxPurchaseRow[]): Promise<void> {
      await db.deleteFrom('tax_purchase').where('declaration_id', '=', declarationId).execute();
      if (rows.length) await db.insertInto('tax_purchase').values(rows).execute();
    },
  };
}
