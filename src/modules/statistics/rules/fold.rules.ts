import { cnyFenToUsdCents, parseScaled, toCnyFen, type FxRate } from './money.rules.ts';

/** A closed inventory as statistics reads it (the clearance lookup's shape). */
export interface InventoryFact {
  id: string;
  customsCode: string;
  tradeMode: string;
  ebcCode: string;
  carrierCode: string;
  country: string;
  grossWeight: string;
  day: string;
  lines: { gcode: string; qty: string; totalPrice: string; currency: string }[];
}

/** The dimensions every cube row carries (see docs/metrics.md). */
export interface CubeKey {
  day: string;
  tradeMode: string;
  country: string;
  ebcCode: string;
  /** 国内地区代码 of the seller: the first five characters of its customs code */
  region: string;
  customsCode: string;
  carrierCode: string;
}

export interface Measures {
  inventories: number;
  valueFen: bigint;
  valueUsdCents: bigint;
  weightGrams: bigint;
}

export interface InventoryCubeRow extends CubeKey, Measures {}
export interface GoodsCubeRow extends CubeKey, Measures {
  /** HS heading: the first four digits of the commodity code */
  hsHeading: string;
  lines: number;
}

/** The seller's county-level region from its 10-character customs code (digits 1-5 are 国内地区代码). */
export const regionOf = (ebcCode: string): string => (/^[0-9A-Z]{5}/.test(ebcCode) ? ebcCode.slice(0, 5) : '00000');

const keyOf = (k: CubeKey, extra = ''): string =>
  [k.day, k.tradeMode, k.country, k.ebcCode, k.region, k.customsCode, k.carrierCode, extra].join('\u0001');

/**
 * Folds a batch of closed inventories into cube deltas, pre-summed per key, so one upsert
 * statement never touches a row twice. Values: each line converted to CNY at the rate of the
 * closing day (rounded to the fen), summed per inventory, then that sum converted to USD. In the
 * goods cube an inventory's gross weight is shared among its headings by value (the last heading
 * takes the remainder, so the shares add up to the whole).
 */
export function foldFacts(
  facts: readonly InventoryFact[],
  rates: readonly FxRate[],
): { inventory: InventoryCubeRow[]; goods: GoodsCubeRow[] } {
  const inv = new Map<string, InventoryCubeRow>();
  const goods = new Map<string, GoodsCubeRow>();
  for (const f of facts) {
    const key: CubeKey = {
      day: f.day,
      tradeMode: f.tradeMode,
      country: f.country,
      ebcCode: f.ebcCode,
      region: regionOf(f.ebcCode),
      customsCode: f.customsCode,
      carrierCode: f.carrierCode,
    };
    const weight = parseScaled(f.grossWeight || '0', 3);
    const byHeading = new Map<string, { fen: bigint; lines: number }>();
    let totalFen = 0n;
    for (const l of f.lines) {
      const fen = toCnyFen(rates, l.totalPrice || '0', l.currency || '142', f.day);
      totalFen += fen;
      const h = (l.gcode || '0000').slice(0, 4).padEnd(4, '0');
      const cur = byHeading.get(h) ?? { fen: 0n, lines: 0 };
      cur.fen += fen;
      cur.lines += 1;
      byHeading.set(h, cur);
    }
    add(inv, keyOf(key), {
      ...key,
      inventories: 1,
      valueFen: totalFen,
      valueUsdCents: cnyFenToUsdCents(rates, totalFen, f.day),
      weightGrams: weight,
    });
    const headings = [...byHeading.entries()];
    let weightLeft = weight;
    headings.forEach(([h, v], i) => {
      const share =
        i === headings.length - 1 ? weightLeft : totalFen === 0n ? 0n : (weight * v.fen * 2n + totalFen) / (totalFen * 2n);
      weightLeft -= share;
      const row: GoodsCubeRow = {
        ...key,
        hsHeading: h,
        lines: v.lines,
        inventories: 1,
        valueFen: v.fen,
        valueUsdCents: cnyFenToUsdCents(rates, v.fen, f.day),
        weightGrams: share,
      };
      const k = keyOf(key, h);
      const cur = goods.get(k);
      if (cur) {
        cur.lines += row.lines;
        addMeasures(cur, row);
      } else goods.set(k, row);
    });
  }
  return { inventory: [...inv.values()], goods: [...goods.values()] };
}

function addMeasures(into: Measures, m: Measures): void {
  into.inventories += m.inventories;
  into.valueFen += m.valueFen;
  into.valueUsdCents += m.valueUsdCents;
  into.weightGrams += m.weightGrams;
}

function add(map: Map<string, InventoryCubeRow>, k: string, row: InventoryCubeRow): void {
  const cur = map.get(k);
  if (cur) addMeasures(cur, row);
  else map.set(k, row);
}
