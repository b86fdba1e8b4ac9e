#!/usr/bin/env node
/**
 * Builds the committed customs code tables in `src/codes/data/` from the JSON transcriptions of the
 * China customs / single-window parameter tables (public repository guoyunhe/singlewindow, GPL-3.0).
 *
 *   node scripts/build-code-tables.mjs [sourceDir]
 *   CODES_SRC=/path/to/codes node scripts/build-code-tables.mjs
 *
 * sourceDir defaults to `../shared/data/codes` relative to the repository root. The output is
 * deterministic (sorted, no timestamps), so re-running on unchanged input gives no git diff.
 *
 * Output format (read by `src/codes/codes.lookup.ts`):
 * - most tables: `{ "fields": [...], "rows": [[...], ...] }`, one array per entry, `null` = absent;
 * - `hs.json`: rows `[hs10, nameZh, ciq[]]`, where each ciq item is either the 3-digit CIQ suffix
 *   alone (CIQ name = HS name) or `[suffix, name]`, a name starting with `~` meaning "HS name + the rest";
 * - `hs-elements.json`: `{ "elements": [[name, required01], ...], "rows": [[prefix, [elementIndex, ...]], ...] }`;
 * - `manifest.json`: entry count per table (so listing the tables does not load them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.resolve(repoRoot, process.argv[2] ?? process.env.CODES_SRC ?? '../shared/data/codes');
const outDir = path.join(repoRoot, 'src/codes/data');

if (!fs.existsSync(srcDir)) {
  console.error(`code table source not found: ${srcDir} (pass a directory or set CODES_SRC)`);
  process.exit(1);
}

const warnings = [];
const warn = (msg) => warnings.push(msg);

function load(file) {
  const data = JSON.parse(fs.readFileSync(path.join(srcDir, file), 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array`);
  return data;
}

/** Trimmed string, or undefined when absent/blank. Full-width spaces count as blank too. */
function str(v) {
  if (v === undefined || v === null) return undefined;
  const s = String(v).replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
  return s === '' ? undefined : s;
}

function need(row, key, file) {
  const v = str(row[key]);
  if (v === undefined) throw new Error(`${file}: row without ${key}: ${JSON.stringify(row)}`);
  return v;
}

const byCode = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function uniqueRows(rows, file) {
  rows.sort(byCode);
  const out = [];
  for (const r of rows) {
    const prev = out[out.length - 1];
    if (prev && prev[0] === r[0]) {
      warn(`${file}: duplicate code ${r[0]} dropped`);
      continue;
    }
    out.push(r);
  }
  return out;
}

/** `[a, b, undefined]` → `[a, b, null]`, trailing nulls removed. */
function compactRow(row) {
  const r = row.map((v) => (v === undefined ? null : v));
  while (r.length > 0 && r[r.length - 1] === null) r.pop();
  return r;
}

const tables = {};
function table(name, fields, rows) {
  tables[name] = { data: { fields, rows: rows.map(compactRow) }, count: rows.length };
}

// ---------------------------------------------------------------------------------------------
// country — keyed by the customs numeric code used in CEB messages.
// Several ISO territories share one customs code (e.g. 399 = Europe other + Guernsey + Jersey …).
// One entry per customs code; the others become `aliases`. Primary: the customs "other/unknown"
// aggregate (ISO user-assigned Z.. codes: ZZZ, ZEU, ZSA, ZOC, ZAO) if present, else a listed
// preference, else the first ISO code alphabetically.
const COUNTRY_PRIMARY = { 326: 'NOR' };
{
  const file = 'CusMappingCountryCode.json';
  const groups = new Map();
  for (const r of load(file)) {
    const row = {
      code: need(r, 'CUSTOMS_COUNTRY_CODE', file),
      iso: need(r, 'COUNTRY_CODE', file),
      ciqCode: str(r.ECIQ_COUNTRY_CODE),
      nameZh: need(r, 'COUNTRY_NAME_CN', file),
      nameEn: str(r.COUNTRY_NAME_EN),
    };
    if (!groups.has(row.code)) groups.set(row.code, []);
    groups.get(row.code).push(row);
  }
  const rows = [];
  for (const [code, group] of groups) {
    group.sort((a, b) => (a.iso < b.iso ? -1 : 1));
    const primary = group.find((g) => g.iso === COUNTRY_PRIMARY[code]) ?? group.find((g) => g.iso.startsWith('Z')) ?? group[0];
    const aliases = group
      .filter((g) => g !== primary)
      .map(({ iso, ciqCode, nameZh, nameEn }) => compactObject({ iso, ciqCode, nameZh, nameEn }));
    rows.push([code, primary.iso, primary.ciqCode, primary.nameZh, primary.nameEn, aliases.length ? aliases : undefined]);
  }
  table('country', ['code', 'iso', 'ciqCode', 'nameZh', 'nameEn', 'aliases'], uniqueRows(rows, file));
}

function compactObject(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// currency — customs numeric code (CEB), ISO 4217, CIQ numeric.
{
  const file = 'CusMappingCurrencyCode.json';
  const rows = load(file).map((r) => [
    need(r, 'CUSTOMS_CURRENCY_CODE', file),
    need(r, 'CURRENCY_CODE', file),
    str(r.ECIQ_CURRENCY_CODE),
    need(r, 'CURRENCY_NAME_CN', file),
    str(r.CURRENCY_NAME_EN),
  ]);
  table('currency', ['code', 'iso', 'ciqCode', 'nameZh', 'nameEn'], uniqueRows(rows, file));
}

// unit — English names only where the customs/trade translation is unambiguous.
const UNIT_EN = {
  '001': 'set',
  '006': 'suit',
  '007': 'piece',
  '008': 'piece',
  '009': 'head',
  '010': 'sheet',
  '011': 'piece',
  '018': 'roll',
  '025': 'pair',
  '026': 'pair',
  '030': 'metre',
  '032': 'square metre',
  '033': 'cubic metre',
  '035': 'kilogram',
  '036': 'gram',
  '047': 'quintal',
  '060': 'kilovolt-ampere',
  '061': 'kilowatt',
  '062': 'kilowatt-hour',
  '063': 'kilolitre',
  '067': 'foot',
  '070': 'tonne',
  '071': 'long ton',
  '072': 'short ton',
  '076': 'pound',
  '083': 'ounce',
  '084': 'carat',
  '086': 'yard',
  '088': 'inch',
  '095': 'litre',
  '096': 'millilitre',
  '097': 'imperial gallon',
  '098': 'US gallon',
  '099': 'cubic foot',
  110: 'square yard',
  111: 'square foot',
  115: 'imperial horsepower',
  116: 'metric horsepower',
  118: 'ream',
  120: 'case',
  122: 'can',
  123: 'barrel',
  125: 'package',
  127: 'dozen',
  129: 'gross',
  135: 'bundle',
  136: 'bag',
  140: 'box',
  142: 'bottle',
  147: 'kilometre',
  148: 'thousand feet',
};
{
  const file = 'CusUnit.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'UNIT_CODE', file);
    return [code, need(r, 'UNIT_NAME', file), UNIT_EN[code]];
  });
  table('unit', ['code', 'nameZh', 'nameEn'], uniqueRows(rows, file));
}

// transport-mode (运输方式) — English names are translations of the Chinese ones.
const TRANSPORT_EN = {
  0: 'Non-bonded area',
  1: 'Supervised warehouse',
  2: 'Waterway',
  3: 'Railway',
  4: 'Road',
  5: 'Air',
  6: 'Mail',
  7: 'Bonded area',
  8: 'Bonded warehouse',
  9: 'Other',
  G: 'Fixed facilities',
  H: 'Border special customs operation zone',
  L: 'Carried by passengers',
  P: 'Yangpu bonded port area',
  S: 'Special comprehensive bonded zone',
  T: 'Comprehensive pilot zone',
  W: 'Logistics centre',
  X: 'Logistics park',
  Y: 'Bonded port area',
  Z: 'Export processing zone',
};
{
  const file = 'CusTransf.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'TRAF_CODE', file);
    return [code, need(r, 'TRAF_SPEC', file), TRANSPORT_EN[code]];
  });
  table('transport-mode', ['code', 'nameZh', 'nameEn'], uniqueRows(rows, file));
}

// trade-mode (监管方式) — nameZh is the abbreviation shown on declarations, fullNameZh the full name.
const TRADE_EN = {
  '0110': 'General trade',
  1039: 'Market procurement',
  1210: 'Bonded cross-border e-commerce',
  1239: 'Bonded cross-border e-commerce A',
  9610: 'Cross-border e-commerce',
  9710: 'Cross-border e-commerce B2B direct export',
  9810: 'Cross-border e-commerce export to overseas warehouse',
  9900: 'Other',
};
{
  const file = 'CusTrade.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'TRADE_MODE', file);
    return [code, need(r, 'ABBR_TRADE', file), TRADE_EN[code], need(r, 'FULL_TRADE', file)];
  });
  table('trade-mode', ['code', 'nameZh', 'nameEn', 'fullNameZh'], uniqueRows(rows, file));
}

// customs (关区代码, JGS/T 18) — district = first two characters + "00"; 0000 is the GACC root.
{
  const file = 'CusCustoms.json';
  const raw = load(file).map((r) => [need(r, 'CUSTOMS_CODE', file), need(r, 'CUSTOMS_NAME', file), need(r, 'ABBR_CUST', file)]);
  const codes = new Set(raw.map((r) => r[0]));
  const rows = raw.map(([code, nameZh, abbr]) => {
    const district = code === '0000' ? '0000' : `${code.slice(0, 2)}00`;
    if (!codes.has(district)) warn(`${file}: ${code} has no district ${district}`);
    const level = code === '0000' ? 'gacc' : code === district ? 'district' : 'office';
    return [code, nameZh, abbr, district, level];
  });
  table('customs', ['code', 'nameZh', 'abbr', 'district', 'level'], uniqueRows(rows, file));
}

// foreign-port (CusPort, 4-digit customs port codes, CEB POD) with the customs country code.
{
  const file = 'CusPort.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'PORT_CODE', file);
    const nameZh = str(r.PORT_C_NAME);
    const nameEn = str(r.PORT_E_NAME);
    if (!nameZh) warn(`${file}: ${code} has no Chinese name${nameEn ? '; using the English one' : ' at all'}`);
    let country = str(r.COUNTRY_CODE);
    if (country === '0') country = undefined;
    return [code, nameZh ?? nameEn ?? '', nameEn, country];
  });
  table('foreign-port', ['code', 'nameZh', 'nameEn', 'country'], uniqueRows(rows, file));
}

// CusMappingPortCode is the post-2018 unified port table (6-char codes: ISO country + 3 digits, or
// 99xxxx special customs zones) mapped to the legacy customs code (4-digit port, or the 3-digit
// customs country code where no port exists) and the CIQ code. It holds ports of every country:
// - `port`: all of it;
// - `domestic-port`: the Chinese ones (legacy customs code 142 = China: CHNxxx ports, 99xxxx zones, ZZZ900).
{
  const file = 'CusMappingPortCode.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'PORT_CODE', file);
    const iso = /^[A-Z]{3}/.test(code) && !code.startsWith('ZZZ') ? code.slice(0, 3) : undefined;
    return [
      code,
      need(r, 'PORT_NAME_CN', file),
      str(r.PORT_NAME_EN),
      need(r, 'CUSTOMS_PORT_CODE', file),
      str(r.ECIQ_PORT_CODE),
      iso,
    ];
  });
  const fields = ['code', 'nameZh', 'nameEn', 'customsCode', 'ciqCode', 'countryIso'];
  const all = uniqueRows(rows, file);
  table('port', fields, all);
  table(
    'domestic-port',
    fields,
    all.filter((r) => r[3] === '142'),
  );
}

// region (境内目的地/货源地, CusDistrict).
{
  const file = 'CusDistrict.json';
  const rows = load(file).map((r) => [
    need(r, 'DISTRICT_CODE', file),
    need(r, 'DISTRICT_NAME', file),
    str(r.ABBR_DIST),
    str(r.DISTRICT_TYPE),
  ]);
  table('region', ['code', 'nameZh', 'abbr', 'type'], uniqueRows(rows, file));
}

// wrap-type (CEB wrapType, one digit).
const WRAP_EN = { 1: 'Wooden case', 2: 'Carton', 3: 'Drum', 4: 'Bulk', 5: 'Pallet', 6: 'Bale', 7: 'Other' };
{
  const file = 'CusWrap.json';
  const rows = load(file).map((r) => {
    const code = need(r, 'WRAP_CODE', file);
    return [code, need(r, 'WRAP_NAME', file), WRAP_EN[code]];
  });
  table('wrap-type', ['code', 'nameZh', 'nameEn'], uniqueRows(rows, file));
}

// fee-flag — CEB fFlag/iFlag (freight/insurance), fixed by the XSD.
table(
  'fee-flag',
  ['code', 'nameZh', 'nameEn'],
  [
    ['1', '率', 'Rate'],
    ['2', '单价', 'Unit price'],
    ['3', '总价', 'Total price'],
  ],
);

// ---------------------------------------------------------------------------------------------
// hs + ciq-code. CiqCiqCode holds 13-digit codes (HS10 + 3-digit inspection code) and, separately,
// 2..10-digit codes of the CIQ product classification (a different hierarchy, e.g. 1101010101 种马)
// and the "00 所有" root: only the 13-digit ones are used.
//
// HS name choice: a CIQ name is the HS description plus, for HS codes with several CIQ codes, a
// parenthesised inspection qualifier ("其他瓷餐具(食品接触陶瓷产品)" / "其他瓷餐具(食品用陶瓷包装)").
// - one CIQ code → its name as is;
// - several → the longest common prefix of the names (full/half-width brackets treated alike), cut
//   back to before the last bracket left open ("其他瓷餐具(食品" → "其他瓷餐具"), or the whole
//   prefix if it is itself one of the names; trailing punctuation trimmed;
// - if that leaves fewer than 2 characters (the names share no qualifier-free stem), the shortest
//   name, ties broken by the lowest CIQ code.
function commonPrefix(strings) {
  let p = strings[0];
  for (const s of strings) {
    let i = 0;
    while (i < p.length && i < s.length && p[i] === s[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}
const normBrackets = (s) => s.replace(/（/g, '(').replace(/）/g, ')');
function hsName(items) {
  if (items.length === 1) return items[0].name;
  const p = commonPrefix(items.map((i) => normBrackets(i.name)));
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '(') {
      if (depth === 0) cut = i;
      depth++;
    } else if (p[i] === ')') depth = Math.max(0, depth - 1);
  }
  let stem;
  if (depth > 0) stem = items[0].name.slice(0, cut);
  else if (items.some((i) => normBrackets(i.name) === p)) stem = items[0].name.slice(0, p.length);
  if (stem !== undefined) {
    stem = stem.replace(/[\s\u3000，,、：:；;]+$/, '');
    if (stem.length >= 2) return stem;
  }
  return [...items].sort((a, b) => a.name.length - b.name.length || (a.code < b.code ? -1 : 1))[0].name;
}
{
  const file = 'CiqCiqCode.json';
  const groups = new Map();
  let skipped = 0;
  for (const r of load(file)) {
    const code = need(r, 'STATCODE', file);
    if (!/^\d{13}$/.test(code)) {
      skipped++;
      continue;
    }
    const hs = code.slice(0, 10);
    if (!groups.has(hs)) groups.set(hs, []);
    groups.get(hs).push({ code, name: need(r, 'CIQNAME', file) });
  }
  const rows = [];
  let ciqCount = 0;
  for (const hs of [...groups.keys()].sort()) {
    const items = groups.get(hs).sort((a, b) => (a.code < b.code ? -1 : 1));
    const name = hsName(items);
    const ciq = items.map((i) => {
      const suffix = i.code.slice(10);
      if (i.name === name) return suffix;
      if (i.name.startsWith(name)) return [suffix, `~${i.name.slice(name.length)}`];
      if (i.name.startsWith('~')) throw new Error(`${file}: CIQ name starting with ~ breaks the encoding: ${i.code}`);
      return [suffix, i.name];
    });
    for (let k = 1; k < items.length; k++)
      if (items[k].code === items[k - 1].code) throw new Error(`${file}: duplicate ${items[k].code}`);
    ciqCount += items.length;
    rows.push([hs, name, ciq]);
  }
  tables.hs = { data: { fields: ['code', 'nameZh', 'ciq'], rows }, count: rows.length };
  tables['ciq-code'] = { data: null, count: ciqCount, file: 'hs.json' };
  if (skipped) warn(`${file}: ${skipped} rows that are not 13-digit CIQ codes skipped (CIQ classification, "00")`);
}

// hs-elements (申报要素) per HS prefix (CODE_TS, 4..10 digits). The source has no element order
// number; its order (by element name) is kept. `required` = ELEMENT_NULL "1" (GTIN/CAS are mostly 0).
{
  const file = 'CusMerchElement.json';
  const dict = new Map();
  const elements = [];
  const groups = new Map();
  for (const r of load(file)) {
    const prefix = need(r, 'CODE_TS', file);
    if (!/^\d{4,10}$/.test(prefix)) throw new Error(`${file}: unexpected CODE_TS ${prefix}`);
    const name = need(r, 'ELEMENT', file);
    const flag = str(r.ELEMENT_NULL) === '1' ? 1 : 0;
    const key = `${flag}${name}`;
    if (!dict.has(key)) {
      dict.set(key, elements.length);
      elements.push([name, flag]);
    }
    if (!groups.has(prefix)) groups.set(prefix, []);
    const list = groups.get(prefix);
    const idx = dict.get(key);
    if (list.some((i) => elements[i][0] === name)) warn(`${file}: ${prefix} lists ${name} twice; first kept`);
    else list.push(idx);
  }
  const rows = [...groups.keys()].sort().map((p) => [p, groups.get(p)]);
  tables['hs-elements'] = { data: { elements, rows }, count: rows.length };
}

// ---------------------------------------------------------------------------------------------
fs.mkdirSync(outDir, { recursive: true });
const manifest = { source: 'guoyunhe/singlewindow (GPL-3.0); customs published code standards', tables: {} };
let total = 0;
const written = new Set();
for (const name of Object.keys(tables).sort()) {
  const t = tables[name];
  const file = t.file ?? `${name}.json`;
  manifest.tables[name] = { file, count: t.count };
  if (t.data === null) continue;
  const json = `${JSON.stringify(t.data)}\n`;
  fs.writeFileSync(path.join(outDir, file), json);
  written.add(file);
  total += Buffer.byteLength(json);
  console.log(
    `${file.padEnd(22)} ${String(t.count).padStart(6)} entries ${(Buffer.byteLength(json) / 1024).toFixed(1).padStart(8)} KiB`,
  );
}
fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
written.add('manifest.json');
for (const f of fs.readdirSync(outDir)) {
  if (f.endsWith('.json') && !written.has(f)) {
    fs.rmSync(path.join(outDir, f));
    console.log(`removed stale ${f}`);
  }
}
console.log(`total ${(total / 1024).toFixed(1)} KiB in ${path.relative(repoRoot, outDir)}`);
for (const w of warnings) console.warn(`warning: ${w}`);
