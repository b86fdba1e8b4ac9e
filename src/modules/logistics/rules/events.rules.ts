import type { Bilingual } from '../../../kernel/errors.ts';
import { checkS10, looksLikeS10 } from './s10.rules.ts';

/**
 * Tracking event codes: one vocabulary for every carrier, from acceptance in China to delivery
 * abroad. `held` is a hold the carrier reports (customs abroad, security); customs holds at home
 * come from clearance itself.
 */
export const EVENT_CODES = [
  'accepted',
  'in_warehouse',
  'departed_origin',
  'in_transit',
  'arrived_destination',
  'customs_abroad',
  'held',
  'out_for_delivery',
  'delivered',
  'delivery_failed',
  'returned',
] as const;
export type EventCode = (typeof EVENT_CODES)[number];

export const EVENT_LABELS: Readonly<Record<EventCode, Bilingual>> = {
  accepted: { zh: '已揽收', en: 'accepted' },
  in_warehouse: { zh: '进入监管仓', en: 'in warehouse' },
  departed_origin: { zh: '已离境', en: 'departed origin' },
  in_transit: { zh: '运输中', en: 'in transit' },
  arrived_destination: { zh: '到达目的国', en: 'arrived at destination' },
  customs_abroad: { zh: '目的国清关', en: 'customs abroad' },
  held: { zh: '扣留', en: 'held' },
  out_for_delivery: { zh: '派送中', en: 'out for delivery' },
  delivered: { zh: '已妥投', en: 'delivered' },
  delivery_failed: { zh: '投递失败', en: 'delivery failed' },
  returned: { zh: '已退回', en: 'returned' },
};

/** Events after which no further scan is expected: such parcels never count as "no scan". */
export const FINAL_CODES: readonly EventCode[] = ['delivered', 'returned'];

/** Services whose numbers are UPU S10 identifiers. */
export const POSTAL_KINDS = ['ems', 'air_registered', 'air_unregistered'] as const;
export const SERVICE_KINDS = [...POSTAL_KINDS, 'express', 'sea_consolidation', 'rail_consolidation'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface EventInput {
  logisticsNo?: unknown;
  code?: unknown;
  at?: unknown;
  location?: unknown;
  country?: unknown;
  description?: unknown;
  serviceCode?: unknown;
}

export interface ValidEvent {
  logisticsNo: string;
  code: EventCode;
  at: Date;
  location: string | null;
  country: string | null;
  description: string;
  serviceCode: string | null;
}

export interface RowError {
  row: number;
  column: string;
  rule: string;
  message: Bilingual;
  value?: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

// Carriers' files carry local time without a zone; China Standard Time is what their systems write.
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseEventTime(v: string): Date | null {
  const m = LOCAL.exec(v);
  if (m) {
    const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+08:00`);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Checks one event: every problem is reported with its row and column. `postalServices` are
 * the carrier's service codes whose numbers must be S10; a number of S10 shape is checked always.
 */
export function validateEvent(
  input: EventInput,
  row: number,
  ctx: { now: Date; serviceKinds: ReadonlyMap<string, ServiceKind> },
): { ok: true; event: ValidEvent } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const err = (column: string, rule: string, zh: string, en: string, value?: string) =>
    errors.push({ row, column, rule, message: { zh, en }, ...(value !== undefined ? { value } : {}) });
  const logisticsNo = str(input.logisticsNo).replace(/\s+/g, '').toUpperCase();
  const code = str(input.code);
  const atText = str(input.at);
  const serviceCode = str(input.serviceCode) || null;
  const country = str(input.country).toUpperCase() || null;

  if (!logisticsNo) err('logisticsNo', 'required', '缺少运单号', 'logisticsNo is required');
  else if (logisticsNo.length > 40)
    err('logisticsNo', 'maxLength', '运单号超过 40 位', 'logisticsNo is longer than 40', logisticsNo);
  const kind = serviceCode ? ctx.serviceKinds.get(serviceCode) : undefined;
  if (serviceCode && !kind)
    err('serviceCode', 'unknownService', `未登记的物流服务 ${serviceCode}`, `no such service ${serviceCode}`, serviceCode);
  const postal = kind !== undefined && (POSTAL_KINDS as readonly string[]).includes(kind);
  if (logisticsNo && (postal || looksLikeS10(logisticsNo))) {
    const s10 = checkS10(logisticsNo);
    if (!s10.ok) {
      if (s10.rule === 's10Format')
        err(
          'logisticsNo',
          's10Format',
          '邮政运单号须为 S10 格式（2 字母 + 9 位数字 + 2 字母）',
          'a postal number must be UPU S10: 2 letters, 9 digits, 2 letters',
          logisticsNo,
        );
      else
        err(
          'logisticsNo',
          's10CheckDigit',
          `运单号校验位错误，应为 ${s10.expected}`,
          `S10 check digit is wrong, expected ${s10.expected}`,
          logisticsNo,
        );
    }
  }
  if (!code) err('code', 'required', '缺少事件代码', 'code is required');
  else if (!(EVENT_CODES as readonly string[]).includes(code))
    err('code', 'enum', `事件代码须为 ${EVENT_CODES.join('/')}`, `code must be one of ${EVENT_CODES.join(', ')}`, code);
  const at = atText ? parseEventTime(atText) : null;
  if (!atText) err('at', 'required', '缺少事件时间', 'at is required');
  else if (!at)
    err(
      'at',
      'dateTime',
      '时间格式须为 ISO 8601 或 yyyy-MM-dd HH:mm[:ss]（北京时间）',
      'at must be ISO 8601 or yyyy-MM-dd HH:mm[:ss] (China time)',
      atText,
    );
  else if (at.getTime() > ctx.now.getTime() + 10 * 60_000)
    err('at', 'future', '事件时间晚于当前时间', 'at is in the future', atText);
  if (country && !/^[A-Z]{2}$/.test(country))
    err('country', 'iso3166', '国家须为 ISO 3166 两位字母代码', 'country must be an ISO 3166 alpha-2 code', country);
  const location = str(input.location) || null;
  if (location && location.length > 100) err('location', 'maxLength', '地点超过 100 字', 'location is longer than 100', location);
  const description = str(input.description);
  if (description.length > 500) err('description', 'maxLength', '描述超过 500 字', 'description is longer than 500');
  if (errors.length) return { ok: false, errors };
  return { ok: true, event: { logisticsNo, code: code as EventCode, at: at!, location, country, description, serviceCode } };
}
