import { parse } from 'csv-parse/sync';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { forbidden, notFound, validationError, type Bilingual } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { parcelCustomsLookup, type ParcelCustomsState } from '../clearance/index.ts';
import { actorOf, isAdmin, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { createLogisticsRepository } from './logistics.repository.ts';
import { queueTrackingHooks } from './tracking-hooks.service.ts';
import { trackingRecipients, type TrackingFeed } from './tracking-feed.service.ts';
import type { EventRow, ServiceRow } from './logistics.tables.ts';
import {
  EVENT_LABELS,
  FINAL_CODES,
  SERVICE_KINDS,
  validateEvent,
  type EventCode,
  type EventInput,
  type RowError,
  type ServiceKind,
} from './rules/events.rules.ts';

export interface LogisticsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** the live stream's feed (positions in PostgreSQL, wake-ups across processes) */
  feed: TrackingFeed;
}

export interface CarrierService {
  id: string;
  carrierOrgId: string;
  code: string;
  name: string;
  kind: ServiceKind;
  countries: string[];
  transitDays: number | null;
  active: boolean;
}

export interface ServiceInput {
  code: string;
  name: string;
  kind: ServiceKind;
  countries: string[];
  transitDays?: number | null;
  active?: boolean;
}

export interface TrackingEvent {
  logisticsNo: string;
  logisticsCode: string;
  code: string;
  label: Bilingual;
  at: string;
  location: string | null;
  country: string | null;
  description: string;
  serviceCode: string | null;
  source: string;
}

/** A tracking event as the live stream sends it: with its id (to dedupe by) and its feed position. */
export interface FeedEvent extends TrackingEvent {
  id: string;
  seq: number;
}

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  errors: RowError[];
}

export interface TimelineEntry {
  at: string;
  source: 'carrier' | 'customs';
  code: string;
  label: Bilingual;
  detail: string | null;
  location: string | null;
}

export interface Timeline {
  logisticsNo: string;
  logisticsCodes: string[];
  invtNo: string | null;
  customsStatus: string | null;
  entries: TimelineEntry[];
}

export interface ProblemParcel {
  logisticsNo: string;
  reason: 'no_scan' | 'returned' | 'held';
  lastCode: string;
  lastAt: string;
  daysSinceScan: number;
}

/** Customs statuses by document kind, as the timeline shows them. */
const CUSTOMS_LABELS: Readonly<Record<string, Bilingual>> = {
  '2': { zh: '海关已接收', en: 'received by customs' },
  '120': { zh: '海关已入库', en: 'stored by customs' },
  '300': { zh: '人工审核', en: 'under officer review' },
  '399': { zh: '海关审结', en: 'decided by customs' },
  '500': { zh: '查验', en: 'inspection' },
  '800': { zh: '放行', en: 'released' },
  '899': { zh: '结关', en: 'closed' },
  '100': { zh: '海关退单', en: 'rejected by customs' },
};
const KIND_LABELS: Readonly<Record<ParcelCustomsState['kind'], Bilingual>> = {
  order: { zh: '订单', en: 'order' },
  payment: { zh: '收款单', en: 'payment collection' },
  waybill: { zh: '运单', en: 'waybill' },
  inventory: { zh: '清单', en: 'inventory' },
  arrival: { zh: '运抵', en: 'arrival' },
  consolidation: { zh: '总分单', en: 'consolidation' },
  departure: { zh: '离境', en: 'departure' },
};
/** The parcel's order documents: shown on a timeline only to their own parties. */
const ORDER_KINDS: ReadonlySet<ParcelCustomsState['kind']> = new Set(['order', 'payment']);
/** Inventory statuses that mean the parcel waits on customs: a held parcel for the carrier. */
const HELD_CUSTOMS = new Set(['300', '500']);

const DAY = 86_400_000;
const MAX_EVENTS = 5_000;
/** Problem parcels: the default look-back (days since the latest scan), the largest page. */
export const PROBLEM_WINDOW_DAYS = 90;
const MAX_PROBLEMS = 1_000;
/** Candidates read per statement, and at most per request. */
const PROBLEM_CHUNK = 500;
const PROBLEM_SCAN = 5_000;

/** The problem list's cursor: the last scan time and number of the last parcel looked at. */
function encodeProblemCursor(c: { at: Date; logisticsNo: string }): string {
  return Buffer.from(`${c.at.toISOString()}|${c.logisticsNo}`, 'utf8').toString('base64url');
}

function decodeProblemCursor(text: string): { at: Date; logisticsNo: string } {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const bar = raw.indexOf('|');
  const at = new Date(raw.slice(0, bar));
  const logisticsNo = raw.slice(bar + 1);
  if (bar < 0 || Number.isNaN(at.getTime()) || !logisticsNo)
    throw validationError([
      {
        field: 'after',
        rule: 'cursor',
        message: {
          zh: '分页游标（after）无效：请使用上一页的 next',
          en: "invalid cursor: pass the previous page's next as after",
        },
      },
    ]);
  return { at, logisticsNo };
}

export function toService(r: ServiceRow): CarrierService {
  return {
    id: r.id,
    carrierOrgId: r.carrier_org_id,
    code: r.code,
    name: r.name,
    kind: r.kind as ServiceKind,
    countries: r.countries,
    transitDays: r.transit_days,
    active: r.active,
  };
}

export function toEvent(r: EventRow): TrackingEvent {
  return {
    logisticsNo: r.logistics_no,
    logisticsCode: r.carrier_code,
    code: r.code,
    label: EVENT_LABELS[r.code as EventCode] ?? { zh: r.code, en: r.code },
    at: r.at.toISOString(),
    location: r.location,
    country: r.country,
    description: r.description,
    serviceCode: r.service_code,
    source: r.source,
  };
}

/** The carrier the caller acts for: an enterprise with the logistics role and a customs code. */
function carrierOf(p: Principal): { id: string; code: string; name: string } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.includes('logistics') || !org.code) throw forbidden();
  return { id: org.id, code: org.code, name: org.name };
}

/** Customs facts turned into timeline entries: release and closure are moments of their own. */
export function customsEntries(states: ParcelCustomsState[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const s of states) {
    const kind = KIND_LABELS[s.kind];
    const status = CUSTOMS_LABELS[s.status] ?? { zh: s.status, en: s.status };
    const detail = s.invtNo ?? s.billNo ?? s.returnInfo;
    // A released or closed inventory's state is that moment, told below at its own time: shown
    // again at the state's time it read as a second release or closure.
    const toldBelow = (s.status === '800' && s.releasedAt) || (s.status === '899' && s.closedAt);
    if (!toldBelow)
      out.push({
        at: s.at.toISOString(),
        source: 'customs',
        code: `${s.kind}.${s.status}`,
        label: { zh: `${kind.zh}：${status.zh}`, en: `${kind.en}: ${status.en}` },
        detail,
        location: null,
      });
    if (s.releasedAt)
      out.push({
        at: s.releasedAt.toISOString(),
        source: 'customs',
        code: 'inventory.800',
        label: { zh: '清单：放行', en: 'inventory: released' },
        detail,
        location: null,
      });
    if (s.closedAt)
      out.push({
        at: s.closedAt.toISOString(),
        source: 'customs',
        code: 'inventory.899',
        label: { zh: '清单：结关', en: 'inventory: closed' },
        detail,
        location: null,
      });
  }
  return out;
}

export type LogisticsService = ReturnType<typeof createLogisticsService>;

export function createLogisticsService(deps: LogisticsDeps) {
  const { db, clock, audit, feed } = deps;

  /**
   * Stored events go to the parties' tracking webhooks and into the live feed in the storing
   * transaction; `feed.announce()` after the commit gives them their positions and wakes the streams.
   */
  async function tracked(exec: Executor, rows: EventRow[]): Promise<void> {
    if (!rows.length) return;
    const recipients = await trackingRecipients(exec, rows);
    const now = clock.now();
    await queueTrackingHooks(exec, rows, recipients, (r) => ({ id: r.id, ...toEvent(r) }), now);
    await feed.queue(exec, rows, recipients, now);
  }

  async function ingest(
    p: Principal | null,
    inputs: EventInput[],
    source: 'api' | 'csv',
    rowBase: number,
  ): Promise<IngestResult> {
    requirePermission(p, 'logistics.manage');
    const carrier = carrierOf(p);
    if (inputs.length > MAX_EVENTS)
      throw validationError([
        {
          field: 'events',
          rule: 'maxItems',
          message: { zh: `一次最多 ${MAX_EVENTS} 条事件`, en: `at most ${MAX_EVENTS} events at once` },
        },
      ]);
    const repo = createLogisticsRepository(db);
    const serviceKinds = new Map((await repo.services({ carrierOrgId: carrier.id })).map((s) => [s.code, s.kind as ServiceKind]));
    const now = clock.now();
    const errors: RowError[] = [];
    const rows: EventRow[] = [];
    inputs.forEach((input, i) => {
      const v = validateEvent(input, i + rowBase, { now, serviceKinds });
      if (!v.ok) {
        errors.push(...v.errors);
        return;
      }
      const e = v.event;
      rows.push({
        id: newId(),
        carrier_org_id: carrier.id,
        carrier_code: carrier.code,
        logistics_no: e.logisticsNo,
        code: e.code,
        at: e.at,
        location: e.location,
        country: e.country,
        description: e.description,
        service_code: e.serviceCode,
        source,
        created_at: now,
      });
    });
    const stored = await db.transaction().execute(async (trx) => {
      const inserted = await createLogisticsRepository(trx).insertEvents(rows);
      await tracked(trx, inserted);
      if (inserted.length) {
        await audit.append(trx, actorOf(p), [
          {
            action: 'logistics.events_received',
            entity: 'tracking_event',
            entityId: null,
            after: {
              source,
              count: inserted.length,
              logisticsNos: [...new Set(inserted.map((r) => r.logistics_no))].slice(0, 100),
            },
          },
        ]);
      }
      return inserted;
    });
    if (stored.length) await feed.announce();
    const rejectedRows = new Set(errors.map((e) => e.row)).size;
    return {
      received: inputs.length,
      stored: stored.length,
      duplicates: rows.length - stored.length,
      rejected: rejectedRows,
      errors,
    };
  }

  return {
    async saveService(p: Principal | null, input: ServiceInput): Promise<{ service: CarrierService; created: boolean }> {
      requirePermission(p, 'logistics.manage');
      const carrier = carrierOf(p);
      const problems = [];
      const countries = [...new Set(input.countries.map((c) => c.trim().toUpperCase()))];
      if (!countries.length || countries.some((c) => !/^[A-Z]{2}$/.test(c)))
        problems.push({
          field: 'countries',
          rule: 'iso3166',
          message: {
            zh: '目的国须为 ISO 3166 两位字母代码，至少一个',
            en: 'countries must be one or more ISO 3166 alpha-2 codes',
          },
        });
      if (!(SERVICE_KINDS as readonly string[]).includes(input.kind))
        problems.push({ field: 'kind', rule: 'enum', message: { zh: '服务类型无效', en: 'unknown service kind' } });
      if (problems.length) throw validationError(problems);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const { row, created } = await createLogisticsRepository(trx).upsertService({
          id: newId(),
          carrier_org_id: carrier.id,
          code: input.code.trim(),
          name: input.name.trim(),
          kind: input.kind,
          countries,
          transit_days: input.transitDays ?? null,
          active: input.active ?? true,
          created_at: now,
          updated_at: now,
        });
        const service = toService(row);
        await audit.append(trx, actorOf(p), [
          {
            action: created ? 'logistics.service_created' : 'logistics.service_updated',
            entity: 'logistics_service',
            entityId: row.id,
            after: service,
          },
        ]);
        return { service, created };
      });
    },

    /** Services by destination and kind: a directory every logged-in party may read. */
    async listServices(p: Principal | null, q: { country?: string; kind?: string; mine?: boolean }): Promise<CarrierService[]> {
      requirePermission(p, 'logistics.read');
      const carrierOrgId = q.mine ? carrierOf(p).id : undefined;
      const rows = await createLogisticsRepository(db).services({
        ...(carrierOrgId ? { carrierOrgId } : { activeOnly: true }),
        ...(q.country ? { country: q.country.toUpperCase() } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
      });
      return rows.map(toService);
    },

    ingestEvents: (p: Principal | null, events: EventInput[]) => ingest(p, events, 'api', 1),

    /**
     * Scans at the supervision centre, recorded on the parcel's tracking under its carrier in the
     * caller's transaction (the warehouse's scan), so the scan and its event commit together;
     * `announce` tells live streams once the caller has committed. Unknown carriers are skipped:
     * the scan itself never fails on tracking.
     */
    async recordSiteEvents(
      exec: Executor,
      events: { logisticsCode: string; logisticsNo: string; code: EventCode; at: Date; location: string }[],
    ): Promise<{ stored: number; announce(): Promise<void> }> {
      if (!events.length) return { stored: 0, announce: async () => undefined };
      const ids = await organisationDirectory(exec).idsByCodes([...new Set(events.map((e) => e.logisticsCode))]);
      const now = clock.now();
      const rows: EventRow[] = events
        .filter((e) => ids.has(e.logisticsCode))
        .map((e) => ({
          id: newId(),
          carrier_org_id: ids.get(e.logisticsCode)!,
          carrier_code: e.logisticsCode,
          logistics_no: e.logisticsNo,
          code: e.code,
          at: e.at,
          location: e.location,
          country: 'CN',
          description: '',
          service_code: null,
          source: 'warehouse',
          created_at: now,
        }));
      const stored = await createLogisticsRepository(exec).insertEvents(rows);
      await tracked(exec, stored);
      return { stored: stored.length, announce: () => (stored.length ? feed.announce() : Promise.resolve()) };
    },

    /** A carrier's CSV file: header row, then one event per row (row numbers as a spreadsheet shows them). */
    async ingestCsv(p: Principal | null, text: string): Promise<IngestResult> {
      requirePermission(p, 'logistics.manage');
      carrierOf(p);
      let records: Record<string, string>[];
      try {
        records = parse(text.replace(/^\uFEFF/, ''), {
          columns: true,
          skip_empty_lines: true,
          trim: true,
          relax_column_count: true,
        });
      } catch (e) {
        throw validationError([
          {
            field: 'body',
            rule: 'csv',
            message: { zh: `CSV 无法解析：${(e as Error).message}`, en: `CSV cannot be read: ${(e as Error).message}` },
          },
        ]);
      }
      const required = ['logisticsNo', 'code', 'at'];
      const header = records.length ? Object.keys(records[0]!) : [];
      const missing = required.filter((c) => !header.includes(c));
      if (records.length && missing.length)
        throw validationError(
          missing.map((c) => ({ field: c, rule: 'column', message: { zh: `缺少列 ${c}`, en: `column ${c} is missing` } })),
        );
      return ingest(p, records, 'csv', 2);
    },

    /**
     * One timeline per parcel, from the order to delivery abroad: the order and payment collection,
     * the carriers' scans and the customs states, in time order.
     */
    async timeline(p: Principal | null, logisticsNo: string, logisticsCode?: string): Promise<Timeline> {
      requirePermission(p, 'logistics.read');
      const no = logisticsNo.replace(/\s+/g, '').toUpperCase();
      const events = await createLogisticsRepository(db).eventsOf([no]);
      const codes = [...new Set([...events.map((e) => e.carrier_code), ...(logisticsCode ? [logisticsCode] : [])])];
      const found = await parcelCustomsLookup(db).states(
        codes.map((c) => `${c}|${no}`),
        { orders: true },
      );
      const orgId = p.organisation?.id;
      const admin = isAdmin(p);
      const partyTo = (s: ParcelCustomsState) => orgId !== undefined && s.parties.includes(orgId);
      // the order and payment collection only for their own parties (not the carrier, say); being on
      // them alone (the payer) does not open the parcel: that stays with the parcel's own documents
      const states = found.filter((s) => !ORDER_KINDS.has(s.kind) || admin || partyTo(s));
      const party = admin || states.some((s) => !ORDER_KINDS.has(s.kind) && partyTo(s));
      const own = events.filter((e) => e.carrier_org_id === orgId);
      if (!party && !own.length) throw notFound({ zh: `运单 ${no}`, en: `parcel ${no}` });
      const shown = party ? events : own;
      const entries: TimelineEntry[] = [
        ...shown.map((e) => ({
          at: e.at.toISOString(),
          source: 'carrier' as const,
          code: e.code,
          label: EVENT_LABELS[e.code as EventCode] ?? { zh: e.code, en: e.code },
          detail: e.description || null,
          location: [e.location, e.country].filter(Boolean).join(', ') || null,
        })),
        ...customsEntries(states),
      ].sort((a, b) => a.at.localeCompare(b.at));
      const inv = states.find((s) => s.kind === 'inventory');
      return {
        logisticsNo: no,
        logisticsCodes: codes,
        invtNo: inv?.invtNo ?? null,
        customsStatus: inv ? (inv.closedAt ? '899' : inv.releasedAt ? '800' : inv.status) : null,
        entries,
      };
    },

    /**
     * The carrier's parcels that need a look: no scan for `days`, returned, or held (by the carrier
     * or by customs: inventory under review or inspection), among the parcels whose latest scan is
     * within the last `window` days; oldest scan first, a page at a time (`after` = the previous
     * page's `next`). Reads the parcels' latest events (lgx_parcel_last), never their whole history.
     */
    async problems(
      p: Principal | null,
      q: { days?: number; window?: number; limit?: number; after?: string },
    ): Promise<{ items: ProblemParcel[]; next: string | null }> {
      requirePermission(p, 'logistics.read');
      const carrier = carrierOf(p);
      const days = q.days ?? 5;
      const window = q.window ?? PROBLEM_WINDOW_DAYS;
      if (window < days)
        throw validationError([
          {
            field: 'window',
            rule: 'min',
            message: {
              zh: `回看天数（window）不得少于无扫描天数（days = ${days}）`,
              en: `window must be at least days (${days})`,
            },
          },
        ]);
      const limit = Math.min(Math.max(q.limit ?? 200, 1), MAX_PROBLEMS);
      let cursor = q.after === undefined ? null : decodeProblemCursor(q.after);
      const now = clock.now();
      const since = new Date(now.getTime() - window * DAY);
      const repo = createLogisticsRepository(db);
      const customs = parcelCustomsLookup(db);
      const items: ProblemParcel[] = [];
      // Candidates a chunk at a time, at most PROBLEM_SCAN per request: a page may come back short
      // with a `next`, never after reading the carrier's whole history.
      for (let scanned = 0; scanned < PROBLEM_SCAN;) {
        const chunk = await repo.openParcels(carrier.id, since, cursor, PROBLEM_CHUNK);
        scanned += chunk.length;
        const asked = chunk.filter((e) => e.code !== 'returned' && e.code !== 'held');
        const states = asked.length ? await customs.states(asked.map((e) => `${carrier.code}|${e.logistics_no}`)) : [];
        const heldByCustoms = new Set(
          states.filter((s) => s.kind === 'inventory' && HELD_CUSTOMS.has(s.status)).map((s) => s.waybillKey.split('|')[1]),
        );
        for (const [i, e] of chunk.entries()) {
          cursor = { at: e.last_at, logisticsNo: e.logistics_no };
          const idle = Math.floor((now.getTime() - e.last_at.getTime()) / DAY);
          const base = { logisticsNo: e.logistics_no, lastCode: e.code, lastAt: e.last_at.toISOString(), daysSinceScan: idle };
          let reason: ProblemParcel['reason'] | null = null;
          if (e.code === 'returned') reason = 'returned';
          else if (e.code === 'held' || heldByCustoms.has(e.logistics_no)) reason = 'held';
          else if (!FINAL_CODES.includes(e.code as EventCode) && idle >= days) reason = 'no_scan';
          if (reason) items.push({ ...base, reason });
          if (items.length === limit) {
            const last = i === chunk.length - 1 && chunk.length < PROBLEM_CHUNK;
            return { items, next: last ? null : encodeProblemCursor(cursor) };
          }
        }
        if (chunk.length < PROBLEM_CHUNK) return { items, next: null };
      }
      return { items, next: cursor ? encodeProblemCursor(cursor) : null };
    },

    /**
     * Logistics information for a national logistics information platform, in the documented
     * form `cbec-window.logistics/1` (docs/logistics-export.md): the carrier's parcels with an
     * event in [from, to), each with its scans and its customs state.
     */
    async exportJson(p: Principal | null, q: { from: string; to: string; limit?: number; after?: string }) {
      requirePermission(p, 'logistics.read');
      const carrier = carrierOf(p);
      const from = new Date(q.from);
      const to = new Date(q.to);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to)
        throw validationError([
          {
            field: 'from',
            rule: 'range',
            message: { zh: '时间范围无效（from 须早于 to）', en: 'invalid range: from must be before to' },
          },
        ]);
      const limit = Math.min(Math.max(q.limit ?? 1000, 1), 10_000);
      const after = q.after?.replace(/\s+/g, '').toUpperCase() || null;
      // one parcel more than the page: whether a next page exists, without an empty last page
      const read = await createLogisticsRepository(db).eventsOfCarrierIn(carrier.id, from, to, after, limit + 1);
      const numbers = [...new Set(read.map((e) => e.logistics_no))];
      const more = numbers.length > limit;
      const lastNo = more ? numbers[limit - 1]! : null;
      const kept = new Set(numbers.slice(0, limit));
      const events = more ? read.filter((e) => kept.has(e.logistics_no)) : read;
      const states = await parcelCustomsLookup(db).states([...new Set(events.map((e) => `${carrier.code}|${e.logistics_no}`))]);
      const byNo = new Map<string, EventRow[]>();
      for (const e of events) byNo.set(e.logistics_no, [...(byNo.get(e.logistics_no) ?? []), e]);
      return {
        format: 'cbec-window.logistics/1' as const,
        generatedAt: clock.now().toISOString(),
        carrier: { code: carrier.code, name: carrier.name },
        period: { from: from.toISOString(), to: to.toISOString() },
        /** the `after` of the next page (the last number of this one); null on the last page */
        next: lastNo,
        parcels: [...byNo.entries()].map(([no, evs]) => {
          const own = states.filter((s) => s.waybillKey === `${carrier.code}|${no}`);
          const inv = own.find((s) => s.kind === 'inventory');
          return {
            logisticsNo: no,
            serviceCode: evs.find((e) => e.service_code)?.service_code ?? null,
            destinationCountry: [...evs].reverse().find((e) => e.country)?.country ?? null,
            customs: {
              invtNo: inv?.invtNo ?? null,
              status: inv ? (inv.closedAt ? '899' : inv.releasedAt ? '800' : inv.status) : null,
              releasedAt: inv?.releasedAt?.toISOString() ?? null,
              billNo: own.find((s) => s.billNo)?.billNo ?? null,
              departedAt: own.find((s) => s.kind === 'departure')?.at.toISOString() ?? null,
            },
            events: evs.map((e) => ({
              code: e.code,
              at: e.at.toISOString(),
              location: e.location,
              country: e.country,
              description: e.description,
            })),
          };
        }),
      };
    },

    /**
     * The live stream of the caller's organisation (SSE): the events of parcels it carries or is a
     * party to, by feed position. The organisation is the caller's own; no other feed can be read.
     */
    trackingStream(p: Principal | null) {
      requirePermission(p, 'logistics.read');
      const orgId = p.organisation?.id;
      if (!orgId) throw forbidden();
      return {
        /** the last position now: a new stream without a cursor starts here */
        end: () => feed.end(orgId),
        async page(after: number, limit: number): Promise<{ items: FeedEvent[]; next: number }> {
          const { items, next } = await feed.page(orgId, after, limit);
          return { items: items.map((r) => ({ id: r.id, seq: r.seq, ...toEvent(r) })), next };
        },
        onMoved: (listener: () => void) => feed.onMoved(orgId, listener),
      };
    },
  };
}
