/**
 * The validator as it was before the precompiled one in ceb.validate.ts (issue #4), kept as the
 * reference the tests and bench/decode.bench.ts compare against. Not used by the application.
 * Rules added to the field specs since (closed value sets, appStatus 2 only) are checked here the
 * same way, so the two still answer alike.
 */
import { isValidCode } from '../codes/index.ts';
import type { Bilingual, FieldProblem } from '../kernel/errors.ts';
import { checkCustomsCode, checkUscc } from '../modules/identity/index.ts';
import type { CebMessage } from './ceb.message.ts';
import { MESSAGE_SPECS, isCebMessageType, type FieldSpec, type MessageSpec } from './ceb.specs.ts';
import { appStatusMessage } from './ceb.validate.ts';

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

const chars = (s: string): number => [...s].length;

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function checkDate(value: string, digits: 8 | 14 | 17): boolean {
  if (!new RegExp(`^\\d{${digits}}$`).test(value)) return false;
  const n = (a: number, b: number): number => Number(value.slice(a, b));
  if (!realDate(n(0, 4), n(4, 6), n(6, 8))) return false;
  if (digits === 8) return true;
  return n(8, 10) <= 23 && n(10, 12) <= 59 && n(12, 14) <= 59;
}

/** non-negative decimal with at most `total` significant integer+fraction digits and `fraction` decimals */
function checkDecimal(value: string, total = 19, fraction = 5): boolean {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return false;
  const intPart = (m[1] ?? '').replace(/^0+/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac.length <= fraction && intPart.length + frac.length <= total;
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

/** Checks one value against its field spec; returns problems (empty = fine). */
export function checkFieldReference(path: string, f: FieldSpec, raw: unknown): FieldProblem[] {
  const p = (rule: string, message: Bilingual): FieldProblem[] => [{ field: path, rule, message, value: raw }];
  if (raw === undefined || raw === null || raw === '') {
    return f.required ? p('required', { zh: '必填', en: 'required' }) : [];
  }
  if (typeof raw !== 'string') return p('string', { zh: '值必须是字符串', en: 'the value must be a string' });
  const v = raw;
  const len = chars(v);
  if (f.length !== undefined && len !== f.length)
    return p('length', { zh: `长度必须为 ${f.length}`, en: `must be exactly ${f.length} characters` });
  if (f.maxLength !== undefined && len > f.maxLength)
    return p('maxLength', { zh: `长度不能超过 ${f.maxLength}`, en: `at most ${f.maxLength} characters` });
  if (f.minLength !== undefined && len < f.minLength)
    return p('minLength', { zh: `长度至少为 ${f.minLength}`, en: `at least ${f.minLength} characters` });
  switch (f.type) {
    case 'decimal':
      if (!checkDecimal(v, f.totalDigits, f.fractionDigits)) {
        return p('decimal', {
          zh: `必须是非负数，最多 ${f.totalDigits ?? 19} 位数字、${f.fractionDigits ?? 5} 位小数`,
          en: `must be a non-negative number with at most ${f.totalDigits ?? 19} digits and ${f.fractionDigits ?? 5} decimals`,
        });
      }
      break;
    case 'integer':
      if (!/^\d+$/.test(v) || v.replace(/^0+/, '').length > (f.totalDigits ?? 9)) {
        return p('integer', {
          zh: `必须是不超过 ${f.totalDigits ?? 9} 位的非负整数`,
          en: `must be a non-negative integer of at most ${f.totalDigits ?? 9} digits`,
        });
      }
      break;
    case 'date14':
      if (!checkDate(v, 14))
        return p('date14', { zh: '必须是有效时间 yyyyMMddHHmmss', en: 'must be a real time yyyyMMddHHmmss' });
      break;
    case 'date17':
      if (!checkDate(v, 17))
        return p('date17', { zh: '必须是有效时间 yyyyMMddHHmmssSSS', en: 'must be a real time yyyyMMddHHmmssSSS' });
      break;
    case 'date8':
      if (!checkDate(v, 8)) return p('date8', { zh: '必须是有效日期 yyyyMMdd', en: 'must be a real date yyyyMMdd' });
      break;
    case 'string':
      break;
  }
  if (f.codeTable && !isValidCode(f.codeTable, v)) {
    return p('codeTable', {
      zh: `不是有效的${TABLE_NAMES_ZH[f.codeTable] ?? f.codeTable}代码`,
      en: `not a valid ${f.codeTable} code`,
    });
  }
  if (f.enterpriseCode) {
    const m = enterpriseCodeProblem(v, f);
    if (m) return p('enterpriseCode', m);
  }
  if (f.name === 'appType' && !['1', '2', '3'].includes(v))
    return p('appType', { zh: '报送类型必须是 1、2 或 3', en: 'appType must be 1, 2 or 3' });
  if (f.values && !f.values.codes.includes(v)) return p('values', { zh: f.values.zh, en: f.values.en });
  if (f.name === 'appStatus' && v !== '2') return p('appStatus', appStatusMessage(v));
  return [];
}

function checkRecord(path: string, fields: readonly FieldSpec[], rec: unknown, out: FieldProblem[]): Record<string, unknown> {
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    out.push({ field: path, rule: 'object', message: { zh: '必须是对象', en: 'must be an object' }, value: rec });
    return {};
  }
  const r = rec as Record<string, unknown>;
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(r)) {
    if (!known.has(key))
      out.push({
        field: `${path}/${key}`,
        rule: 'unknownField',
        message: { zh: '规范中没有此字段', en: 'no such field in the spec' },
        value: r[key],
      });
  }
  for (const f of fields) out.push(...checkFieldReference(`${path}/${f.name}`, f, r[f.name]));
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
    const hasGnum = l.fields.some((f) => f.name === 'gnum');
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

/** Validates a CEB message object against its spec. Returns every problem found (empty = valid). */
export function validateCebReference(message: CebMessage): FieldProblem[] {
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
  out.push(
    ...checkFieldReference(
      `${spec.root}/@guid`,
      { name: 'guid', type: 'string', required: true, order: 0, length: 36 },
      message.guid,
    ),
  );
  if (message.version !== undefined)
    out.push(
      ...checkFieldReference(
        `${spec.root}/@version`,
        { name: 'version', type: 'string', required: true, order: 1, minLength: 1, maxLength: 10 },
        message.version,
      ),
    );
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
