import type { Bilingual } from '../../../kernel/errors.ts';

/**
 * Enterprise credit rating (出口信用评级) from explainable factors. Every factor says what it
 * measured and how many points it cost; the rules are data with a version, so a rating in the
 * history can be explained with the rules it was computed under. Documented in
 * docs/credit-rating.md.
 */
export type CreditLevel = 'AA' | 'A' | 'B' | 'C';
export const CREDIT_LEVELS: readonly CreditLevel[] = ['AA', 'A', 'B', 'C'];

export interface RatingInputs {
  /** inventories declared as seller in the window */
  declared: number;
  /** of those, rejected (100) */
  rejected: number;
  /** closed (899): the track record */
  closed: number;
  /** inspection findings (查验异常) in the window; null = not known */
  inspectionFindings: number | null;
  /** published, not overturned credit cases in the window, by severity */
  minorCases: number;
  majorCases: number;
  /** share of summary declarations (汇总申报) filed on time, 0..1; null = not known */
  summaryOnTimeRate: number | null;
  /** share of export value with forex received, 0..1; null = not known */
  forexReceiptRate: number | null;
  /** the enterprise filing (企业备案) is approved */
  filed: boolean;
  blacklisted: boolean;
}

export interface FactorResult {
  factor: string;
  value: string;
  points: number;
  explanation: Bilingual;
}

export interface RatingRules {
  version: string;
  windowDays: number;
  /** deductions by rejection rate: the first band whose `above` the rate exceeds */
  rejectionBands: { above: number; points: number }[];
  minRejectionSample: number;
  pointsPerFinding: number;
  maxFindingPoints: number;
  pointsPerMinorCase: number;
  pointsPerMajorCase: number;
  summaryBands: { below: number; points: number }[];
  forexBands: { below: number; points: number }[];
  notFiledPoints: number;
  /** AA needs this many closed inventories; fewer caps the level at A */
  aaMinClosed: number;
  levels: { level: CreditLevel; minScore: number }[];
}

export const RATING_RULES: RatingRules = {
  version: 'credit-2026-1',
  windowDays: 365,
  rejectionBands: [
    { above: 0.15, points: 25 },
    { above: 0.05, points: 10 },
  ],
  minRejectionSample: 20,
  pointsPerFinding: 5,
  maxFindingPoints: 20,
  pointsPerMinorCase: 10,
  pointsPerMajorCase: 40,
  summaryBands: [
    { below: 0.8, points: 20 },
    { below: 0.95, points: 10 },
  ],
  forexBands: [
    { below: 0.7, points: 20 },
    { below: 0.9, points: 10 },
  ],
  notFiledPoints: 15,
  aaMinClosed: 50,
  levels: [
    { level: 'AA', minScore: 90 },
    { level: 'A', minScore: 75 },
    { level: 'B', minScore: 60 },
    { level: 'C', minScore: -Infinity },
  ],
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function rateEnterprise(
  inp: RatingInputs,
  rules: RatingRules = RATING_RULES,
): { level: CreditLevel; score: number; factors: FactorResult[] } {
  const factors: FactorResult[] = [];
  const rate = inp.declared > 0 ? inp.rejected / inp.declared : 0;
  const rejBand = inp.declared >= rules.minRejectionSample ? rules.rejectionBands.find((b) => rate > b.above) : undefined;
  factors.push({
    factor: 'rejection_rate',
    value: `${inp.rejected}/${inp.declared} (${pct(rate)})`,
    points: -(rejBand?.points ?? 0),
    explanation: rejBand
      ? { zh: `清单退单率高于 ${pct(rejBand.above)}`, en: `inventory rejection rate above ${pct(rejBand.above)}` }
      : inp.declared < rules.minRejectionSample
        ? {
            zh: `申报不足 ${rules.minRejectionSample} 票，不计退单率`,
            en: `fewer than ${rules.minRejectionSample} inventories: rate not counted`,
          }
        : { zh: '退单率正常', en: 'rejection rate normal' },
  });
  const findings = inp.inspectionFindings ?? 0;
  const fPoints = Math.min(findings * rules.pointsPerFinding, rules.maxFindingPoints);
  factors.push({
    factor: 'inspection_findings',
    value: inp.inspectionFindings === null ? 'n/a' : String(findings),
    points: -fPoints,
    explanation: {
      zh: `查验异常每次扣 ${rules.pointsPerFinding} 分，最多 ${rules.maxFindingPoints} 分`,
      en: `${rules.pointsPerFinding} per inspection finding, at most ${rules.maxFindingPoints}`,
    },
  });
  factors.push({
    factor: 'cases',
    value: `minor ${inp.minorCases}, major ${inp.majorCases}`,
    points: -(inp.minorCases * rules.pointsPerMinorCase + inp.majorCases * rules.pointsPerMajorCase),
    explanation: {
      zh: `已公示案件：一般每件扣 ${rules.pointsPerMinorCase} 分，严重每件扣 ${rules.pointsPerMajorCase} 分`,
      en: `published cases: ${rules.pointsPerMinorCase} per minor, ${rules.pointsPerMajorCase} per major`,
    },
  });
  const band = (v: number | null, bands: { below: number; points: number }[]) =>
    v === null ? undefined : bands.find((b) => v < b.below);
  const sb = band(inp.summaryOnTimeRate, rules.summaryBands);
  factors.push({
    factor: 'summary_on_time',
    value: inp.summaryOnTimeRate === null ? 'n/a' : pct(inp.summaryOnTimeRate),
    points: -(sb?.points ?? 0),
    explanation: sb
      ? { zh: `汇总申报按时率低于 ${pct(sb.below)}`, en: `on-time summary declarations below ${pct(sb.below)}` }
      : { zh: '汇总申报按时（或无数据）', en: 'summary declarations on time (or no data)' },
  });
  const fb = band(inp.forexReceiptRate, rules.forexBands);
  factors.push({
    factor: 'forex_receipt',
    value: inp.forexReceiptRate === null ? 'n/a' : pct(inp.forexReceiptRate),
    points: -(fb?.points ?? 0),
    explanation: fb
      ? { zh: `收汇率低于 ${pct(fb.below)}`, en: `forex receipt rate below ${pct(fb.below)}` }
      : { zh: '收汇正常（或无数据）', en: 'forex received (or no data)' },
  });
  factors.push({
    factor: 'filing',
    value: inp.filed ? 'approved' : 'missing',
    points: inp.filed ? 0 : -rules.notFiledPoints,
    explanation: inp.filed
      ? { zh: '企业备案完整', en: 'enterprise filing approved' }
      : { zh: '企业备案未通过', en: 'enterprise filing not approved' },
  });
  const score = 100 + factors.reduce((a, f) => a + f.points, 0);
  let level = rules.levels.find((l) => score >= l.minScore)!.level;
  if (level === 'AA' && inp.closed < rules.aaMinClosed) {
    level = 'A';
    factors.push({
      factor: 'track_record',
      value: String(inp.closed),
      points: 0,
      explanation: {
        zh: `结关不足 ${rules.aaMinClosed} 票，最高评为 A`,
        en: `fewer than ${rules.aaMinClosed} closed inventories: at most A`,
      },
    });
  }
  if (inp.blacklisted) {
    level = 'C';
    factors.push({
      factor: 'blacklist',
      value: 'yes',
      points: 0,
      explanation: { zh: '列入失信名单，评为 C', en: 'on the blacklist: rated C' },
    });
  }
  return { level, score, factors };
}
