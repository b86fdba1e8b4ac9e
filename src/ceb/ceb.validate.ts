/**
 * Spec-driven validation of a decoded (or JSON) CEB message. Collects every problem; never stops at
 * the first. Field paths look like `Order[2]/OrderList[3]/qty` (1-based). Runs on every parcel at
 * intake, so the per-value checks allocate nothing unless they find a problem (issue #4); the
 * previous version is ceb.validate.reference.ts, which the tests hold this one to.
 */
import { isValidCode } from '../codes/index.ts';
import type { Bilingual, FieldProblem } from '../kernel/errors.ts';
import { checkCustomsCode, checkUscc } from '../modules/identity/index.ts';
import type { CebMessage } from './ceb.message.ts';
import { MESSAGE_SPECS, isCebMessageType, type FieldSpec, type MessageSpec } from './ceb.specs.ts';

const TABLE_NAMES_ZH: Readonly<Record<string, string>> = {
  country: '国别',
  currency: '币制',
  unit: '计量单位',
  customs: '关区',
  'trade-mode': '监管方式',
  'transport-mode': '运输方式',
  'wrap-type': '包装种类',
  hs: '商品编码',
  'foreign-port': '港口',
  'fee-flag': '运费/保费标志',
};

/** code points, as `[...s].length` counts them (a lone surrogate is one), without building the array */
function chars(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `s` holds only ASCII digits from `from` to its end */
function digitsTo(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

const numAt = (s: string, a: number, b: number): number => {
  let v = 0;
  for (let i = a; i < b; i++) v = v * 10 + s.charCodeAt(i) - 48;
  return v;
};

/**
 * A calendar date, as `new Date(Date.UTC(y, m - 1, d))` judges it: proleptic Gregorian, and years
 * below 100 never match (Date.UTC reads them as 19xx).
 */
function realDate(y: number, m: number, d: number): boolean {
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

function checkDate(value: string, digits: 8 | 14 | 17): boolean {
  if (value.length !== digits || !digitsTo(value, 0)) return false;
  if (!realDate(numAt(value, 0, 4), numAt(value, 4, 6), numAt(value, 6, 8))) return false;
  if (digits === 8) return true;
  return numAt(value, 8, 10) <= 23 && numAt(value, 10, 12) <= 59 && numAt(value, 12, 14) <= 59;
}

/** non-negative decimal with at most `total` significant integer+fraction digits and `fraction` decimals */
function checkDecimal(value: string, total = 19, fraction = 5): boolean {
  // /^(\d+)(?:\.(\d+))?$/, then leading zeros of the integer and trailing zeros of the fraction dropped
  const n = value.length;
  let i = 0;
  while (i < n && isDigit(value.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === 0) return false;
  let fracLen = 0;
  if (i < n) {
    if (value.charCodeAt(i) !== 46) return false;
    const fracStart = i + 1;
    if (fracStart === n || !digitsTo(value, fracStart)) return false;
    let b = n;
    while (b > fracStart && value.charCodeAt(b - 1) === 48) b--;
    fracLen = b - fracStart;
  }
  let a = 0;
  while (a < intEnd && value.charCodeAt(a) === 48) a++;
  return fracLen <= fraction && intEnd - a + fracLen <= total;
}

/** /^\d+$/ with at most `max` digits once leading zeros are dropped */
function checkInteger(value: string, max: number): boolean {
  if (value.length === 0 || !digitsTo(value, 0)) return false;
  let a = 0;
  while (a < value.length && value.charCodeAt(a) === 48) a++;
  return value.length - a <= max;
}

function enterpriseCodeProblem(value: string, field: FieldSpec): Bilingual | null {
  if (field.name === 'ownerCode' && value === 'NO') return null;
  if (value.length === 10) {
    const c = checkCustomsCode(value);
    return c.ok ? null : { zh: c.zh, en: c.en };
  }
  if (value.length === 18) {
    const c = checkUscc(value);
    return c.ok ? null : { zh: c.zh, en: c.en };
  }
  return {
    zh: '企业代码应为10位海关编码或18位统一社会信用代码',
    en: 'an enterprise code is a 10-char customs code or an 18-char USCC',
  };
}

/**
 * appStatus: the platform takes declarations (2) only. 暂存 (1) would be taken for a declaration, so
 * it is refused with a pointer to where drafts live on the platform.
 */
export function appStatusMessage(v: string): Bilingual {
  return v === '1'
    ? {
        zh: '本平台不受理暂存（appStatus=1）：草稿请保存在平台中（如「清单草稿」，/api/v1/inventory-drafts），申报时报送状态填 2',
        en: 'drafts (appStatus 1) are not taken: keep drafts on the platform (e.g. inventory drafts, /api/v1/inventory-drafts) and declare with appStatus 2',
      }
    : { zh: '报送状态必须是 2（申报）', en: 'appStatus must be 2 (declare)' };
}

interface Problem {
  rule: string;
  message: Bilingual;
}

/** The first problem of one value against its field spec, or null. */
function fieldProblem(f: FieldSpec, raw: unknown): Problem | null {
  if (raw === undefined || raw === null || raw === '') {
    return f.required ? { rule: 'required', message: { zh: '必填', en: 'required' } } : null;
  }
  if (typeof raw !== 'string') return { rule: 'string', message: { zh: '值必须是字符串', en: 'the value must be a string' } };
  const v = raw;
  if (f.length !== undefined || f.maxLength !== undefined || f.minLength !== undefined) {
    const len = chars(v);
    if (f.length !== undefined && len !== f.length)
      return { rule: 'length', message: { zh: `长度必须为 ${f.length}`, en: `must be exactly ${f.length} characters` } };
    if (f.maxLength !== undefined && len > f.maxLength)
      return { rule: 'maxLength', message: { zh: `长度不能超过 ${f.maxLength}`, en: `at most ${f.maxLength} characters` } };
    if (f.minLength !== undefined && len < f.minLength)
      return { rule: 'minLength', message: { zh: `长度至少为 ${f.minLength}`, en: `at least ${f.minLength} characters` } };
  }
  switch (f.type) {
    case 'decimal':
      if (!checkDecimal(v, f.totalDigits, f.fractionDigits)) {
        return {
          rule: 'decimal',
          message: {
            zh: `必须是非负数，最多 ${f.totalDigits ?? 19} 位数字、${f.fractionDigits ?? 5} 位小数`,
            en: `must be a non-negative number with at most ${f.totalDigits ?? 19} digits and ${f.fractionDigits ?? 5} decimals`,
          },
        };
      }
      break;
    case 'integer':
      if (!checkInteger(v, f.totalDigits ?? 9)) {
        return {
          rule: 'integer',
          message: {
            zh: `必须是不超过 ${f.totalDigits ?? 9} 位的非负整数`,
            en: `must be a non-negative integer of at most ${f.totalDigits ?? 9} digits`,
          },
        };
      }
      break;
    case 'date14':
      if (!checkDate(v, 14))
        return { rule: 'date14', message: { zh: '必须是有效时间 yyyyMMddHHmmss', en: 'must be a real time yyyyMMddHHmmss' } };
      break;
    case 'date17':
      if (!checkDate(v, 17))
        return {
          rule: 'date17',
          message: { zh: '必须是有效时间 yyyyMMddHHmmssSSS', en: 'must be a real time yyyyMMddHHmmssSSS' },
        };
      break;
    case 'date8':
      if (!checkDate(v, 8))
        return { rule: 'date8', message: { zh: '必须是有效日期 yyyyMMdd', en: 'must be a real date yyyyMMdd' } };
      break;
    case 'string':
      break;
  }
  if (f.codeTable && !isValidCode(f.codeTable, v)) {
    return {
      rule: 'codeTable',
      message: { zh: `不是有效的${TABLE_NAMES_ZH[f.codeTable] ?? f.codeTable}代码`, en: `not a valid ${f.codeTable} code` },
    };
  }
  if (f.enterpriseCode) {
    const m = enterpriseCodeProblem(v, f);
    if (m) return { rule: 'enterpriseCode', message: m };
  }
  if (f.name === 'appType' && v !== '1' && v !== '2' && v !== '3')
    return { rule: 'appType', message: { zh: '报送类型必须是 1、2 或 3', en: 'appType must be 1, 2 or 3' } };
  if (f.values && !f.values.codes.includes(v)) return { rule: 'values', message: { zh: f.values.zh, en: f.values.en } };
  if (f.name === 'appStatus' && v !== '2') return { rule: 'appStatus', message: appStatusMessage(v) };
  return null;
}

/** Checks one value against its field spec; returns problems (empty = fine). */
export function checkField(path: string, f: FieldSpec, raw: unknown): FieldProblem[] {
  const problem = fieldProblem(f, raw);
  return problem ? [{ field: path, rule: problem.rule, message: problem.message, value: raw }] : [];
}

/** field names per spec block, built once (the specs are fixed data) */
const KNOWN = new WeakMap<readonly FieldSpec[], ReadonlySet<string>>();

function knownNames(fields: readonly FieldSpec[]): ReadonlySet<string> {
  let known = KNOWN.get(fields);
  if (!known) {
    known = new Set(fields.map((f) => f.name));
    KNOWN.set(fields, known);
  }
  return known;
}

function checkRecord(path: string, fields: readonly FieldSpec[], rec: unknown, out: FieldProblem[]): Record<string, unknown> {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    out.push({ field: path, rule: 'object', message: { zh: '必须是对象', en: 'must be an object' }, value: rec });
    return {};
  }
  const r = rec as Record<string, unknown>;
  const known = knownNames(fields);
  for (const key of Object.keys(r)) {
    if (!known.has(key))
      out.push({
        field: `${path}/${key}`,
        rule: 'unknownField',
        message: { zh: '规范中没有此字段', en: 'no such field in the spec' },
        value: r[key],
      });
  }
  for (const f of fields) {
    const raw = r[f.name];
    const problem = fieldProblem(f, raw);
    // the field path is built only for a problem: most values have none
    if (problem) out.push({ field: `${path}/${f.name}`, rule: problem.rule, message: problem.message, value: raw });
  }
  return r;
}

const num = (v: unknown): number | undefined => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);

function checkOccurs(path: string, count: number, min: number, max: number, out: FieldProblem[]): void {
  if (count < min)
    out.push({
      field: path,
      rule: 'minOccurs',
      message: { zh: `至少需要 ${min} 条`, en: `at least ${min} required` },
      value: count,
    });
  if (count > max)
    out.push({ field: path, rule: 'maxOccurs', message: { zh: `最多 ${max} 条`, en: `at most ${max} allowed` }, value: count });
}

function entityRules(
  spec: MessageSpec,
  ePath: string,
  head: Record<string, unknown>,
  lists: Record<string, Record<string, unknown>[]>,
  out: FieldProblem[],
): void {
  const headPath = spec.entity.headElement ? `${ePath}/${spec.entity.headElement}` : ePath;
  const net = num(head.netWeight);
  const gross = num(head.grossWeight);
  if (net !== undefined && gross !== undefined && net > gross) {
    out.push({
      field: `${headPath}/netWeight`,
      rule: 'netWeight',
      message: { zh: '净重不能大于毛重', en: 'net weight must not exceed gross weight' },
      value: head.netWeight,
    });
  }
  for (const l of spec.entity.lists) {
    const rows = lists[l.element] ?? [];
    const hasGnum = knownNames(l.fields).has('gnum');
    rows.forEach((row, i) => {
      const rowPath = `${ePath}/${l.element}[${i + 1}]`;
      if (hasGnum && row.gnum !== undefined && row.gnum !== '' && num(row.gnum) !== i + 1) {
        out.push({
          field: `${rowPath}/gnum`,
          rule: 'gnumSequence',
          message: { zh: `序号应为 ${i + 1}（从 1 连续递增）`, en: `gnum must be ${i + 1} (1..n in sequence)` },
          value: row.gnum,
        });
      }
      if (spec.lineArithmetic) {
        const qty = num(row.qty);
        const price = num(row.price);
        const total = num(row.totalPrice);
        if (qty !== undefined && price !== undefined && total !== undefined && Math.abs(qty * price - total) > 0.01 + 1e-9) {
          out.push({
            field: `${rowPath}/totalPrice`,
            rule: 'lineTotal',
            message: {
              zh: `总价应等于数量×单价（${(qty * price).toFixed(2)}），误差不超过 0.01`,
              en: `totalPrice must equal qty × price (${(qty * price).toFixed(2)}) within 0.01`,
            },
            value: row.totalPrice,
          });
        }
      }
    });
  }
}

const GUID_FIELD: FieldSpec = { name: 'guid', type: 'string', required: true, order: 0, length: 36 };
const VERSION_FIELD: FieldSpec = { name: 'version', type: 'string', required: true, order: 1, minLength: 1, maxLength: 10 };

/** Validates a CEB message object against its spec. Returns every problem found (empty = valid). */
export function validateCeb(message: CebMessage): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isCebMessageType(String(message.messageType))) {
    return [
      {
        field: 'messageType',
        rule: 'messageType',
        message: { zh: '不支持的报文类型', en: 'unsupported message type' },
        value: message.messageType,
      },
    ];
  }
  const spec = MESSAGE_SPECS[message.messageType];
  out.push(...checkField(`${spec.root}/@guid`, GUID_FIELD, message.guid));
  if (message.version !== undefined) out.push(...checkField(`${spec.root}/@version`, VERSION_FIELD, message.version));
  const entities = Array.isArray(message.entities) ? message.entities : [];
  checkOccurs(spec.entity.element, entities.length, spec.minEntities, spec.maxEntities, out);
  entities.forEach((entity, i) => {
    const ePath = `${spec.entity.element}[${i + 1}]`;
    const headPath = spec.entity.headElement ? `${ePath}/${spec.entity.headElement}` : ePath;
    const head = checkRecord(headPath, spec.entity.head, entity.head, out);
    const lists: Record<string, Record<string, unknown>[]> = {};
    for (const l of spec.entity.lists) {
      const rows = entity.lists?.[l.element] ?? [];
      checkOccurs(`${ePath}/${l.element}`, rows.length, l.min, l.max ?? Number.POSITIVE_INFINITY, out);
      lists[l.element] = rows.map((row, j) => checkRecord(`${ePath}/${l.element}[${j + 1}]`, l.fields, row, out));
    }
    entityRules(spec, ePath, head, lists, out);
  });
  if (spec.baseTransfer) {
    if (message.baseTransfer === undefined)
      out.push({ field: 'BaseTransfer', rule: 'required', message: { zh: '必填', en: 'required' } });
    else checkRecord('BaseTransfer', spec.baseTransfer.fields, message.baseTransfer, out);
  }
  if (spec.baseSubscribe) {
    const subs = message.baseSubscribe ?? [];
    checkOccurs('BaseSubscribe', subs.length, 0, spec.baseSubscribe.max, out);
    subs.forEach((s, i) => checkRecord(`BaseSubscribe[${i + 1}]`, spec.baseSubscribe?.fields ?? [], s, out));
  }
  return out;
}
