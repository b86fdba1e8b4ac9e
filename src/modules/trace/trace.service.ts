import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { getCode } from '../../codes/index.ts';
import { filingLookup } from '../filing/index.ts';
import { actorOf, requirePermission, type Principal } from '../identity/index.ts';
import { assessScans, SCAN_RULES, type ScanRules } from './rules/scan.rules.ts';
import { countryNameIn, languageOfCountry, PAGE_LANGUAGE_CODES, pageLanguage } from './trace.languages.ts';
import { createTraceRepository, type CodeRow, type EventRow } from './trace.repository.ts';

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

export interface TraceServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  reports: CounterfeitReportPort;
  departures: DeparturePort;
  scanRules?: ScanRules;
}

const CODE_LABEL = { zh: '追溯码', en: 'trace code' };
// Crockford base32 without I, L, O, U: read off a label without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const newTraceCode = (): string => `T${[...randomBytes(15)].map((b) => ALPHABET[b % 32]).join('')}`;
export const isTraceCode = (s: string): boolean => /^T[0-9A-HJKMNP-TV-Z]{15}$/.test(s);

const ENTERPRISE_EVENTS = ['producer', 'warehouse', 'departure', 'delivery'] as const;
const AGENCY_EVENTS = ['inspection'] as const;
export type TraceEventKind = EventRow['kind'];

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

export function createTraceService(deps: TraceServiceDeps) {
  const { db, clock } = deps;

  async function customsDeparture(ebcCode: string, logisticsNo: string | undefined): Promise<Partial<EventRow>> {
    const no = logisticsNo?.replace(/\s+/g, '').toUpperCase();
    if (!no)
      throw validationError([
        {
          field: 'logisticsNo',
          rule: 'required',
          message: {
            zh: '离境环节须填写已离境包裹的物流运单编号',
            en: 'a departure names the logistics number of a parcel that left',
          },
        },
      ]);
    const parcel = (await deps.departures.departed([no])).find((x) => x.ebcCode === ebcCode);
    if (!parcel)
      throw validationError([
        {
          field: 'logisticsNo',
          rule: 'departed',
          message: {
            zh: `运单 ${no} 不是贵企业已结关离境（899）的包裹`,
            en: `parcel ${no} is not one of your parcels that customs closed as departed (899)`,
          },
          value: no,
        },
      ]);
    return {
      at: parcel.closedAt,
      place: parcel.portCode ? `口岸 ${parcel.portCode} / port ${parcel.portCode}` : null,
      country: 'CN',
      note: `海关结关 / closed by customs: ${no}`,
      destination: parcel.country ?? null,
    };
  }
  const rules = deps.scanRules ?? SCAN_RULES;

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
          {
            field: 'quantity',
            rule: 'range',
            message: { zh: '单品码一次最多 500 个', en: 'at most 500 unit codes at a time' },
            value: input.quantity,
          },
        ]);
      const product = (await filingLookup(db).filedProducts([{ ebcCode: org.code, itemNo: input.itemNo }])).values().next().value;
      if (!product)
        throw validationError([
          {
            field: 'itemNo',
            rule: 'filed',
            message: { zh: '商品未备案或未通过审核', en: 'the product is not filed (approved)' },
            value: input.itemNo,
          },
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
        product_names: input.productNames ?? {},
        hs_code: product.hsCode,
        origin: product.originCountry,
        created_at: now,
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
        },
        {
          code: r.code,
          kind: 'filing',
          at: product.reviewedAt ? new Date(product.reviewedAt) : now,
          place: product.jurisdiction,
          country: 'CN',
          note: `${product.itemNo} HS ${product.hsCode}`,
          actor_org_id: null,
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

    /** A link in the chain: the seller's own logistics steps; an agency's inspection result. */
    async addEvent(
      p: Principal | null | undefined,
      code: string,
      input: { kind: TraceEventKind; place?: string; country?: string; note?: string; logisticsNo?: string },
    ) {
      requirePermission(p, 'trace.manage');
      const org = p.organisation;
      const repo = createTraceRepository(db);
      const row = await repo.code(code);
      const isAgency = org?.kind === 'agency';
      if (!row || (!isAgency && row.org_id !== org?.id)) throw notFound(CODE_LABEL);
      const allowed: readonly string[] = isAgency ? AGENCY_EVENTS : ENTERPRISE_EVENTS;
      if (!allowed.includes(input.kind))
        throw validationError([
          {
            field: 'kind',
            rule: 'enum',
            message: { zh: `可记录的环节：${allowed.join('、')}`, en: `you may record: ${allowed.join(', ')}` },
            value: input.kind,
          },
        ]);
      if (input.country && !/^[A-Z]{2}$/.test(input.country))
        throw validationError([
          {
            field: 'country',
            rule: 'codeTable',
            message: { zh: '国家代码应为 ISO 两位大写字母', en: 'use an ISO 3166 alpha-2 country code' },
            value: input.country,
          },
        ]);
      let ev: EventRow = {
        code,
        kind: input.kind,
        at: clock.now(),
        place: input.place ?? null,
        country: input.country ?? null,
        note: input.note ?? null,
        actor_org_id: org?.id ?? null,
      };
      // "Left China" is what buyers check: it is taken from customs (the seller's parcel closed,
      // 899), never from the seller's word, with customs' time and exit port.
      if (input.kind === 'departure') ev = { ...ev, ...(await customsDeparture(org?.code ?? '', input.logisticsNo)) };
      await db.transaction().execute(async (trx) => {
        await createTraceRepository(trx).insertEvents([ev]);
        await deps.audit.append(trx, actorOf(p), [
          { action: `trace_event.${input.kind}`, entity: 'tr_code', entityId: code, after: ev },
        ]);
      });
      return { ok: true };
    },

    async qrSvg(p: Principal | null | undefined, code: string, baseUrl: string): Promise<string> {
      requirePermission(p, 'trace.manage');
      const row = await createTraceRepository(db).code(code);
      if (!row || row.org_id !== p.organisation?.id) throw notFound(CODE_LABEL);
      return QRCode.toString(`${baseUrl}/t/${code}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
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
        chain: events.map((e) => ({
          kind: e.kind,
          label: label(e.kind),
          at: e.at.toISOString(),
          place: e.place,
          country: e.country,
          note: e.note,
        })),
        checks: {
          filed: events.some((e) => e.kind === 'filing'),
          inspected: events.some((e) => e.kind === 'inspection'),
          departed: events.some((e) => e.kind === 'departure'),
        },
        scans: summary,
        warning: assessScans(summary, row, rules),
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
