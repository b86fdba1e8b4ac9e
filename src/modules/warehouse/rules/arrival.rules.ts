import type { CebMessage } from '../../../ceb/index.ts';

export interface ArrivalInput {
  messageGuid: string;
  entityGuid: string;
  now: Date;
  customsCode: string;
  copNo: string;
  operator: { code: string; name: string };
  logistics: { code: string; name: string };
  billNo: string | null;
  domesticTrafNo: string;
  trafMode: string;
  parcels: { logisticsNo: string; bagNo: string }[];
}

/** CEB times are China Standard Time, yyyyMMddHHmmss. */
export const cebTime = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * The arrival (运抵单, CEB507) of one dispatch: the supervision centre, as operator, tells customs
 * these parcels have arrived at the site, each with the bag it travels in (totalPackageNo), so
 * the consolidation (CEB607) and departure (CEB509) can name bags instead of parcels.
 */
export function arrivalMessage(a: ArrivalInput): CebMessage {
  return {
    messageType: 'CEB507',
    guid: a.messageGuid,
    version: '1.0',
    baseTransfer: { copCode: a.operator.code, copName: a.operator.name, dxpMode: 'DXP', dxpId: `DXPENT${a.operator.code}` },
    entities: [
      {
        head: {
          guid: a.entityGuid,
          appType: '1',
          appTime: cebTime(a.now),
          appStatus: '2',
          customsCode: a.customsCode,
          copNo: a.copNo,
          operatorCode: a.operator.code,
          operatorName: a.operator.name,
          ieFlag: 'E',
          trafMode: a.trafMode,
          ...(a.billNo ? { billNo: a.billNo } : {}),
          domesticTrafNo: a.domesticTrafNo,
          logisticsCode: a.logistics.code,
          logisticsName: a.logistics.name,
          msgCount: '1',
          msgSeqNo: '1',
        },
        lists: {
          ArrivalList: a.parcels.map((p, i) => ({ gnum: String(i + 1), logisticsNo: p.logisticsNo, totalPackageNo: p.bagNo })),
        },
      },
    ],
  };
}

/** Scanners send what they read: trim, drop spaces and the odd lower case of a hand-typed number. */
export const normaliseScan = (v: string): string => v.replace(/\s+/g, '').toUpperCase();

/** A bag (BG) or pallet (PL) number: warehouse-day-sequence, ≤ 37 characters as totalPackageNo allows. */
export const bagNo = (warehouseCode: string, now: Date, seq: number, prefix: 'BG' | 'PL' = 'BG'): string =>
  `${prefix}${warehouseCode.slice(-6)}${cebTime(now).slice(2, 8)}${String(seq).padStart(4, '0')}`;

export interface CountDiscrepancy {
  logisticsNo: string;
  kind: 'missing' | 'unexpected' | 'misplaced';
  expectedLocation: string | null;
  scannedLocation: string | null;
}

/**
 * A stock count's discrepancies: parcels the system has in stock that nobody scanned (missing),
 * scans of parcels not in stock (unexpected), and parcels found elsewhere than their location.
 */
export function countDiscrepancies(
  inStock: { logisticsNo: string; location: string | null }[],
  scans: { logisticsNo: string; location: string | null }[],
): CountDiscrepancy[] {
  const stock = new Map(inStock.map((s) => [s.logisticsNo, s.location]));
  const seen = new Map(scans.map((s) => [s.logisticsNo, s.location]));
  const out: CountDiscrepancy[] = [];
  for (const [no, loc] of stock) {
    if (!seen.has(no)) out.push({ logisticsNo: no, kind: 'missing', expectedLocation: loc, scannedLocation: null });
    else if (seen.get(no) && loc && seen.get(no) !== loc)
      out.push({ logisticsNo: no, kind: 'misplaced', expectedLocation: loc, scannedLocation: seen.get(no) ?? null });
  }
  for (const [no, loc] of seen)
    if (!stock.has(no)) out.push({ logisticsNo: no, kind: 'unexpected', expectedLocation: null, scannedLocation: loc });
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.logisticsNo.localeCompare(b.logisticsNo));
}
