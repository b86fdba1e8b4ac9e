import { allCodes, countryByIso, currencyByIso, getCode, isValidCode } from '../../../codes/index.ts';

/**
 * Value rules shared by the order import and the inventory builder: decimals as scaled integers
 * (never JS floats), currencies and countries from the customs code tables.
 */
export const SCALE = 100000n;
const DIGITS = 5;

/** "1,234.5" / "$12.99" / "12.99 USD" → scaled integer (5 decimals); null when not a number. */
export function parseDecimal(raw: string): bigint | null {
  const s = raw.replace(/[\s,]/g, '');
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > DIGITS) return null;
  const v = BigInt(m[2]!) * SCALE + BigInt(frac.padEnd(DIGITS, '0') || '0');
  return m[1] === '-' ? -v : v;
}

export function formatDecimal(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(DIGITS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** a × b, rounded half-up to 5 decimals */
export const mulDecimal = (a: bigint, b: bigint): bigint => (a * b + SCALE / 2n) / SCALE;

/** a ÷ b, rounded half-up to 5 decimals (b > 0) */
export const divDecimal = (a: bigint, b: bigint): bigint => (a * SCALE * 2n + b) / (2n * b);

/** Currency symbols marketplaces print in money cells ("US $12.99", "£5.00", "€3"). */
const CURRENCY_SYMBOLS: readonly [RegExp, string][] = [
  [/^(US\s*\$|USD\s*)/i, 'USD'],
  [/^(AU\s*\$|A\$|AUD\s*)/i, 'AUD'],
  [/^(C\s*\$|CA\s*\$|CAD\s*)/i, 'CAD'],
  [/^(HK\s*\$|HKD\s*)/i, 'HKD'],
  [/^(£|GBP\s*)/i, 'GBP'],
  [/^(€|EUR\s*)/i, 'EUR'],
  [/^(¥|￥|CNY\s*|RMB\s*)/i, 'CNY'],
  [/^\$/, 'USD'],
];

/** Splits "US $12.99" into { amount: "12.99", iso: "USD" }; a bare number has no iso. */
export function splitMoney(raw: string): { amount: string; iso: string | null } {
  let s = raw.trim();
  let iso: string | null = null;
  for (const [re, code] of CURRENCY_SYMBOLS) {
    if (re.test(s)) {
      iso = code;
      s = s.replace(re, '');
      break;
    }
  }
  const suffix = /\s+([A-Z]{3})$/.exec(s);
  if (suffix) {
    iso ??= suffix[1]!;
    s = s.slice(0, suffix.index);
  }
  return { amount: s.trim(), iso };
}

/** Customs currency code (502) from a customs code or an ISO 4217 code (USD); undefined if unknown. */
export function currencyCode(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  if (/^\d{3}$/.test(s)) return isValidCode('currency', s) ? s : undefined;
  return currencyByIso(s)?.code;
}

/**
 * Names marketplaces print that the customs table spells otherwise (data: add as found).
 * Keys are normalised (lower case, letters only); values ISO 3166 alpha-3.
 */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  us: 'USA',
  usa: 'USA',
  unitedstates: 'USA',
  america: 'USA',
  uk: 'GBR',
  greatbritain: 'GBR',
  england: 'GBR',
  southkorea: 'KOR',
  korea: 'KOR',
  northkorea: 'PRK',
  russia: 'RUS',
  czechia: 'CZE',
  czechrepublic: 'CZE',
  vietnam: 'VNM',
  hongkong: 'HKG',
  hongkongsarchina: 'HKG',
  macao: 'MAC',
  macau: 'MAC',
  macaosarchina: 'MAC',
  taiwan: 'TWN',
  turkey: 'TUR',
  trkiye: 'TUR',
  turkiye: 'TUR',
  laos: 'LAO',
  syria: 'SYR',
  tanzania: 'TZA',
  brunei: 'BRN',
  iran: 'IRN',
  bolivia: 'BOL',
  venezuela: 'VEN',
  moldova: 'MDA',
  capeverde: 'CPV',
  eswatini: 'SWZ',
  myanmar: 'MMR',
  myanmarburma: 'MMR',
  dominicanrepublic: 'DOM',
  bosniaherzegovina: 'BIH',
  bosniaandherzegovina: 'BIH',
  trinidadtobago: 'TTO',
  trinidadandtobago: 'TTO',
  ivorycoast: 'CIV',
  ctedivoire: 'CIV',
};

const letters = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

let byName: Map<string, string> | undefined;
function countryNames(): Map<string, string> {
  if (byName) return byName;
  const m = new Map<string, string>();
  for (const c of allCodes('country')) {
    if (c.nameEn) m.set(letters(c.nameEn), c.code);
    m.set(c.nameZh, c.code);
    for (const a of c.aliases ?? []) if (a.nameEn) m.set(letters(a.nameEn), c.code);
  }
  byName = m;
  return m;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Customs country code (502) from what order files carry: a customs code, ISO alpha-3 (USA),
 * ISO alpha-2 (US), an English name ("United States") or a Chinese name (美国).
 */
export function countryCode(raw: string): string | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  if (/^\d{3}$/.test(s)) return getCode('country', s) ? s : undefined;
  const up = s.toUpperCase();
  if (/^[A-Z]{3}$/.test(up)) {
    const c = countryByIso(up);
    if (c) return c.code;
  }
  const key = letters(s);
  const alias = COUNTRY_ALIASES[key];
  if (alias) return countryByIso(alias)?.code;
  if (/^[A-Z]{2}$/.test(up)) {
    let name: string | undefined;
    try {
      name = regionNames.of(up);
    } catch {
      name = undefined;
    }
    if (name && name !== up) return countryCode(name);
    return undefined;
  }
  return countryNames().get(key) ?? countryNames().get(s);
}
