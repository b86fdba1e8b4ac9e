import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { EventRow, LogisticsTables, ParcelLastRow, ServiceRow } from './logistics.tables.ts';
import { EVENT_CODES } from './rules/events.rules.ts';

export function createLogisticsRepository(exec: Executor) {
  const db = tables<LogisticsTables>(exec);
  return {
    async upsertService(r: ServiceRow): Promise<{ row: ServiceRow; created: boolean }> {
      const row = await db
        .insertInto('lgx_service')
        .values(r)
        .onConflict((oc) =>
          oc.columns(['carrier_org_id', 'code']).doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            kind: eb.ref('excluded.kind'),
            countries: eb.ref('excluded.countries'),
            transit_days: eb.ref('excluded.transit_days'),
            active: eb.ref('excluded.active'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .returning(sql<boolean>`xmax = 0`.as('inserted'))
        .executeTakeFirstOrThrow();
      const { inserted, ...rest } = row as ServiceRow & { inserted: boolean };
      return { row: rest, created: inserted };
    },

    async services(q: { carrierOrgId?: string; country?: string; kind?: string; activeOnly?: boolean }): Promise<ServiceRow[]> {
      let s = db.selectFrom('lgx_service').selectAll();
      if (q.carrierOrgId) s = s.where('carrier_org_id', '=', q.carrierOrgId);
      if (q.kind) s = s.where('kind', '=', q.kind);
      if (q.country) s = s.where(sql<boolean>`${q.country} = any(countries)`);
      if (q.activeOnly) s = s.where('active', '=', true);
      return s.orderBy('code').orderBy('id').limit(500).execute();
    },

    /**
     * Inserts events; a scan already stored (same carrier, number, code, time) is skipped. The same
     * statement keeps each parcel's latest event (lgx_parcel_last): a later event by event time wins,
     * at the same time the later stage of the lifecycle (EVENT_CODES order), so batches arriving
     * out of order leave the latest scan, never the last one sent.
     */
    async insertEvents(rows: EventRow[]): Promise<EventRow[]> {
      if (!rows.length) return [];
      const rank = (ref: string) => sql<number>`array_position(${[...EVENT_CODES]}::text[], ${sql.ref(ref)})`;
      return db
        .with('ins', (qc) =>
          qc
            .insertInto('lgx_event')
            .values(rows)
            .onConflict((oc) => oc.columns(['carrier_org_id', 'logistics_no', 'code', 'at']).doNothing())
            .returningAll(),
        )
        .with('last', (qc) =>
          qc
            .insertInto('lgx_parcel_last')
            .columns(['carrier_org_id', 'logistics_no', 'event_id', 'code', 'last_at'])
            .expression((eb) =>
              eb
                .selectFrom('ins')
                .distinctOn(['ins.carrier_org_id', 'ins.logistics_no'])
                .select(['ins.carrier_org_id', 'ins.logistics_no', 'ins.id', 'ins.code', 'ins.at'])
                .orderBy('ins.carrier_org_id')
                .orderBy('ins.logistics_no')
                .orderBy('ins.at', 'desc')
                .orderBy(sql`${rank('ins.code')} desc nulls last`),
            )
            .onConflict((oc) =>
              oc
                .columns(['carrier_org_id', 'logistics_no'])
                .doUpdateSet((eb) => ({
                  event_id: eb.ref('excluded.event_id'),
                  code: eb.ref('excluded.code'),
                  last_at: eb.ref('excluded.last_at'),
                }))
                .where(
                  sql<boolean>`(excluded.last_at, coalesce(${rank('excluded.code')}, 0)) > (lgx_parcel_last.last_at, coalesce(${rank('lgx_parcel_last.code')}, 0))`,
                ),
            ),
        )
        .selectFrom('ins')
        .selectAll()
        .execute();
    },

    async eventsOf(logisticsNos: string[]): Promise<EventRow[]> {
      if (!logisticsNos.length) return [];
      return db
        .selectFrom('lgx_event')
        .selectAll()
        .where('logistics_no', 'in', logisticsNos)
        .orderBy('at')
        .orderBy('created_at')
        .execute();
    },

    /**
     * A carrier's parcels not delivered whose latest scan is at or after `since`, oldest scan first,
     * after the cursor (last scan time, number): the problem-parcel candidates.
     */
    async openParcels(
      carrierOrgId: string,
      since: Date,
      after: { at: Date; logisticsNo: string } | null,
      limit: number,
    ): Promise<ParcelLastRow[]> {
      let q = db
        .selectFrom('lgx_parcel_last')
        .selectAll()
        .where('carrier_org_id', '=', carrierOrgId)
        .where('code', '<>', 'delivered')
        .where('last_at', '>=', since);
      if (after) q = q.where(sql<boolean>`(last_at, logistics_no) > (${after.at}, ${after.logisticsNo})`);
      return q.orderBy('last_at').orderBy('logistics_no').limit(limit).execute();
    },

    /**
     * Parcels of a carrier with any event in [from, to), by number after `after` (the last number of
     * the previous page), at most `limit` of them, with all their events.
     */
    async eventsOfCarrierIn(
      carrierOrgId: string,
      from: Date,
      to: Date,
      after: string | null,
      limit: number,
    ): Promise<EventRow[]> {
      const r = await sql<EventRow>`
        with p as (
          select distinct logistics_no from lgx_event
           where carrier_org_id = ${carrierOrgId} and at >= ${from} and at < ${to}
             and (${after}::text is null or logistics_no > ${after}::text)
           order by logistics_no limit ${limit})
        select e.* from lgx_event e join p using (logistics_no)
         where e.carrier_org_id = ${carrierOrgId} order by e.logistics_no, e.at, e.created_at`.execute(exec);
      return r.rows;
    },
  };
}
