import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import type { OutboxEvent, OutboxHandler } from '../../kernel/outbox.ts';
import { getCode } from '../../codes/index.ts';
import { filingLookup } from '../filing/index.ts';
import { TOPIC_TASK_COMPLETED, type TaskCompletedPayload } from '../inspection/index.ts';
import { actorOf, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { assessScans, SCAN_RULES, type ScanRules } from './rules/scan.rules.ts';
import { countryNameIn, iso2OfCountry, languageOfCountry, PAGE_LANGUAGE_CODES, pageLanguage } from './trace.languages.ts';
import { createTraceRepository, type CodeRow, type EventRow, type ParcelLinkRow } from './trace.repository.ts';

/** "Report a counterfeit" opens a credit case: credit is reached through this port (platform.ts). */
export interface CounterfeitReportPort {
  report(input: { subjectCode: string; summary: string; contact?: string; traceCode: string }): Promise<{ id: string }>;
}

/**
 * Customs data on parcels (clearance), so a departure on the chain is the one customs recorded;
 * `country` is the parcel's destination as declared (运抵国, customs code).
 */
export interface DeparturePort {
  departed(
    logisticsNos: string[],
  ): Promise<{ logisticsNo: string; ebcCode: string; closedAt: Date; portCode: string | null; country?: string | null }[]>;
}

/** A declared parcel as clearance holds it: its live inventory, seller and products. */
export interface DeclaredParcelFacts {
  logisticsNo: string;
  /** `logisticsCode|logisticsNo`: the parcel of one carrier */
  waybillKey: string;
  inventoryId: string;
  ebcCode: string;
  /** the item numbers (货号) of the inventory's lines */
  itemNos: string[];
}

/** A completed inspection task of a parcel's inventory (the inspection module). */
export interface InspectionOutcome {
  taskId: string;
  inventoryId: string;
  result: 'pass' | 'fail';
  at: Date;
  /** the customs office that inspected */
  customsCode: string | null;
  /** a failure's finding */
  note: string | null;
}

/**
 * Where the chain's links come from (wired in platform.ts): the seller names a parcel, and its
 * inventory (clearance), receipt at a supervision centre (warehouse), inspection results
 * (inspection) and delivery (the carrier's tracking, logistics) are read from their records.
 */
export interface ChainSourcesPort {
  /** every carrier's parcel bearing these numbers, with its live inventory */
  parcels(logisticsNos: string[]): Promise<DeclaredParcelFacts[]>;
  /** parcels received at a supervision centre, by waybill key */
  received(waybillKeys: string[]): Promise<{ waybillKey: string; receivedAt: Date; centre: string }[]>;
  /** the carriers' delivered scans, by waybill key (country ISO alpha-2) */
  delivered(waybillKeys: string[]): Promise<{ waybillKey: string; at: Date; location: string | null; country: string | null }[]>;
  /** the completed inspection tasks of inventories */
  inspections(inventoryIds: string[]): Promise<InspectionOutcome[]>;
}

export interface TraceServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  reports: CounterfeitReportPort;
  departures: DeparturePort;
  sources: ChainSourcesPort;
  scanRules?: ScanRules;
}

const CODE_LABEL = { zh: '追溯码', en: 'trace code' };
// Crockford base32 without I, L, O, U: read off a label without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const newTraceCode = (): string => `T${[...randomBytes(15)].map((b) => ALPHABET[b % 32]).join('')}`;
export const isTraceCode = (s: string): boolean => /^T[0-9A-HJKMNP-TV-Z]{15}$/.test(s);

const ENTERPRISE_EVENTS = ['producer', 'warehouse', 'departure', 'delivery'] as const;
const AGENCY_EVENTS = ['inspection'] as const;
/** The links a seller records by naming a parcel: what happened is read from the record that holds it. */
const PARCEL_EVENTS = ['warehouse', 'departure', 'delivery'] as const;
export type TraceEventKind = EventRow['kind'];
/** At most this many labels on one sheet. */
export const MAX_LABELS = 500;

/** The page's languages, then any other the seller named the product in (its labels read English). */
export const offeredLanguages = (productLanguages: string[]): string[] => [
  ...new Set([...PAGE_LANGUAGE_CODES, ...productLanguages]),
];

const view = (r: CodeRow) => ({
  code: r.code,
  kind: r.kind,
  batchNo: r.batch_no,
  quantity: r.quantity,
  itemNo: r.item_no,
  productName: r.product_name,
  productNameEn: r.product_name_en,
  productNames: r.product_names,
  hsCode: r.hs_code,
  createdAt: r.created_at.toISOString(),
});

const linkView = (e: EventRow) => ({
  kind: e.kind,
  at: e.at.toISOString(),
  place: e.place,
  country: e.country,
  note: e.note,
  result: e.result ?? null,
  source: e.source ?? null,
  logisticsNo: e.logistics_no ?? null,
});

/**
 * What the chain says about inspection: failed when any inspection found a problem, passed when
 * one passed and none failed; an inspection link without a result (recorded before results were
 * kept) proves nothing.
 */
export function inspectionCheck(events: Pick<EventRow, 'kind' | 'result'>[]): 'passed' | 'failed' | null {
  const results = events.filter((e) => e.kind === 'inspection').map((e) => e.result);
  return results.includes('fail') ? 'failed' : results.includes('pass') ? 'passed' : null;
}

const officeName = (customsCode: string | null): string | null =>
  customsCode ? (getCode('customs', customsCode)?.nameZh ?? customsCode) : null;

/** The inspection links of the codes whose goods travel in the inspected parcels. */
function inspectionLinks(links: ParcelLinkRow[], outcomes: InspectionOutcome[]): EventRow[] {
  return links.flatMap((l) =>
    outcomes
      .filter((o) => o.inventoryId === l.inventory_id)
      .map((o): EventRow => ({
        code: l.code,
        kind: 'inspection',
        at: o.at,
        place: officeName(o.customsCode),
        country: 'CN',
        note: o.result === 'fail' ? o.note : null,
        actor_org_id: null,
        result: o.result,
        source: 'inspection',
        logistics_no: l.logistics_no,
        ref: `inspection:${o.taskId}`,
      })),
  );
}

/**
 * A completed inspection task (topic `inspection.completed`, published with the finding that
 * completed it) becomes an inspection link of every code whose goods travel in that parcel; a
 * parcel linked later gets the result when the seller names it (addEvent). Each task is a link of
 * a chain once, whichever comes first.
 */
export function traceInspectionResults(deps: { sources: Pick<ChainSourcesPort, 'inspections'> }): OutboxHandler {
  return {
    name: 'trace.inspection',
    topics: [TOPIC_TASK_COMPLETED],
    batchSize: 200,
    async handle(events: OutboxEvent[], trx: Executor) {
      const ids = events.map((e) => (e.payload as TaskCompletedPayload).inventoryId);
      const repo = createTraceRepository(trx);
      const links = await repo.linkedTo(ids);
      if (!links.length) return;
      await repo.insertEvents(
        inspectionLinks(links, await deps.sources.inspections([...new Set(links.map((l) => l.inventory_id))])),
      );
    },
  };
}

const problem = (field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem => ({
  field,
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

export function createTraceService(deps: TraceServiceDeps) {
  const { db, clock } = deps;
  const rules = deps.scanRules ?? SCAN_RULES;

  /**
   * The seller's parcel a link names: declared by this seller, with the code's product among its
   * inventory's lines (one carrier's parcel; several carriers' parcels under the number, the one
   * carrying the product).
   */
  async function sellersParcel(ebcCode: string, row: CodeRow, logisticsNo: string | undefined): Promise<DeclaredParcelFacts> {
    const no = logisticsNo?.replace(/\s+/g, '').toUpperCase();
    if (!no)
      throw validationError([
        problem(
          'logisticsNo',
          'required',
          '仓库入库、离境、妥投环节须填写包裹的物流运单编号',
          'a warehouse receipt, departure or delivery names the logistics number of the parcel',
        ),
      ]);
    const mine = (await deps.sources.parcels([no])).filter((x) => x.ebcCode === ebcCode);
    if (!mine.length)
      throw validationError([
        problem(
          'logisticsNo',
          'declared',
          `运单 ${no} 不是贵企业已申报（清单）的包裹`,
          `parcel ${no} is not one your company declared (inventory)`,
          no,
        ),
      ]);
    const carrying = mine.find((x) => x.itemNos.includes(row.item_no));
    if (!carrying)
      throw validationError([
        problem(
          'logisticsNo',
          'product',
          `运单 ${no} 的清单中没有本追溯码的商品（货号 ${row.item_no}）`,
          `the inventory of parcel ${no} has no line of this code's product (item ${row.item_no})`,
          no,
        ),
      ]);
    return carrying;
  }

  /** "Left China" is what buyers check: customs' closure (899) with its time and exit port, never the seller's word. */
  async function customsDeparture(ebcCode: string, parcel: DeclaredParcelFacts): Promise<Partial<EventRow>> {
    const no = parcel.logisticsNo;
    const closed = (await deps.departures.departed([no])).find((x) => x.ebcCode === ebcCode);
    if (!closed)
      throw validationError([
        problem(
          'logisticsNo',
          'departed',
          `运单 ${no} 不是贵企业已结关离境（899）的包裹`,
          `parcel ${no} is not one of your parcels that customs closed as departed (899)`,
          no,
        ),
      ]);
    return {
      at: closed.closedAt,
      place: closed.portCode ? `口岸 ${closed.portCode} / port ${closed.portCode}` : null,
      country: 'CN',
      note: `海关结关 / closed by customs: ${no}`,
      destination: closed.country ?? null,
      source: 'customs',
    };
  }

  /** Received at a supervision centre, as the centre scanned it in. */
  async function warehouseReceipt(parcel: DeclaredParcelFacts): Promise<Partial<EventRow>> {
    const r = (await deps.sources.received([parcel.waybillKey]))[0];
    if (!r)
      throw validationError([
        problem(
          'logisticsNo',
          'received',
          `运单 ${parcel.logisticsNo} 尚未在监管中心扫描入库`,
          `parcel ${parcel.logisticsNo} has not been received (scanned in) at a supervision centre`,
          parcel.logisticsNo,
        ),
      ]);
    return {
      at: r.receivedAt,
      place: r.centre,
      country: 'CN',
      note: null,
      source: 'warehouse',
    };
  }

  /** Delivered, as the carrier's tracking reports it (the latest delivered scan). */
  async function delivery(parcel: DeclaredParcelFacts): Promise<Partial<EventRow>> {
    const d = (await deps.sources.delivered([parcel.waybillKey])).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    if (!d)
      throw validationError([
        problem(
          'logisticsNo',
          'delivered',
          `承运商的轨迹中运单 ${parcel.logisticsNo} 尚无妥投（delivered）事件`,
          `the carrier's tracking has no delivered event for parcel ${parcel.logisticsNo}`,
          parcel.logisticsNo,
        ),
      ]);
    return {
      at: d.at,
      place: d.location,
      country: d.country,
      note: null,
      source: 'logistics',
    };
  }

  /** An agency may record on codes of products filed within its jurisdiction (district 4000: offices 40xx). */
  function withinJurisdiction(p: Principal, row: CodeRow): boolean {
    const prefix = jurisdictionPrefix(p.organisation?.jurisdiction ?? null);
    if (prefix === null) return false;
    return prefix === '' || (row.jurisdiction ?? '').startsWith(prefix);
  }

  const isInspectionAgency = (p: Principal): boolean =>
    p.organisation?.kind === 'agency' &&
    p.organisation.roles.some((r) => r === 'customs' || r === 'inspection') &&
    p.permissions.has('inspection.work');

  /** The code as its seller, or an inspecting agency within its jurisdiction, may see it; 404 otherwise. */
  async function visibleCode(p: Principal, code: string): Promise<CodeRow> {
    const row = isTraceCode(code) ? await createTraceRepository(db).code(code) : undefined;
    const org = p.organisation;
    const visible =
      !!row && (org?.kind === 'agency' ? isInspectionAgency(p) && withinJurisdiction(p, row) : row.org_id === org?.id);
    if (!visible) throw notFound(CODE_LABEL);
    return row!;
  }

  // The day's salt, read once per day per process.
  let salt: { day: string; value: Buffer } | undefined;
  async function clientHash(code: string, day: string, client: string | null): Promise<Buffer | null> {
    if (!client) return null;
    if (salt?.day !== day) salt = { day, value: await createTraceRepository(db).daySalt(day, randomBytes(32)) };
    return createHash('sha256').update(salt.value).update(code).update('\0').update(client).digest();
  }

  return {
    /**
     * Codes for a filed product: one per batch, or one per unit (≤ 500 at a time). The filing and
     * the producer are the first links of each chain.
     */
    async create(
      p: Principal | null | undefined,
      input: {
        kind: 'unit' | 'batch';
        itemNo: string;
        batchNo: string;
        quantity: number;
        producer: string;
        productNames?: Record<string, string>;
      },
    ) {
      requirePermission(p, 'trace.manage');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise' || !org.code) throw forbidden();
      const count = input.kind === 'unit' ? input.quantity : 1;
      if (count < 1 || count > 500)
        throw validationError([
          problem('quantity', 'range', '单品码一次最多 500 个', 'at most 500 unit codes at a time', input.quantity),
        ]);
      // names in buyers' languages: blank ones are left out
      const productNames = Object.fromEntries(
        Object.entries(input.productNames ?? {})
          .map(([lang, name]) => [lang, name.trim()] as const)
          .filter(([, name]) => name),
      );
      const product = (await filingLookup(db).filedProducts([{ ebcCode: org.code, itemNo: input.itemNo }])).values().next().value;
      if (!product)
        throw validationError([
          problem('itemNo', 'filed', '商品未备案或未通过审核', 'the product is not filed (approved)', input.itemNo),
        ]);
      const now = clock.now();
      const rows: CodeRow[] = Array.from({ length: count }, () => ({
        code: newTraceCode(),
        org_id: org.id,
        ebc_code: org.code!,
        seller_name: org.name,
        kind: input.kind,
        batch_no: input.batchNo,
        quantity: input.kind === 'unit' ? 1 : input.quantity,
        item_no: input.itemNo,
        product_name: product.gname,
        product_name_en: product.gnameEn,
        product_names: productNames,
        hs_code: product.hsCode,
        origin: product.originCountry,
        created_at: now,
        jurisdiction: product.jurisdiction ?? null,
      }));
      const events: EventRow[] = rows.flatMap((r) => [
        {
          code: r.code,
          kind: 'producer',
          at: now,
          place: input.producer,
          country: 'CN',
          note: `批次 / batch ${input.batchNo}`,
          actor_org_id: org.id,
          source: 'seller',
        },
        {
          code: r.code,
          kind: 'filing',
          at: product.reviewedAt ? new Date(product.reviewedAt) : now,
          place: product.jurisdiction,
          country: 'CN',
          note: `${product.itemNo} HS ${product.hsCode}`,
          actor_org_id: null,
          source: 'filing',
        },
      ]);
      await db.transaction().execute(async (trx) => {
        const repo = createTraceRepository(trx);
        await repo.insertCodes(rows);
        await repo.insertEvents(events);
        await deps.audit.append(trx, actorOf(p), [
          {
            action: 'trace_code.create',
            entity: 'tr_code',
            entityId: rows[0]!.code,
            after: { count, itemNo: input.itemNo, batchNo: input.batchNo },
          },
        ]);
      });
      return rows.map(view);
    },

    async list(p: Principal | null | undefined) {
      requirePermission(p, 'trace.manage');
      if (!p.organisation) throw forbidden();
      return (await createTraceRepository(db).codesOf(p.organisation.id, 500)).map(view);
    },

    /** One code with its chain: for its seller, and for an inspecting agency within its jurisdiction. */
    async detail(p: Principal | null | undefined, code: string) {
      requirePermission(p, 'trace.manage');
      const row = await visibleCode(p, code);
      const events = await createTraceRepository(db).events(code);
      return {
        ...view(row),
        seller: { code: row.ebc_code, name: row.seller_name },
        jurisdiction: row.jurisdiction ?? null,
        chain: events.map(linkView),
        checks: {
          filed: events.some((e) => e.kind === 'filing'),
          inspection: inspectionCheck(events),
          departed: events.some((e) => e.kind === 'departure'),
          delivered: events.some((e) => e.kind === 'delivery'),
        },
      };
    },

    /**
     * A link in the chain. The seller records the producer (its own word) and names the parcel of a
     * warehouse receipt, departure or delivery: time, place and country are then the supervision
     * centre's, customs' and the carrier's, and the parcel's inspection results join the chain. An
     * inspecting agency (customs, inspection) records an inspection result on codes of products
     * filed within its jurisdiction.
     */
    async addEvent(
      p: Principal | null | undefined,
      code: string,
      input: {
        kind: TraceEventKind;
        place?: string;
        country?: string;
        note?: string;
        logisticsNo?: string;
        result?: 'pass' | 'fail';
      },
    ) {
      requirePermission(p, 'trace.manage');
      const org = p.organisation;
      const isAgency = org?.kind === 'agency';
      if (isAgency && !isInspectionAgency(p)) throw forbidden();
      const row = await visibleCode(p, code);
      const allowed: readonly string[] = isAgency ? AGENCY_EVENTS : ENTERPRISE_EVENTS;
      const problems: FieldProblem[] = [];
      if (!allowed.includes(input.kind))
        problems.push(
          problem('kind', 'enum', `可记录的环节：${allowed.join('、')}`, `you may record: ${allowed.join(', ')}`, input.kind),
        );
      const parcelLink = (PARCEL_EVENTS as readonly string[]).includes(input.kind);
      if (parcelLink)
        for (const field of ['place', 'country'] as const)
          if (input[field]?.trim())
            problems.push(
              problem(
                field,
                'fromRecord',
                `${field === 'place' ? '地点' : '国家'}取自监管中心、海关或承运商的记录，不能填写`,
                `the ${field} is taken from the supervision centre's, customs' or the carrier's record: leave it out`,
                input[field],
              ),
            );
      if (parcelLink && !input.logisticsNo?.trim())
        problems.push(
          problem(
            'logisticsNo',
            'required',
            '仓库入库、离境、妥投环节须填写包裹的物流运单编号',
            'a warehouse receipt, departure or delivery names the logistics number of the parcel',
          ),
        );
      if (input.country && !parcelLink && !/^[A-Z]{2}$/.test(input.country))
        problems.push(
          problem('country', 'codeTable', '国家代码应为 ISO 两位大写字母', 'use an ISO 3166 alpha-2 country code', input.country),
        );
      if (input.kind === 'inspection') {
        if (!input.result)
          problems.push(
            problem('result', 'required', '请填写查验结果（合格 pass／不合格 fail）', 'give the result: pass or fail'),
          );
        else if (input.result === 'fail' && !input.note?.trim())
          problems.push(problem('note', 'required', '查验不合格须说明情况', 'a failed inspection needs a note'));
      } else if (input.result)
        problems.push(
          problem('result', 'inspectionOnly', '只有查验环节有结果', 'only an inspection link has a result', input.result),
        );
      if (problems.length) throw validationError(problems);

      let ev: EventRow = {
        code,
        kind: input.kind,
        at: clock.now(),
        place: input.place?.trim() || null,
        country: input.country ?? null,
        note: input.note?.trim() || null,
        actor_org_id: org?.id ?? null,
        source: isAgency ? 'agency' : 'seller',
      };
      let parcel: DeclaredParcelFacts | undefined;
      if (input.kind === 'inspection') ev = { ...ev, place: org!.name, country: 'CN', result: input.result! };
      else if (parcelLink) {
        parcel = await sellersParcel(org?.code ?? '', row, input.logisticsNo);
        const sourced =
          input.kind === 'warehouse'
            ? await warehouseReceipt(parcel)
            : input.kind === 'departure'
              ? await customsDeparture(org?.code ?? '', parcel)
              : await delivery(parcel);
        ev = { ...ev, ...sourced, logistics_no: parcel.logisticsNo, ref: `${input.kind}:${parcel.waybillKey}` };
      }
      const link: ParcelLinkRow | undefined = parcel && {
        code,
        inventory_id: parcel.inventoryId,
        logistics_no: parcel.logisticsNo,
        waybill_key: parcel.waybillKey,
        linked_at: clock.now(),
      };
      // the parcel's inspection results so far; later ones come from the outbox (traceInspectionResults)
      const inspected = link ? inspectionLinks([link], await deps.sources.inspections([link.inventory_id])) : [];
      const added = await db.transaction().execute(async (trx) => {
        const repo = createTraceRepository(trx);
        const n = await repo.insertEvents([ev, ...inspected]);
        if (link) await repo.linkParcels([link]);
        await deps.audit.append(trx, actorOf(p), [
          {
            action: `trace_event.${input.kind}`,
            entity: 'tr_code',
            entityId: code,
            after: { ...ev, inspected: inspected.length },
          },
        ]);
        return n;
      });
      return { ok: true, added };
    },

    async qrSvg(p: Principal | null | undefined, code: string, baseUrl: string): Promise<string> {
      requirePermission(p, 'trace.manage');
      const row = await createTraceRepository(db).code(code);
      if (!row || row.org_id !== p.organisation?.id) throw notFound(CODE_LABEL);
      return QRCode.toString(`${baseUrl}/t/${code}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    },

    /**
     * The labels of one of the seller's batches, to print on one sheet: each unit code once, a
     * batch code once per unit it covers; at most 500 labels.
     */
    async labels(p: Principal | null | undefined, q: { batchNo: string; itemNo?: string }, baseUrl: string) {
      requirePermission(p, 'trace.manage');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise') throw forbidden();
      const rows = await createTraceRepository(db).codesOfBatch(org.id, q.batchNo, q.itemNo, MAX_LABELS);
      if (!rows.length) throw notFound({ zh: `批次 ${q.batchNo} 的追溯码`, en: `trace codes of batch ${q.batchNo}` });
      const labels: { code: string; productName: string; batchNo: string; itemNo: string; svg: string }[] = [];
      for (const r of rows) {
        const svg = await QRCode.toString(`${baseUrl}/t/${r.code}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
        const copies = r.kind === 'batch' ? r.quantity : 1;
        for (let i = 0; i < copies && labels.length < MAX_LABELS; i++)
          labels.push({ code: r.code, productName: r.product_name, batchNo: r.batch_no, itemNo: r.item_no, svg });
        if (labels.length >= MAX_LABELS) break;
      }
      return { seller: org.name, batchNo: q.batchNo, labels };
    },

    /**
     * The public verification a buyer reaches by scanning. A call is a scan, counted once per
     * client (its address, hashed) and code a day, so reloading cannot flag a genuine code; the
     * country is what a trusted proxy reported, else ZZ. Implausible patterns are flagged on the page.
     */
    async verify(code: string, opts: { lang: string; country: string | null; client: string | null }) {
      if (!isTraceCode(code)) throw notFound(CODE_LABEL);
      const repo = createTraceRepository(db);
      const row = await repo.code(code);
      if (!row) throw notFound(CODE_LABEL);
      const now = clock.now();
      const country = opts.country && /^[A-Z]{2}$/.test(opts.country) ? opts.country : 'ZZ';
      const day = now.toISOString().slice(0, 10);
      await repo.addScan({ code, at: now, country, day, clientHash: await clientHash(code, day, opts.client) });
      const [events, summary] = await Promise.all([
        repo.events(code),
        repo.scanSummary(code, new Date(now.getTime() - rules.windowDays * 86_400_000)),
      ]);
      const lang = opts.lang.toLowerCase().slice(0, 2);
      // the seller's name in the buyer's language, else the English one, else the Chinese (filed) one
      const [name, nameLang] =
        lang === 'zh'
          ? [row.product_name, 'zh']
          : row.product_names[lang]
            ? [row.product_names[lang], lang]
            : row.product_name_en
              ? [row.product_name_en, 'en']
              : [row.product_name, 'zh'];
      // event names in the page's languages (data files); a language it lacks reads English
      const label = (k: TraceEventKind) => pageLanguage(lang).events[k];
      const origin = row.origin ? getCode('country', row.origin) : undefined;
      const originName = !origin
        ? row.origin
        : lang === 'zh'
          ? origin.nameZh
          : lang === 'en'
            ? (origin.nameEn ?? origin.nameZh)
            : (countryNameIn(lang, origin.iso) ?? origin.nameEn ?? origin.nameZh);
      const inspection = inspectionCheck(events);
      // where the goods went (alpha-2): deliveries, and departed parcels' declared destinations
      const destinations = [
        ...new Set([...summary.went.delivered, ...summary.went.departedTo].flatMap((c) => iso2OfCountry(c) ?? [])),
      ];
      return {
        code,
        lang,
        languages: offeredLanguages(Object.keys(row.product_names)),
        product: {
          name,
          nameLang,
          nameZh: row.product_name,
          itemNo: row.item_no,
          hsCode: row.hs_code,
          batchNo: row.batch_no,
          kind: row.kind,
          quantity: row.quantity,
        },
        seller: { code: row.ebc_code, name: row.seller_name },
        origin: originName,
        // each link as the buyer reads it; which parcel and record it came from stay with the seller and officers
        chain: events.map((e) => ({
          kind: e.kind,
          label: label(e.kind),
          at: e.at.toISOString(),
          place: e.place,
          country: e.country,
          note: e.note,
          result: e.result ?? null,
        })),
        checks: {
          filed: events.some((e) => e.kind === 'filing'),
          // only a passed inspection is "inspected"; a failed one is shown as failed
          inspected: inspection === 'passed',
          inspection,
          departed: events.some((e) => e.kind === 'departure'),
        },
        scans: { scans: summary.scans, countries: summary.countries },
        warning: assessScans({ ...summary, destinations }, row, rules),
      };
    },

    /**
     * What the verification page needs before it picks a language (no scan is counted): the
     * languages the seller named the product in, and the language of the country the goods went
     * to — where the latest delivery was, else the destination customs recorded at departure.
     */
    async pageContext(code: string): Promise<{ productLanguages: string[]; destinationLanguage: string | undefined }> {
      const repo = createTraceRepository(db);
      const row = isTraceCode(code) ? await repo.code(code) : undefined;
      if (!row) throw notFound(CODE_LABEL);
      const went = await repo.destinations(code);
      return {
        productLanguages: Object.keys(row.product_names),
        destinationLanguage: languageOfCountry(went.delivered) ?? languageOfCountry(went.departedTo),
      };
    },

    /** "Report a counterfeit" from the verification page: a public credit case on the seller. */
    async reportCounterfeit(code: string, input: { summary: string; contact?: string }) {
      const row = isTraceCode(code) ? await createTraceRepository(db).code(code) : undefined;
      if (!row) throw notFound(CODE_LABEL);
      const opened = await deps.reports.report({
        subjectCode: row.ebc_code,
        summary: `[${code}] ${input.summary}`,
        traceCode: code,
        ...(input.contact ? { contact: input.contact } : {}),
      });
      // The anonymous reporter gets the case's reference only: the case itself is the officers'.
      return { id: opened.id };
    },
  };
}

export type TraceService = ReturnType<typeof createTraceService>;
