import { CNY, cnyFenToUsdCents, parseScaled, rateOn, toCnyFen, USD, type FxRate } from './money.rules.ts';

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
  /** 国内地区代码 of the seller (`regionOf`) */
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

// 统一社会信用代码 (GB 32100-2015): registration authority and type (2), the registering
// authority's administrative division (GB/T 2260, 6 digits), organisation code (9), check (1).
const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
// 海关注册编码: 国内地区代码 (4 digits of the division + 1 economic-zone character), then 5 more.
const CUSTOMS_CODE = /^\d{4}[0-9A-Z]{6}$/;
// In the customs region table the four-digit part of a municipality is the province and its
// district (1105 朝阳区), as in its customs codes; elsewhere province and prefecture (3601 南昌).
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/**
 * The seller's region in the customs region table (国内地区代码, 5 characters; `city` is its first
 * four), from whichever code the seller declared under. A customs code carries it in characters
 * 1-5. A USCC carries the GB/T 2260 division of its registering authority in characters 3-8,
 * without an economic zone: the region is that division's "other" entry (…9, e.g. 360100 南昌市 →
 * 36019 南昌其他), a province-level registration its province's (360000 → 36909 江西其他).
 * Mirrored by the SQL function `stat_region_of` (migration 002) for the set-based rebuild.
 */
export function regionOf(ebcCode: string): string {
  if (CUSTOMS_CODE.test(ebcCode)) return ebcCode.slice(0, 5);
  if (USCC.test(ebcCode)) {
    const division = ebcCode.slice(2, 8);
    const province = division.slice(0, 2);
    const local = MUNICIPALITIES.has(province) ? division.slice(4, 6) : division.slice(2, 4);
    return local === '00' ? `${province}909` : `${province}${local}9`;
  }
  return '00000';
}

/**
 * The currencies an inventory cannot be valued in on its closing day: a line's currency (none
 * given: CNY, as the fold reads it) or USD (every value is also given in USD) with no rate in
 * force then. Empty: `foldFacts` can fold it.
 */
export function missingRates(f: InventoryFact, rates: readonly FxRate[]): string[] {
  const missing = new Set<string>();
  for (const l of f.lines) {
    const c = l.currency || CNY;
    if (rateOn(rates, c, f.day) === undefined) missing.add(c);
  }
  if (rateOn(rates, USD, f.day) === undefined) missing.add(USD);
  return [...missing].sort();
}

/** Splits a batch into the inventories the rates can value and those waiting for a rate. */
export function partitionByRates(
  facts: readonly InventoryFact[],
  rates: readonly FxRate[],
): { foldable: InventoryFact[]; unfoldable: { fact: InventoryFact; missing: string[] }[] } {
  const foldable: InventoryFact[] = [];
  const unfoldable: { fact: InventoryFact; missing: string[] }[] = [];
  for (const f of facts) {
    const missing = missingRates(f, rates);
    if (missing.length) unfoldable.push({ fact: f, missing });
    else foldable.push(f);
  }
  return { foldable, unfoldable };
}

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
