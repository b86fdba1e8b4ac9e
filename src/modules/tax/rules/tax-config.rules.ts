import { getCode } from '../../../codes/index.ts';
import type { FieldProblem } from '../../../kernel/errors.ts';
import type { PilotZone } from './refund.rules.ts';

/**
 * What a tax officer may enter as versioned tax data: a version of the 无票免税 rule (财税〔2018〕103号)
 * and a refund-rate table (出口退税率文库) by CSV. Pure checks: every problem names the field (for
 * CSV rows, the spreadsheet row, the header being row 1) and the rule, Chinese first.
 */

const problem = (field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem => ({
  field,
  rule,
  message: { zh, en },
  ...(value !== undefined ? { value } : {}),
});

const isDay = (v: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

export function dayProblems(field: string, v: string): FieldProblem[] {
  return isDay(v) ? [] : [problem(field, 'date', `${field}应为有效日期YYYY-MM-DD`, `${field} must be a date YYYY-MM-DD`, v)];
}

export interface RuleVersionInput {
  /**
   * The customs district (4000) or office (4006) whose own version this is; null, '' or absent:
   * the national rule. The most specific one in force judges a declaration (tax.refunds.ts).
   */
  jurisdiction?: string | null;
  noInvoiceExemption: { enabled: boolean; pilotZones: PilotZone[] };
  note: string;
}

/** The jurisdiction as stored: '' for the national rule. */
export const jurisdictionOf = (input: Pick<RuleVersionInput, 'jurisdiction'>): string => input.jurisdiction?.trim() ?? '';

export const MAX_PILOT_ZONES = 200;

/** A version of the 无票免税 rule: zones are 4-digit region codes, each with known customs codes. */
export function ruleVersionProblems(effectiveFrom: string, input: RuleVersionInput): FieldProblem[] {
  const out = dayProblems('effectiveFrom', effectiveFrom);
  const jurisdiction = jurisdictionOf(input);
  if (jurisdiction !== '') {
    const customs = getCode('customs', jurisdiction);
    if (!customs)
      out.push(
        problem(
          'jurisdiction',
          'codeTable',
          `适用海关${jurisdiction}不在关区代码表中（全国规则请留空）`,
          `jurisdiction ${jurisdiction} is not in the customs code table (leave it empty for the national rule)`,
          jurisdiction,
        ),
      );
    else if (customs.level === 'gacc')
      out.push(
        problem(
          'jurisdiction',
          'level',
          '适用海关应为直属海关关区或隶属海关；全国规则请留空',
          'jurisdiction must be a customs district or office; leave it empty for the national rule',
          jurisdiction,
        ),
      );
  }
  const zones = input.noInvoiceExemption.pilotZones;
  if (zones.length > MAX_PILOT_ZONES)
    out.push(
      problem(
        'noInvoiceExemption.pilotZones',
        'maxItems',
        `综试区最多${MAX_PILOT_ZONES}个`,
        `at most ${MAX_PILOT_ZONES} pilot zones`,
      ),
    );
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const f = `noInvoiceExemption.pilotZones[${i}]`;
    if (!/^\d{4}$/.test(z.zone))
      out.push(problem(`${f}.zone`, 'format', '综试区应为4位地区代码', 'zone must be a 4-digit region code', z.zone));
    else if (seen.has(z.zone))
      out.push(problem(`${f}.zone`, 'unique', `综试区${z.zone}重复`, `pilot zone ${z.zone} is listed twice`, z.zone));
    seen.add(z.zone);
    if (!z.customs.length)
      out.push(
        problem(
          `${f}.customs`,
          'required',
          '须列出综试区的海关（关区或隶属海关代码）',
          "list the zone's customs (district or office codes)",
        ),
      );
    z.customs.forEach((c, j) => {
      if (!getCode('customs', c))
        out.push(
          problem(
            `${f}.customs[${j}]`,
            'codeTable',
            `海关代码${c}不在关区代码表中`,
            `customs code ${c} is not in the customs code table`,
            c,
          ),
        );
    });
  });
  if (input.note.length > 500) out.push(problem('note', 'maxLength', '说明最多500字', 'note is at most 500 characters'));
  return out;
}

/** The refund-rate CSV: `hs` and `rate` required, `excluded` optional. */
export const RATE_COLUMNS = ['hs', 'rate'] as const;
export const MAX_RATE_ROWS = 50_000;

export interface RateRow {
  hs: string;
  /** a fraction: 0.13 for 13 %; null when excluded */
  rate: string | null;
  excluded: boolean;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', '是']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', '否']);

/**
 * The rows of a refund-rate CSV (header first): each row is an HS prefix (2–10 digits) with a rate
 * between 0 and 1 (at most 4 decimals), or marked excluded with no rate. Answers the rows, or every
 * problem of every row (row numbers as in a spreadsheet).
 */
export function checkRateTable(table: readonly string[][]): { rows: RateRow[] } | { problems: FieldProblem[] } {
  const header = (table[0] ?? []).map((h) => h.trim());
  const missing = RATE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length)
    return {
      problems: [problem('header', 'columns', `缺少列: ${missing.join(',')}`, `missing columns: ${missing.join(',')}`)],
    };
  const body = table.slice(1);
  if (!body.length) return { problems: [problem('rows', 'minItems', '没有数据行', 'the file has no rows')] };
  if (body.length > MAX_RATE_ROWS)
    return {
      problems: [problem('rows', 'maxItems', `每次最多${MAX_RATE_ROWS}行`, `at most ${MAX_RATE_ROWS} rows`)],
    };
  const col = (name: string) => header.indexOf(name);
  const problems: FieldProblem[] = [];
  const rows: RateRow[] = [];
  const seen = new Map<string, number>();
  body.forEach((cells, i) => {
    const row = i + 2;
    const f = (name: string) => `rows[${row}].${name}`;
    const hs = (cells[col('hs')] ?? '').trim();
    const rate = (cells[col('rate')] ?? '').trim();
    const flag = col('excluded') >= 0 ? (cells[col('excluded')] ?? '').trim().toLowerCase() : '';
    const before = problems.length;
    if (!/^\d{2,10}$/.test(hs))
      problems.push(problem(f('hs'), 'format', '商品编码应为2至10位数字', 'hs must be 2 to 10 digits', hs));
    else if (seen.has(hs))
      problems.push(
        problem(f('hs'), 'unique', `商品编码${hs}与第${seen.get(hs)}行重复`, `hs ${hs} repeats row ${seen.get(hs)}`, hs),
      );
    else seen.set(hs, row);
    const excluded = TRUE.has(flag);
    if (!excluded && !FALSE.has(flag))
      problems.push(
        problem(f('excluded'), 'enum', 'excluded应为是/否（1/0、true/false）', 'excluded must be 1/0, true/false or 是/否', flag),
      );
    if (excluded && rate !== '')
      problems.push(problem(f('rate'), 'excluded', '不予退(免)税的商品不填退税率', 'an excluded row has no rate', rate));
    if (!excluded && !/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(rate))
      problems.push(
        problem(
          f('rate'),
          'decimal',
          '退税率应为0至1之间的小数（最多4位小数，如0.13表示13%）',
          'rate must be a fraction from 0 to 1 with at most 4 decimals (0.13 for 13 %)',
          rate,
        ),
      );
    if (problems.length === before) rows.push({ hs, rate: excluded ? null : rate, excluded });
  });
  return problems.length ? { problems } : { rows };
}
