import { sql, type Executor } from '../../kernel/db.ts';
import type { Lane } from '../clearance/index.ts';
import type { RiskRule, RuleHit, RuleKind } from './rules/risk.rules.ts';

interface RuleRow {
  id: string;
  version: number;
  effective_from: string;
  kind: string;
  lane: string;
  params: Record<string, unknown>;
  explain_zh: string;
  explain_en: string;
  enabled: boolean;
  created_by: string | null;
  created_at: Date;
}

/** Latest prices per HS code and currency a median is taken over. */
export const HS_MEDIAN_SAMPLES = 1000;

export interface DecisionRow {
  inventory_id: string;
  guid: string;
  ebc_code: string;
  customs_code: string | null;
  split_key: string;
  total: string;
  logistics_no: string | null;
  order_no: string | null;
  /** the declaration time as declared (appTime, YYYYMMDDhhmmss Beijing time) */
  app_time: string | null;
  /** one line per goods line: name ×quantity */
  goods: string | null;
  lane: Lane;
  hits: RuleHit[];
  decided_at: Date;
  /** the parcel still waits in 300 (risk-hit queue); cleared when it is decided, rejected or withdrawn */
  held: boolean;
  /** the first decision's lane and time where the parcel was decided again; null while this is its first */
  first_lane: Lane | null;
  first_decided_at: Date | null;
}

const toRule = (r: RuleRow): RiskRule & { createdAt: string; createdBy: string | null } => ({
  id: r.id,
  version: r.version,
  effectiveFrom: r.effective_from,
  kind: r.kind as RuleKind,
  lane: r.lane as Lane,
  params: r.params,
  explainZh: r.explain_zh,
  explainEn: r.explain_en,
  enabled: r.enabled,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
});

/** (code, alias) for every code and each code of its enterprise, the code itself always among them. */
export function aliasPairs(codes: readonly string[], aliases: ReadonlyMap<string, readonly string[]> | undefined) {
  return [...new Set(codes)].flatMap((code) =>
    [...new Set([code, ...(aliases?.get(code) ?? [])])].map((alias) => ({ code, alias })),
  );
}

/** The risk module's SQL: batch statements, never one per parcel. */
export function createRiskRepository(db: Executor) {
  return {
    async allRules() {
      const { rows } = await sql<RuleRow>`
        select id, version, to_char(effective_from, 'YYYY-MM-DD') as effective_from, kind, lane, params, explain_zh, explain_en,
               enabled, created_by, created_at
        from rsk_rule order by id, version`.execute(db);
      return rows.map(toRule);
    },

    /** Locks the rule's versions so two editors never write the same version number. */
    async lastVersion(id: string): Promise<number> {
      await sql`select pg_advisory_xact_lock(hashtext(${`rsk_rule:${id}`}))`.execute(db);
      const { rows } = await sql<{ v: number | null }>`select max(version) as v from rsk_rule where id = ${id}`.execute(db);
      return rows[0]?.v ?? 0;
    },

    /** Serialises saves of split-shipment rules: at most one may be in force at a time (risk.service.ts). */
    async lockSplitRules(): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext('rsk_rule:kind:split_shipment'))`.execute(db);
    },

    async insertRule(r: RiskRule, createdBy: string | null, at: Date): Promise<void> {
      await sql`
        insert into rsk_rule (id, version, effective_from, kind, lane, params, explain_zh, explain_en, enabled, created_by, created_at)
        values (${r.id}, ${r.version}, ${r.effectiveFrom}::date, ${r.kind}, ${r.lane}, ${JSON.stringify(r.params)}::jsonb,
                ${r.explainZh}, ${r.explainEn}, ${r.enabled}, ${createdBy}, ${at})`.execute(db);
    },

    /**
     * Sellers among `codes` with at least one earlier decision (not counting `exclude`), under any
     * of their `aliases` (every code of the seller's enterprise).
     */
    async sellersWithHistory(
      codes: string[],
      exclude: string[],
      aliases?: ReadonlyMap<string, readonly string[]>,
      /** only decisions before this time count (a replay: what was history when its period began) */
      before?: Date,
    ): Promise<Set<string>> {
      if (codes.length === 0) return new Set();
      const pairs = aliasPairs(codes, aliases);
      // One probe per seller code that stops at its first decision: a distinct over a seller's
      // whole history grew with every parcel it ever sent.
      const { rows } = await sql<{ ebc_code: string }>`
        select distinct c.code as ebc_code
        from unnest(${pairs.map((x) => x.code)}::text[], ${pairs.map((x) => x.alias)}::text[]) as c(code, alias)
        where exists (select 1 from rsk_decision d where d.ebc_code = c.alias and not (d.inventory_id = any(${exclude}::uuid[]))
                        ${before ? sql`and coalesce(d.first_decided_at, d.decided_at) < ${before}` : sql``})`.execute(db);
      return new Set(rows.map((r) => r.ebc_code));
    },

    /**
     * Per split key: earlier low-value parcels decided since `since` (not counting `exclude`). The
     * window's count and the excluded ids' own count are taken apart and subtracted: tested row by
     * row, `not (inventory_id = any(exclude))` compared every decision of the window with every id
     * of the batch (500 × the window, growing with the day's traffic).
     */
    async splitCounts(keys: string[], since: Date, maxValue: number, exclude: string[]): Promise<Map<string, number>> {
      if (keys.length === 0) return new Map();
      const { rows } = await sql<{ split_key: string; n: string }>`
        with windowed as (
          select split_key, count(*) as n from rsk_decision
          where split_key = any(${keys}::text[]) and decided_at >= ${since} and total < ${maxValue}
          group by split_key
        ), excluded as (
          select split_key, count(*) as n from rsk_decision
          where inventory_id = any(${exclude}::uuid[]) and split_key = any(${keys}::text[]) and decided_at >= ${since} and total < ${maxValue}
          group by split_key
        )
        select w.split_key, w.n - coalesce(e.n, 0) as n from windowed w left join excluded e on e.split_key = w.split_key
        where w.n - coalesce(e.n, 0) > 0`.execute(db);
      return new Map(rows.map((r) => [r.split_key, Number(r.n)]));
    },

    /**
     * Median unit price per `${hs}|${currency}` over the latest HS_MEDIAN_SAMPLES decisions since
     * `since`: read backwards on (hs_code, currency, decided_at), so the cost per batch is bounded
     * however many parcels of a popular HS code the window holds.
     */
    async hsMedians(keys: string[], since: Date): Promise<Map<string, { price: number; samples: number }>> {
      if (keys.length === 0) return new Map();
      const pairs = keys.map((k) => k.split('|'));
      const { rows } = await sql<{ k: string; median: string | null; n: string }>`
        select k.hs || '|' || k.cur as k, m.median, m.n
        from unnest(${pairs.map((p) => p[0] ?? '')}::text[], ${pairs.map((p) => p[1] ?? '')}::text[]) as k(hs, cur)
        cross join lateral (
          select percentile_cont(0.5) within group (order by x.unit_price) as median, count(*) as n
          from (select unit_price from rsk_price where hs_code = k.hs and currency = k.cur and decided_at >= ${since}
                order by decided_at desc limit ${HS_MEDIAN_SAMPLES}) x
        ) m
        where m.n > 0`.execute(db);
      return new Map(rows.map((r) => [r.k, { price: Number(r.median), samples: Number(r.n) }]));
    },

    /**
     * Stores each inventory's decision. A decision taken again (a fixed hold) keeps the history:
     * the one it replaces is appended to rsk_decision_history, and the row keeps its first lane and
     * time (first_lane, first_decided_at; null while the row is its own first decision). One
     * statement for the batch; a first decision finds nothing to append.
     */
    async saveDecisions(
      rows: Omit<DecisionRow, 'decided_at' | 'held' | 'first_lane' | 'first_decided_at'>[],
      at: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      await sql`
        with t as materialized (
          -- one JSON parameter: a jsonb[] literal makes pg escape every quote of every hit list
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(inventory_id uuid, guid text, ebc_code text,
            customs_code text, split_key text, total numeric, logistics_no text, order_no text, app_time text, goods text, lane text,
            hits jsonb)
        ), superseded as (
          insert into rsk_decision_history (inventory_id, lane, hits, decided_at, superseded_at)
          select d.inventory_id, d.lane, d.hits, d.decided_at, ${at}::timestamptz
          from rsk_decision d join t on t.inventory_id = d.inventory_id
        )
        insert into rsk_decision (inventory_id, guid, ebc_code, customs_code, split_key, total, logistics_no, order_no, app_time, goods,
          lane, hits, decided_at, held)
        select t.inventory_id, t.guid, t.ebc_code, t.customs_code, t.split_key, t.total, t.logistics_no, t.order_no, t.app_time, t.goods,
          t.lane, t.hits, ${at}::timestamptz, t.lane <> 'green'
        from t
        on conflict (inventory_id) do update set guid = excluded.guid, ebc_code = excluded.ebc_code, customs_code = excluded.customs_code,
          split_key = excluded.split_key, total = excluded.total, logistics_no = excluded.logistics_no, order_no = excluded.order_no,
          app_time = excluded.app_time, goods = excluded.goods, lane = excluded.lane, hits = excluded.hits,
          decided_at = excluded.decided_at, held = excluded.held,
          first_lane = coalesce(rsk_decision.first_lane, rsk_decision.lane),
          first_decided_at = coalesce(rsk_decision.first_decided_at, rsk_decision.decided_at)`.execute(db);
    },

    /** The decisions an inventory's current one replaced, oldest first. */
    async earlierDecisions(inventoryId: string) {
      const { rows } = await sql<{ lane: Lane; hits: RuleHit[]; decided_at: Date; superseded_at: Date }>`
        select lane, hits, decided_at, superseded_at from rsk_decision_history
        where inventory_id = ${inventoryId} order by decided_at, id`.execute(db);
      return rows;
    },

    async savePrices(
      rows: { inventory_id: string; gnum: string; hs_code: string; currency: string; unit_price: number }[],
      at: Date,
    ) {
      if (rows.length === 0) return;
      await sql`
        insert into rsk_price (inventory_id, gnum, hs_code, currency, unit_price, decided_at)
        select t.*, ${at}::timestamptz
        from unnest(${rows.map((r) => r.inventory_id)}::uuid[], ${rows.map((r) => r.gnum)}::text[], ${rows.map((r) => r.hs_code)}::text[],
                    ${rows.map((r) => r.currency)}::text[], ${rows.map((r) => r.unit_price)}::numeric[])
          as t(inventory_id, gnum, hs_code, currency, unit_price)
        on conflict (inventory_id, gnum) do update set hs_code = excluded.hs_code, currency = excluded.currency,
          unit_price = excluded.unit_price, decided_at = excluded.decided_at`.execute(db);
    },

    async decisionsOf(ids: string[]): Promise<DecisionRow[]> {
      if (ids.length === 0) return [];
      const { rows } = await sql<DecisionRow>`select * from rsk_decision where inventory_id = any(${ids}::uuid[])`.execute(db);
      return rows;
    },

    /**
     * The dry run's chunks: decisions from `since` up to `until`, oldest first, a page after the
     * keyset `after` (decided_at to the microsecond as at_key, inventory_id); `customsPrefix` limits
     * to a jurisdiction. Only what the replay needs.
     */
    async decisionsChunk(
      since: Date,
      until: Date,
      customsPrefix: string | null,
      after: { atKey: string; inventoryId: string } | null,
      limit: number,
    ): Promise<{ inventory_id: string; guid: string; decided_at: Date; at_key: string }[]> {
      const { rows } = await sql<{ inventory_id: string; guid: string; decided_at: Date; at_key: string }>`
        select inventory_id, guid, decided_at,
               to_char(decided_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key
        from rsk_decision
        where decided_at >= ${since} and decided_at <= ${until}
          and (${customsPrefix}::text is null or customs_code like ${`${customsPrefix ?? ''}%`})
          ${after ? sql`and (decided_at, inventory_id) > (${after.atKey}::timestamptz, ${after.inventoryId}::uuid)` : sql``}
        order by decided_at, inventory_id limit ${limit}`.execute(db);
      return rows;
    },

    /**
     * Parcels still held whose current decision the rule hit (any version): what an edit or a
     * switch-off of the rule may change. Read on the partial index of held decisions.
     */
    async heldByRule(ruleId: string): Promise<string[]> {
      const { rows } = await sql<{ inventory_id: string }>`
        select inventory_id from rsk_decision
        where held and hits @> ${JSON.stringify([{ rule: ruleId }])}::jsonb
        order by inventory_id`.execute(db);
      return rows.map((r) => r.inventory_id);
    },

    /**
     * The risk-hit queue: decisions whose parcel is still held, oldest first (officers work it
     * first in, first out), a page after the keyset `after` (decided_at, inventory_id), read on the
     * partial index of held decisions.
     */
    async hitQueue(
      customsPrefix: string | null,
      after: { decidedAt: string; inventoryId: string } | null,
      limit: number,
    ): Promise<(DecisionRow & { at_key: string })[]> {
      // at_key: the decision time to the microsecond (a JS Date keeps milliseconds), for the cursor.
      const { rows } = await sql<DecisionRow & { at_key: string }>`
        select *, to_char(decided_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key from rsk_decision
        where held and (${customsPrefix}::text is null or customs_code like ${`${customsPrefix ?? ''}%`})
          ${after ? sql`and (decided_at, inventory_id) > (${after.decidedAt}::timestamptz, ${after.inventoryId}::uuid)` : sql``}
        order by decided_at, inventory_id limit ${limit}`.execute(db);
      return rows;
    },

    /** How many decisions the queue holds in a jurisdiction. */
    async heldCount(customsPrefix: string | null): Promise<number> {
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from rsk_decision
        where held and (${customsPrefix}::text is null or customs_code like ${`${customsPrefix ?? ''}%`})`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /** Parcels that left the queue: approved, released by inspection, rejected, cancelled or deleted. */
    async settle(inventoryIds: string[]): Promise<void> {
      if (inventoryIds.length === 0) return;
      await sql`update rsk_decision set held = false where inventory_id = any(${inventoryIds}::uuid[]) and held`.execute(db);
    },

    /**
     * Parcels still held that may be decided again: of these sellers, those in the `hold` lane (what
     * a fixed cause, a filing or a batch, may release); among these inventories, those in the `hold`
     * or `review` lane (what a rule edited or switched off may change). Clearance re-checks each
     * under lock (still in 300, no officer decision).
     */
    async heldToRedecide(ebcCodes: string[], inventoryIds: string[] = []): Promise<string[]> {
      if (ebcCodes.length === 0 && inventoryIds.length === 0) return [];
      const { rows } = await sql<{ inventory_id: string }>`
        select inventory_id from rsk_decision
        where held and lane in ('hold', 'review')
          and ((lane = 'hold' and ebc_code = any(${[...new Set(ebcCodes)]}::text[]))
               or inventory_id = any(${[...new Set(inventoryIds)]}::uuid[]))
        order by inventory_id`.execute(db);
      return rows.map((r) => r.inventory_id);
    },

    /**
     * Of these inventories, those decided before, and whether that decision found the seller
     * exporting for the first time (a hit of one of `firstTimeRules`): a parcel decided again keeps
     * it, or its seller's later parcels would make it look known.
     */
    async earlierFirstTime(inventoryIds: string[], firstTimeRules: string[]): Promise<Map<string, boolean>> {
      if (inventoryIds.length === 0) return new Map();
      const { rows } = await sql<{ inventory_id: string; first_time: boolean }>`
        select inventory_id,
               exists (select 1 from jsonb_array_elements(hits) h where h->>'rule' = any(${firstTimeRules}::text[])) as first_time
        from rsk_decision where inventory_id = any(${inventoryIds}::uuid[])`.execute(db);
      return new Map(rows.map((r) => [r.inventory_id, r.first_time]));
    },

    /**
     * Measures: decisions and auto-released share, and hits per rule, since a day. A parcel counts
     * by its first decision (its time and lane): one held and released when decided again was not
     * auto-released, and its decision time is the first one's. Hits per rule count each parcel a
     * rule hit once, in its current decision or an earlier one.
     */
    async measures(since: Date, customsPrefix: string | null) {
      // A re-decided row's decided_at is after its first: the decided_at index narrows, the first time decides.
      const scope = sql`decided_at >= ${since} and coalesce(first_decided_at, decided_at) >= ${since}
        and (${customsPrefix}::text is null or customs_code like ${`${customsPrefix ?? ''}%`})`;
      // Decision time: from the declaration (appTime, Beijing time per the CEB standard) to the first decision.
      const { rows: totals } = await sql<{ total: string; green: string; median_s: string | null }>`
        select count(*) as total, count(*) filter (where coalesce(first_lane, lane) = 'green') as green,
               percentile_cont(0.5) within group (order by extract(epoch from coalesce(first_decided_at, decided_at) - (
                 to_timestamp(app_time, 'YYYYMMDDHH24MISS')::timestamp at time zone 'Asia/Shanghai')))
                 filter (where app_time ~ '^[0-9]{14}$') as median_s
        from rsk_decision where ${scope}`.execute(db);
      const { rows: perRule } = await sql<{ rule: string; lane: string; n: string }>`
        with d as (select inventory_id, hits, first_lane from rsk_decision where ${scope})
        select h->>'rule' as rule, h->>'lane' as lane, count(distinct x.inventory_id) as n
        from (select inventory_id, hits from d
              union all
              select e.inventory_id, e.hits from rsk_decision_history e join d on d.inventory_id = e.inventory_id
              where d.first_lane is not null) x,
             jsonb_array_elements(x.hits) h
        group by 1, 2 order by 3 desc, 1, 2`.execute(db);
      // Which rule sent which parcel to inspection: the hit rate per rule is over its own tasks.
      const { rows: inspected } = await sql<{ rule: string; inventory_id: string }>`
        select h->>'rule' as rule, inventory_id
        from rsk_decision, jsonb_array_elements(hits) h where ${scope} and lane = 'inspect' and h->>'lane' = 'inspect'`.execute(
        db,
      );
      return {
        inspected,
        total: Number(totals[0]?.total ?? 0),
        green: Number(totals[0]?.green ?? 0),
        medianDecisionSeconds: totals[0]?.median_s == null ? null : Math.max(0, Number(totals[0].median_s)),
        perRule: perRule.map((r) => ({ rule: r.rule, lane: r.lane, hits: Number(r.n) })),
      };
    },
  };
}
