import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * Inspection result codes (查验结果代码): what an officer records on a finding, from this list
 * only, never free text. Each code has a category; the category decides which result it may go
 * with: a pass carries pass codes, and treatment codes for goods released after the treatment was
 * carried out (处理后放行); a failure carries at least one failure code.
 */
export const FINDING_CATEGORIES = ['pass', 'fail_quality', 'fail_quarantine', 'fail_documents', 'treatment'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

export interface FindingCode {
  code: string;
  category: FindingCategory;
  zh: string;
  en: string;
}

export const FINDING_CODES: readonly FindingCode[] = [
  { code: 'C01', category: 'pass', zh: '合格：货证相符', en: 'pass: the goods match the documents' },
  { code: 'Q00', category: 'pass', zh: '合格：检疫未见异常', en: 'pass: nothing found in the quarantine check' },
  { code: 'Q01', category: 'pass', zh: '合格：品质符合要求', en: 'pass: the quality meets the requirements' },
  {
    code: 'C10',
    category: 'fail_documents',
    zh: '不合格-单证：货证不符',
    en: 'fail (documents): the goods do not match the documents',
  },
  {
    code: 'C11',
    category: 'fail_documents',
    zh: '不合格-单证：数量或重量不符',
    en: 'fail (documents): quantity or weight differs',
  },
  {
    code: 'Q10',
    category: 'fail_quality',
    zh: '不合格-质量：品质不合格',
    en: 'fail (quality): the quality fails the requirements',
  },
  {
    code: 'Q11',
    category: 'fail_quality',
    zh: '不合格-质量：标签或包装不合格',
    en: 'fail (quality): labelling or packing fails',
  },
  {
    code: 'Q12',
    category: 'fail_quality',
    zh: '不合格-质量：安全卫生项目不合格',
    en: 'fail (quality): safety or hygiene test fails',
  },
  { code: 'Q20', category: 'fail_quarantine', zh: '不合格-检疫：发现有害生物', en: 'fail (quarantine): pests found' },
  {
    code: 'Q21',
    category: 'fail_quarantine',
    zh: '不合格-检疫：检出禁止物或携带土壤',
    en: 'fail (quarantine): prohibited material or soil found',
  },
  {
    code: 'Q22',
    category: 'fail_quarantine',
    zh: '不合格-检疫：检疫证书或注册不符',
    en: 'fail (quarantine): quarantine certificate or registration does not match',
  },
  { code: 'T01', category: 'treatment', zh: '需处理：熏蒸处理后放行', en: 'treatment required: released after fumigation' },
  { code: 'T02', category: 'treatment', zh: '需处理：消毒除害处理后放行', en: 'treatment required: released after disinfection' },
  { code: 'T03', category: 'treatment', zh: '需处理：整改标签后放行', en: 'treatment required: released after relabelling' },
];

const BY_CODE = new Map(FINDING_CODES.map((c) => [c.code, c]));

export const isFailure = (c: FindingCategory): boolean => c.startsWith('fail_');

/**
 * The problems of a finding's codes, bilingual, each naming its field (`codes[i]`) and rule: an
 * unknown code (`code`), the same code twice (`unique`), a pass with a failure code or a failure
 * with a pass or treatment code (`result`), no code at all (`required`), a failure without a
 * failure code (`failureCode`).
 */
export function checkFindingCodes(result: 'pass' | 'fail', codes: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const known = FINDING_CODES.map((c) => c.code).join(', ');
  const seen = new Set<string>();
  codes.forEach((raw, i) => {
    const code = raw.trim().toUpperCase();
    const field = `codes[${i}]`;
    const c = BY_CODE.get(code);
    if (!c) {
      problems.push({
        field,
        rule: 'code',
        message: {
          zh: `查验结果代码 ${raw} 不在代码表中（可用：${known}）`,
          en: `result code ${raw} is not in the code list (one of ${known})`,
        },
        value: raw,
      });
      return;
    }
    if (seen.has(code))
      problems.push({
        field,
        rule: 'unique',
        message: { zh: `查验结果代码 ${code} 重复`, en: `result code ${code} is given twice` },
        value: raw,
      });
    seen.add(code);
    if (result === 'pass' && isFailure(c.category))
      problems.push({
        field,
        rule: 'result',
        message: {
          zh: `结论为通过，不能使用不合格代码 ${code}（${c.zh}）`,
          en: `a pass cannot carry failure code ${code} (${c.en})`,
        },
        value: raw,
      });
    if (result === 'fail' && !isFailure(c.category))
      problems.push({
        field,
        rule: 'result',
        message: {
          zh: `结论为异常，不能使用代码 ${code}（${c.zh}）；请选用不合格代码`,
          en: `a failure cannot carry code ${code} (${c.en}); use failure codes`,
        },
        value: raw,
      });
  });
  if (codes.length === 0)
    problems.push({
      field: 'codes',
      rule: 'required',
      message: {
        zh: `至少填写一个查验结果代码（${known}）`,
        en: `give at least one result code (${known})`,
      },
    });
  else if (result === 'fail' && !codes.some((x) => isFailure(BY_CODE.get(x.trim().toUpperCase())?.category ?? 'pass')))
    problems.push({
      field: 'codes',
      rule: 'failureCode',
      message: {
        zh: '结论为异常时至少填写一个不合格代码（质量、检疫或单证）',
        en: 'a failure needs at least one failure code (quality, quarantine or documents)',
      },
    });
  return problems;
}

/** The codes as stored: trimmed, upper case, in the order given. */
export const normaliseCodes = (codes: readonly string[]): string[] => codes.map((c) => c.trim().toUpperCase());
