import { readdirSync, readFileSync } from 'node:fs';
import { getCode } from '../../codes/index.ts';

/**
 * The languages of the public verification page, one data file each in `lang/` (`ru.json` …):
 * the page's labels, the chain's event names and the scan warnings, with the language's own name
 * (for the language switch) and writing direction. Chinese is the source text. A file missing a
 * label, or with a warning that lost a placeholder, stops the start rather than showing a half page.
 */
export const TEXT_KEYS = [
  'title',
  'product',
  'seller',
  'origin',
  'batch',
  'chain',
  'checks',
  'filed',
  'inspected',
  'departed',
  'passed',
  'failed',
  'yes',
  'no',
  'warn',
  'ok',
  'report',
  'describe',
  'contact',
  'send',
  'reported',
  'language',
  'source',
] as const;
export const EVENT_KINDS = ['producer', 'filing', 'warehouse', 'inspection', 'departure', 'delivery'] as const;
/** Each scan warning with the placeholders its text must keep. */
const REASON_PLACEHOLDERS = {
  scans: ['scans', 'days', 'limit'],
  countries: ['count', 'list'],
  place: ['list', 'destination'],
} as const;

export type PageTextKey = (typeof TEXT_KEYS)[number];
export type ReasonRule = keyof typeof REASON_PLACEHOLDERS;

export interface PageLanguage {
  code: string;
  /** the language's name in itself (Русский), for the language switch */
  name: string;
  dir: 'ltr' | 'rtl';
  /** how a list of countries is joined (、 in Chinese and Japanese) */
  listSeparator: string;
  text: Record<PageTextKey, string>;
  events: Record<(typeof EVENT_KINDS)[number], string>;
  reasons: Record<ReasonRule, string>;
}

const LANG_DIR = new URL('./lang/', import.meta.url);

function corrupt(file: string, what: string): never {
  throw new Error(`追溯页语言文件有误 / bad trace page language file lang/${file}: ${what}`);
}

function strings<K extends string>(file: string, part: string, value: unknown, keys: readonly K[]): Record<K, string> {
  if (typeof value !== 'object' || value === null) corrupt(file, `"${part}" is not an object`);
  const v = value as Record<string, unknown>;
  for (const k of keys)
    if (typeof v[k] !== 'string' || !(v[k] as string).trim()) corrupt(file, `"${part}.${k}" is missing or empty`);
  const extra = Object.keys(v).filter((k) => !(keys as readonly string[]).includes(k));
  if (extra.length) corrupt(file, `unknown keys in "${part}": ${extra.join(', ')}`);
  return v as Record<K, string>;
}

function load(file: string): PageLanguage {
  const d = JSON.parse(readFileSync(new URL(file, LANG_DIR), 'utf8')) as Record<string, unknown>;
  const code = file.slice(0, 2);
  if (typeof d.name !== 'string' || !d.name) corrupt(file, '"name" is missing');
  if (d.dir !== 'ltr' && d.dir !== 'rtl') corrupt(file, '"dir" must be "ltr" or "rtl"');
  if (typeof d.listSeparator !== 'string' || !d.listSeparator) corrupt(file, '"listSeparator" is missing');
  const reasons = strings(file, 'reasons', d.reasons, Object.keys(REASON_PLACEHOLDERS) as ReasonRule[]);
  for (const [rule, names] of Object.entries(REASON_PLACEHOLDERS))
    for (const n of names)
      if (!reasons[rule as ReasonRule].includes(`{${n}}`)) corrupt(file, `"reasons.${rule}" lost the placeholder {${n}}`);
  return {
    code,
    name: d.name,
    dir: d.dir,
    listSeparator: d.listSeparator,
    text: strings(file, 'text', d.text, TEXT_KEYS),
    events: strings(file, 'events', d.events, EVENT_KINDS),
    reasons,
  };
}

const files = readdirSync(LANG_DIR).filter((f) => /^[a-z]{2}\.json$/.test(f));
const loaded = new Map(files.map((f) => [f.slice(0, 2), load(f)]));
for (const required of ['zh', 'en']) if (!loaded.has(required)) corrupt(`${required}.json`, 'the file is missing');

/** The page's languages: Chinese (the source), English, then the others by code. */
export const PAGE_LANGUAGES: readonly PageLanguage[] = Object.freeze(
  [...loaded.values()].sort((a, b) => {
    const rank = (l: PageLanguage) => (l.code === 'zh' ? 0 : l.code === 'en' ? 1 : 2);
    return rank(a) - rank(b) || a.code.localeCompare(b.code);
  }),
);
export const PAGE_LANGUAGE_CODES: readonly string[] = Object.freeze(PAGE_LANGUAGES.map((l) => l.code));

/** The page text of a language; a language the page does not have reads English. */
export const pageLanguage = (code: string): PageLanguage => loaded.get(code) ?? loaded.get('en')!;
export const hasPageLanguage = (code: string): boolean => loaded.has(code);

/** Fills `{name}` placeholders. */
export const fillText = (template: string, values: Readonly<Record<string, string | number>>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

// --- countries --------------------------------------------------------------------------------------

const destinations = JSON.parse(readFileSync(new URL('destinations.json', LANG_DIR), 'utf8')) as {
  rows: [string, string, string][];
};
const byIso2 = new Map(destinations.rows.map(([a2, , lang]) => [a2, lang]));
const byIso3 = new Map(destinations.rows.map(([, a3, lang]) => [a3, lang]));
const iso2Of = new Map(destinations.rows.map(([a2, a3]) => [a3, a2]));

/**
 * A country as ISO alpha-2 (how scans are recorded), given as alpha-2, alpha-3 or the customs'
 * numeric code (运抵国); undefined for a country outside the destinations table.
 */
export function iso2OfCountry(country: string | null | undefined): string | undefined {
  const c = country?.trim().toUpperCase();
  if (!c) return undefined;
  if (/^[A-Z]{2}$/.test(c)) return c;
  const iso3 = /^\d{3}$/.test(c) ? getCode('country', c)?.iso : c;
  return iso3 ? iso2Of.get(iso3) : undefined;
}

/**
 * The language most buyers read in a country, given as ISO alpha-2 (a delivery's country), ISO
 * alpha-3, or the customs' numeric code (a parcel's destination, 运抵国); undefined when unknown.
 */
export function languageOfCountry(country: string | null | undefined): string | undefined {
  const c = country?.trim().toUpperCase();
  if (!c) return undefined;
  if (/^\d{3}$/.test(c)) {
    const iso = getCode('country', c)?.iso;
    return iso ? byIso3.get(iso) : undefined;
  }
  return (c.length === 2 ? byIso2.get(c) : byIso3.get(c)) ?? undefined;
}

/**
 * A country's name in a page language other than Chinese and English (whose names come from the
 * customs code table), from the runtime's Unicode data; undefined when it has none.
 */
export function countryNameIn(lang: string, iso3: string | undefined): string | undefined {
  const a2 = iso3 ? iso2Of.get(iso3) : undefined;
  if (!a2) return undefined;
  try {
    const name = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' }).of(a2);
    return name && name !== a2 ? name : undefined;
  } catch {
    return undefined;
  }
}
