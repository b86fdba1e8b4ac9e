import { sql, tables, type Executor } from '../../kernel/db.ts';
import type { EventRow, LogisticsTables, ServiceRow } from './logistics.tables.ts';

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

    /** Inserts events; a scan already stored (same carrier, number, code, time) is skipped. */
    async insertEvents(rows: EventRow[]): Promise<EventRow[]> {
      if (!rows.length) return [];
      return db
        .insertInto('lgx_event')
        .values(rows)
        .onConflict((oc) => oc.columns(['carrier_org_id', 'logistics_no', 'code', 'at']).doNothing())
        .returningAll()
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

    /** The latest event of every parcel a carrier has scanned. */
    async latestOfCarrier(carrierOrgId: string): Promise<EventRow[]> {
      const r = await sql<EventRow>`
        select distinct on (logistics_no) * from lgx_event where carrier_org_id = ${carrierOrgId}
         order by logistics_no, at desc, created_at desc`.execute(exec);
      return r.rows;
    },

    /** Parcels of a carrier with any event in [from, to), with all their events. */
    async eventsOfCarrierIn(carrierOrgId: string, from: Date, to: Date, limit: number): Promise<EventRow[]> {
      const r = await sql<EventRow>`
        with p as (
          select distinct logistics_no from lgx_event
           where carrier_org_id = ${carrierOrgId} and at >= ${from} and at < ${to}
           order by logistics_no limit ${limit})
        select e.* from lgx_event e join p using (logistics_no)
         where e.carrier_org_id = ${carrierOrgId} order by e.logistics_no, e.at, e.created_at`.execute(exec);
      return r.rows;
    },
  };
}
