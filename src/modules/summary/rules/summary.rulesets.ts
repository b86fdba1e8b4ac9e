/**
 * Summary-declaration (汇总申报) rule sets as data, so a past month is replayed under the rule
 * that was in force then. Keys name inventory fields; the repository maps each name to one
 * whitelisted SQL expression, and `groupLines` (grouping.rules.ts) to the same field in memory.
 */

/**
 * Inventory head fields a declaration may be keyed on (CEB603 InventoryHead). `customsCode` (申报海关)
 * is in every effective key: a declaration is lodged at, numbered by and read at one customs office.
 */
export const HEAD_FIELDS = ['customsCode', 'ebcCode', 'trafMode', 'ownerCode', 'country', 'portCode'] as const;
export type HeadField = (typeof HEAD_FIELDS)[number];
/** Inventory line fields a declaration line may be keyed on (CEB603 InventoryList). */
export const LINE_FIELDS = ['country', 'gcode', 'currency', 'unit', 'itemName'] as const;
export type LineField = (typeof LINE_FIELDS)[number];

export interface SummaryRuleSet {
  id: string;
  /** the instrument, as cited */
  source: string;
  /** first day (UTC date) the rule applies to a summary period */
  effectiveFrom: string;
  /** head key; `ownerCode` is only used when summaryFlag = 2 (by consignor + producer/seller) */
  headKey: readonly HeadField[];
  /** line key; `itemName` is added when itemNameFlag = 1 (by the enterprise's own item name) */
  lineKey: readonly LineField[];
  /** day of the following month by which the summary is due */
  deadlineDay: number;
  /** 2016 rule: December's summary by the last working day of December, not in January */
  decemberByYearEnd: boolean;
  /** summaryFlag used when the applicant gives none */
  defaultSummaryFlag: '1' | '2';
}

export const SUMMARY_RULE_SETS: readonly SummaryRuleSet[] = [
  {
    // 总署公告2014年第56号 [R]: 经营单位、运输方式、运抵国、进出境口岸 + HS10/unit/currency, by the 10th.
    id: 'gacc-2014-56',
    source: '海关总署公告2014年第56号',
    effectiveFrom: '2014-08-01',
    headKey: ['ebcCode', 'trafMode', 'country', 'portCode'],
    lineKey: ['country', 'gcode', 'currency', 'unit'],
    deadlineDay: 10,
    decemberByYearEnd: false,
    defaultSummaryFlag: '1',
  },
  {
    // 总署公告2016年第26号 [R]: adds 生产销售单位; unit still in the line key; by the 10th,
    // December's by the last working day of December.
    id: 'gacc-2016-26',
    source: '海关总署公告2016年第26号',
    effectiveFrom: '2016-04-08',
    headKey: ['ebcCode', 'trafMode', 'ownerCode', 'country', 'portCode'],
    lineKey: ['country', 'gcode', 'currency', 'unit'],
    deadlineDay: 10,
    decemberByYearEnd: true,
    defaultSummaryFlag: '2',
  },
  {
    // 总署公告2018年第194号 (八)–(十一): head 收发货人/运输方式/生产销售单位/运抵国/出境关别;
    // line 最终目的国/10位商品编码/币制; by the 15th (next working day when a rest day).
    id: 'gacc-2018-194',
    source: '海关总署公告2018年第194号',
    effectiveFrom: '2019-01-01',
    headKey: ['ebcCode', 'trafMode', 'ownerCode', 'country', 'portCode'],
    lineKey: ['country', 'gcode', 'currency'],
    deadlineDay: 15,
    decemberByYearEnd: false,
    defaultSummaryFlag: '2',
  },
];

/** The rule set in force for a period `YYYY-MM` (by the period's first day). */
export function ruleSetForPeriod(period: string, sets: readonly SummaryRuleSet[] = SUMMARY_RULE_SETS): SummaryRuleSet {
  const first = `${period}-01`;
  const found = [...sets].filter((s) => s.effectiveFrom <= first).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
  return found ?? sets[0]!;
}

export function ruleSetById(id: string, sets: readonly SummaryRuleSet[] = SUMMARY_RULE_SETS): SummaryRuleSet | undefined {
  return sets.find((s) => s.id === id);
}

/**
 * The effective keys after the applicant's flags (CEB701 summaryFlag / itemNameFlag), the customs
 * office (申报海关) first: inventories declared at two offices never form one declaration.
 */
export function effectiveKeys(
  rs: SummaryRuleSet,
  summaryFlag: '1' | '2',
  itemNameFlag: '1' | '',
): { head: HeadField[]; line: LineField[] } {
  const head: HeadField[] = ['customsCode', ...rs.headKey.filter((f) => f !== 'ownerCode' && f !== 'customsCode')];
  if (summaryFlag === '2') head.push('ownerCode');
  const line = [...rs.lineKey];
  if (itemNameFlag === '1' && !line.includes('itemName')) line.push('itemName');
  return { head, line };
}
