import { sql, type Executor } from '../../kernel/db.ts';
import type { RawBuilder } from 'kysely';
import type { GoodsCubeRow, InventoryCubeRow } from './rules/fold.rules.ts';
import { DIMENSION_DEFS, type Dimension } from './rules/dimensions.rules.ts';
import type { FxRate } from './rules/money.rules.ts';

/** Which cube rows a caller sees and the filters of a query; all optional but the dates. */
export interface CubeFilter {
  from: string;
  to: string;
  /** customs code prefix of the office (jurisdiction), '' = all */
  customsPrefix?: string;
  /** an enterprise's own rows: seller or carrier under any of its codes (customs code, USCC) */
  ownCodes?: string[];
  mode?: string;
  country?: string;
  customs?: string;
  enterprise?: string;
  /** the seller under any of these codes (one enterprise's customs code and USCC) */
  sellerCodes?: string[];
  carrier?: string;
  county?: string;
  /** HS chapter (2) or heading (4): forces the goods cube */
  hs?: string;
}

export interface CubeTotals {
  key: string;
  inventories: number;
  value_fen: string;
  value_usd_cents: string;
  weight_grams: string;
}

export function createStatisticsRepository(exec: Executor) {
  return {
    /** The ids among `ids` not folded before; marks them folded. */
    async claimUnfolded(ids: string[], now: Date): Promise<string[]> {
      if (ids.length === 0) return [];
      const r = await sql<{ inventory_id: string }>`
        insert into stat_folded (inventory_id, folded_at) select x, ${now} from unnest(${ids}::uuid[]) as x
        on conflict do nothing returning inventory_id`.execute(exec);
      return r.rows.map((x) => x.inventory_id);
    },

    async rates(): Promise<FxRate[]> {
      const r = await sql<{ currency: string; valid_from: string; micros: string }>`
        select currency, to_char(valid_from, 'YYYY-MM-DD') as valid_from, (cny_per_unit * 1000000)::bigint::text as micros
        from stat_fx_rate`.execute(exec);
      return r.rows.map((x) => ({ currency: x.currency, validFrom: x.valid_from, cnyPerUnitMicros: BigInt(x.micros) }));
    },

    async listRates(): Promise<{ currency: string; validFrom: string; cnyPerUnit: string; source: string }[]> {
      const r = await sql<{ currency: string; valid_from: string; cny_per_unit: string; source: string }>`
        select currency, to_char(valid_from, 'YYYY-MM-DD') as valid_from, cny_per_unit::text, source
        from stat_fx_rate order by currency, valid_from`.execute(exec);
      return r.rows.map((x) => ({ currency: x.currency, validFrom: x.valid_from, cnyPerUnit: x.cny_per_unit, source: x.source }));
    },

    async upsertRate(currency: string, validFrom: string, cnyPerUnit: string, source: string): Promise<void> {
      await sql`insert into stat_fx_rate (currency, valid_from, cny_per_unit, source)
        values (${currency}, ${validFrom}::date, ${cnyPerUnit}::numeric, ${source})
        on conflict (currency, valid_from) do update set cny_per_unit = excluded.cny_per_unit, source = excluded.source`.execute(
        exec,
      );
    },

    /**
     * Waits for any rate being set to commit, and keeps rates from being set until this
     * transaction ends: a fold that found a rate missing re-reads the rates under it, so an
     * inventory is never parked after the rate that values it was set (setRate folds the parked
     * ones in its own transaction, after its upsert).
     */
    async lockRates(): Promise<void> {
      await sql`lock table stat_fx_rate in share mode`.execute(exec);
    },

    /** Parks inventories that cannot be valued yet (claimed in stat_folded, in no cube). */
    async park(rows: { inventoryId: string; day: string; missing: string[] }[], now: Date): Promise<void> {
      if (rows.length === 0) return;
      await sql`insert into stat_fold_pending (inventory_id, day, missing, parked_at)
        select x.id, x.day, string_to_array(x.missing, ','), ${now}::timestamptz
        from unnest(${rows.map((r) => r.inventoryId)}::uuid[], ${rows.map((r) => r.day)}::date[],
          ${rows.map((r) => r.missing.join(','))}::text[]) as x(id, day, missing)
        on conflict (inventory_id) do update set day = excluded.day, missing = excluded.missing,
          parked_at = excluded.parked_at`.execute(exec);
    },

    /** Takes (deletes, locking them) the parked inventories waiting for a rate of `currency`. */
    async takePending(currency: string): Promise<string[]> {
      const r = await sql<{ inventory_id: string }>`
        delete from stat_fold_pending where missing @> array[${currency}]::text[] returning inventory_id`.execute(exec);
      return r.rows.map((x) => x.inventory_id);
    },

    /** What waits for a rate: per missing currency, how many inventories and their closing days. */
    async pendingSummary(): Promise<{ currency: string; inventories: number; firstDay: string; lastDay: string }[]> {
      const r = await sql<{ currency: string; inventories: number; first_day: string; last_day: string }>`
        select c as currency, count(*)::int as inventories, to_char(min(day), 'YYYY-MM-DD') as first_day,
          to_char(max(day), 'YYYY-MM-DD') as last_day
        from stat_fold_pending, unnest(missing) as c group by c order by c`.execute(exec);
      return r.rows.map((x) => ({
        currency: x.currency,
        inventories: x.inventories,
        firstDay: x.first_day,
        lastDay: x.last_day,
      }));
    },

    /** One statement per cube for the whole batch; rows are pre-summed per key by the fold. */
    async addToCubes(inv: InventoryCubeRow[], goods: GoodsCubeRow[]): Promise<void> {
      const col = <T>(rows: T[], f: (r: T) => string) => rows.map(f);
      if (inv.length > 0) {
        await sql`insert into stat_inventory_cube (day, trade_mode, country, ebc_code, region, customs_code, carrier_code,
            inventories, value_fen, value_usd_cents, weight_grams)
          select * from unnest(${col(inv, (r) => r.day)}::date[], ${col(inv, (r) => r.tradeMode)}::text[],
            ${col(inv, (r) => r.country)}::text[], ${col(inv, (r) => r.ebcCode)}::text[], ${col(inv, (r) => r.region)}::text[],
            ${col(inv, (r) => r.customsCode)}::text[], ${col(inv, (r) => r.carrierCode)}::text[],
            ${col(inv, (r) => String(r.inventories))}::bigint[], ${col(inv, (r) => r.valueFen.toString())}::bigint[],
            ${col(inv, (r) => r.valueUsdCents.toString())}::bigint[], ${col(inv, (r) => r.weightGrams.toString())}::bigint[])
          on conflict (day, trade_mode, country, ebc_code, region, customs_code, carrier_code) do update set
            inventories = stat_inventory_cube.inventories + excluded.inventories,
            value_fen = stat_inventory_cube.value_fen + excluded.value_fen,
            value_usd_cents = stat_inventory_cube.value_usd_cents + excluded.value_usd_cents,
            weight_grams = stat_inventory_cube.weight_grams + excluded.weight_grams`.execute(exec);
      }
      if (goods.length > 0) {
        await sql`insert into stat_goods_cube (day, trade_mode, country, ebc_code, region, customs_code, carrier_code, hs_heading,
            inventories, lines, value_fen, value_usd_cents, weight_grams)
          select * from unnest(${col(goods, (r) => r.day)}::date[], ${col(goods, (r) => r.tradeMode)}::text[],
            ${col(goods, (r) => r.country)}::text[], ${col(goods, (r) => r.ebcCode)}::text[], ${col(goods, (r) => r.region)}::text[],
            ${col(goods, (r) => r.customsCode)}::text[], ${col(goods, (r) => r.carrierCode)}::text[],
            ${col(goods, (r) => r.hsHeading)}::text[], ${col(goods, (r) => String(r.inventories))}::bigint[],
            ${col(goods, (r) => String(r.lines))}::bigint[], ${col(goods, (r) => r.valueFen.toString())}::bigint[],
            ${col(goods, (r) => r.valueUsdCents.toString())}::bigint[], ${col(goods, (r) => r.weightGrams.toString())}::bigint[])
          on conflict (day, trade_mode, country, ebc_code, region, customs_code, carrier_code, hs_heading) do update set
            inventories = stat_goods_cube.inventories + excluded.inventories,
            lines = stat_goods_cube.lines + excluded.lines,
            value_fen = stat_goods_cube.value_fen + excluded.value_fen,
            value_usd_cents = stat_goods_cube.value_usd_cents + excluded.value_usd_cents,
            weight_grams = stat_goods_cube.weight_grams + excluded.weight_grams`.execute(exec);
      }
    },

    /** Empties the read model (parked inventories too); the rebuild that follows refills it (same transaction). */
    async clearAll(): Promise<void> {
      await sql`truncate stat_folded, stat_fold_pending, stat_inventory_cube, stat_goods_cube`.execute(exec);
    },

    /** Closed inventories (or lines) with no exchange rate on their closing day: the rebuild refuses them. */
    async missingRates(source: RawBuilder<unknown>): Promise<{ currency: string; day: string }[]> {
      const r = await sql<{ currency: string; day: string }>`
        with ${valuedLines(source)}
        select distinct case when rate is null then cur else '502' end as currency, day from l
        where rate is null or usd is null order by 2, 1 limit 20`.execute(exec);
      return r.rows;
    },

    async markAllFolded(source: RawBuilder<unknown>, now: Date): Promise<number> {
      const r = await sql`insert into stat_folded (inventory_id, folded_at)
        select distinct inventory_id, ${now}::timestamptz from (${source}) s`.execute(exec);
      return Number(r.numAffectedRows ?? 0);
    },

    /**
     * The inventory cube recomputed in one statement, with the fold's arithmetic (rules/fold.rules.ts)
     * in integers: line → fen at the day's rate, half away from zero; inventory fen → USD cents.
     */
    async rebuildInventoryCube(source: RawBuilder<unknown>): Promise<void> {
      await sql`
        with ${valuedLines(source)},
        inv as (
          select inventory_id, day, trade_mode, country, ebc_code, region, customs_code, carrier_code, grams, usd,
            sum(fen) as fen
          from l group by inventory_id, day, trade_mode, country, ebc_code, region, customs_code, carrier_code, grams, usd)
        insert into stat_inventory_cube (day, trade_mode, country, ebc_code, region, customs_code, carrier_code,
          inventories, value_fen, value_usd_cents, weight_grams)
        select day::date, trade_mode, country, ebc_code, region, customs_code, carrier_code, count(*), sum(fen),
          sum(div(fen * 2000000 + usd, usd * 2)), sum(grams)
        from inv group by 1, 2, 3, 4, 5, 6, 7`.execute(exec);
    },

    /**
     * The goods cube recomputed in one statement: per inventory and heading (headings in order of
     * their first line), weight shared by value and the last heading taking the remainder, as the fold.
     */
    async rebuildGoodsCube(source: RawBuilder<unknown>): Promise<void> {
      await sql`
        with ${valuedLines(source)},
        h as (
          select inventory_id, day, trade_mode, country, ebc_code, region, customs_code, carrier_code, grams, usd, heading,
            count(*) as lines, sum(fen) as fen, min(line_no) as ord,
            sum(sum(fen)) over (partition by inventory_id) as total_fen,
            max(min(line_no)) over (partition by inventory_id) as last_ord
          from l where line_no is not null
          group by inventory_id, day, trade_mode, country, ebc_code, region, customs_code, carrier_code, grams, usd, heading),
        raw as (
          select h.*, case when ord = last_ord or total_fen = 0 then 0
            else div(grams * fen * 2 + total_fen, total_fen * 2) end as part
          from h),
        shared as (
          select raw.*, case when ord = last_ord then grams - sum(part) over (partition by inventory_id) else part end as share
          from raw)
        insert into stat_goods_cube (day, trade_mode, country, ebc_code, region, customs_code, carrier_code, hs_heading,
          inventories, lines, value_fen, value_usd_cents, weight_grams)
        select day::date, trade_mode, country, ebc_code, region, customs_code, carrier_code, heading, count(*), sum(lines),
          sum(fen), sum(div(fen * 2000000 + usd, usd * 2)), sum(share)
        from shared group by 1, 2, 3, 4, 5, 6, 7, 8`.execute(exec);
    },

    /** Totals grouped by one dimension over the cube that can answer it (group keys are whitelisted). */
    async grouped(by: Dimension, f: CubeFilter, limit: number): Promise<CubeTotals[]> {
      const def = DIMENSION_DEFS[by];
      const goods = def.goodsOnly || !!f.hs;
      const table = sql.raw(goods ? 'stat_goods_cube' : 'stat_inventory_cube');
      const expr = sql.raw(def.expr);
      const r = await sql<CubeTotals>`
        select ${expr} as key, sum(inventories)::bigint as inventories, sum(value_fen)::text as value_fen,
          sum(value_usd_cents)::text as value_usd_cents, sum(weight_grams)::text as weight_grams
        from ${table} where ${where(f)}
        group by 1 order by sum(value_fen) desc, 1 limit ${limit}`.execute(exec);
      return r.rows;
    },

    async totals(f: CubeFilter, goodsCube: boolean): Promise<Omit<CubeTotals, 'key'>> {
      const table = sql.raw(goodsCube || f.hs ? 'stat_goods_cube' : 'stat_inventory_cube');
      const r = await sql<Omit<CubeTotals, 'key'>>`
        select coalesce(sum(inventories), 0)::bigint as inventories, coalesce(sum(value_fen), 0)::text as value_fen,
          coalesce(sum(value_usd_cents), 0)::text as value_usd_cents, coalesce(sum(weight_grams), 0)::text as weight_grams
        from ${table} where ${where(f)}`.execute(exec);
      return r.rows[0]!;
    },
  };
}

function where(f: CubeFilter) {
  const c = [sql`day between ${f.from}::date and ${f.to}::date`];
  if (f.customsPrefix) c.push(sql`customs_code like ${`${f.customsPrefix}%`}`);
  if (f.ownCodes) c.push(sql`(ebc_code = any(${f.ownCodes}::text[]) or carrier_code = any(${f.ownCodes}::text[]))`);
  if (f.mode) c.push(sql`trade_mode = ${f.mode}`);
  if (f.country) c.push(sql`country = ${f.country}`);
  if (f.customs) c.push(sql`customs_code = ${f.customs}`);
  if (f.enterprise) c.push(sql`ebc_code = ${f.enterprise}`);
  if (f.sellerCodes) c.push(sql`ebc_code = any(${f.sellerCodes}::text[])`);
  if (f.carrier) c.push(sql`carrier_code = ${f.carrier}`);
  if (f.county) c.push(sql`region like ${`${f.county}%`}`);
  if (f.hs) c.push(sql`hs_heading like ${`${f.hs}%`}`);
  return sql.join(c, sql` and `);
}

/**
 * The closed lines valued as the fold values them: rates as ranges (CNY always 1), amounts in
 * millionths, fen = amount × rate rounded half away from zero (numeric `div` on doubled operands, as
 * `divRound`), region (`stat_region_of`, migration 002) and HS heading as `regionOf` and the fold derive them. `rate`/`usd` are null
 * where no rate is in force.
 */
function valuedLines(source: RawBuilder<unknown>) {
  return sql`rates as (
      select currency, valid_from, lead(valid_from) over (partition by currency order by valid_from) as valid_to,
        cny_per_unit * 1000000 as micros
      from stat_fx_rate where currency <> '142'
      union all select '142', '0001-01-01'::date, null, 1000000),
    s as (select *, coalesce(nullif(currency, ''), '142') as cur from (${source}) src),
    l as (
      select s.inventory_id, s.day, s.trade_mode, s.country, s.ebc_code, s.customs_code, s.carrier_code, s.line_no, s.cur,
        stat_region_of(s.ebc_code) as region,
        round(coalesce(nullif(trim(s.gross_weight), ''), '0')::numeric * 1000) as grams,
        rpad(left(coalesce(nullif(s.gcode, ''), '0000'), 4), 4, '0') as heading,
        div(round(coalesce(nullif(trim(s.total_price), ''), '0')::numeric * 1000000) * r.micros * 2 + 10000000000,
          20000000000) as fen,
        r.micros as rate, u.micros as usd
      from s
      left join rates r on r.currency = s.cur and s.day::date >= r.valid_from
        and (r.valid_to is null or s.day::date < r.valid_to)
      left join rates u on u.currency = '502' and s.day::date >= u.valid_from
        and (u.valid_to is null or s.day::date < u.valid_to))`;
}
