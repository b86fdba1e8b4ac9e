import { createHash } from 'node:crypto';
import { strictestLane, type Lane } from '../../clearance/index.ts';

/**
 * Risk rules as data: each rule has an id, a version with an effective date, a kind (the pure
 * function below that evaluates it), parameters, a lane and a plain-language explanation. Customs
 * edits them at runtime (a new version); code changes only for a new kind.
 */
export const RULE_KINDS = [
  'parcel_limit',
  'undervaluation',
  'hs_list',
  'destination_list',
  'vague_description',
  'split_shipment',
  'credit_sampling',
  'first_time_exporter',
  'quarantine',
  'quarantine_sampling',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const CREDIT_LEVELS = ['AA', 'A', 'B', 'C'] as const;

/**
 * The quarantine categories a filed product may carry: the filing module's list
 * (filing/rules/product.ts QUARANTINE_CATEGORIES), repeated here because risk reads other modules
 * only through its ports; a test keeps the two equal.
 */
export const QUARANTINE_CATEGORIES = [
  'fresh_fruit',
  'vegetables',
  'grain',
  'meat',
  'aquatic',
  'dairy',
  'animal_products',
  'plants',
  'processed_food',
  'cosmetics',
  'other',
] as const;

/** The Beijing (UTC+8, no daylight saving) day of an instant, yyyy-mm-dd: rule effective dates are Beijing days. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
export type CreditLevel = (typeof CREDIT_LEVELS)[number];

export interface RiskRule {
  id: string;
  version: number;
  /** yyyy-mm-dd */
  effectiveFrom: string;
  kind: RuleKind;
  lane: Lane;
  params: Record<string, unknown>;
  explainZh: string;
  explainEn: string;
  enabled: boolean;
}

export interface LineFacts {
  gnum: string;
  itemNo: string;
  name: string;
  hsCode: string;
  currency: string;
  qty: number;
  unitPrice: number;
  /** filed reference price in the line's currency, when filed */
  referencePrice: number | null;
  /** median unit price of the HS code (same currency) over recent decisions, with its sample size */
  hsMedian: { price: number; samples: number } | null;
  quarantineCategory: string | null;
  /** an approved inspection & quarantine filing covers the product */
  inspectionFiled: boolean;
  /** a centrally declared batch with balance covers the line; null where not drawn (dry run) */
  batchCovered?: boolean | null;
}

export interface ParcelFacts {
  guid: string;
  ebcCode: string;
  country: string;
  head: Record<string, string>;
  total: number;
  lines: LineFacts[];
  creditLevel: CreditLevel;
  /** the seller is on the credit system's blacklist (失信名单); its level is then C */
  blacklisted?: boolean;
  /** the seller has neither a credit record nor an earlier decision */
  firstTime: boolean;
  /** parcels with the same split key decided in the rule's window, this one included, under its value */
  splitCount: (windowHours: number, maxValue: number) => number;
  /** the split key is the buyer's fingerprint (same buyer/address), not the other key fields */
  splitByBuyer?: boolean;
}

/** Who selects on a hit: customs, or inspection & quarantine (a separate agency or a role in customs). */
export const AGENCIES = ['customs', 'inspection'] as const;
export type Agency = (typeof AGENCIES)[number];

export interface RuleHit {
  rule: string;
  version: number;
  lane: Lane;
  agency: Agency;
  zh: string;
  en: string;
  /** what in the parcel made the rule hit, for the officer */
  detailZh: string;
  detailEn: string;
}

type Why = { zh: string; en: string } | null;

const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : fallback;
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Reproducible sampling: the same seed and guid always land in the same bucket of 10,000. */
export function sampleBucket(seed: string, guid: string): number {
  return createHash('sha256').update(`${seed}|${guid}`).digest().readUInt32BE(0) % 10_000;
}

/** A description is vague when every word in it is on the stop-list ("gift", "礼品 配件"). */
export function isVague(name: string, words: readonly string[]): boolean {
  const stop = new Set(words.map((w) => w.toLowerCase()));
  const tokens = name
    .toLowerCase()
    .split(/[\s,，、;；/|()（）\-_.。]+/u)
    .filter((t) => t && !/^\d+$/.test(t));
  return tokens.length > 0 && tokens.every((t) => stop.has(t));
}

const EVALUATORS: Record<RuleKind, (r: RiskRule, f: ParcelFacts) => Why> = {
  parcel_limit(r, f) {
    const maxValue = num(r.params.maxValue, Infinity);
    const maxQty = num(r.params.maxQty, Infinity);
    const qty = f.lines.reduce((a, l) => a + l.qty, 0);
    if (f.total > maxValue) return { zh: `申报总价 ${f.total} > ${maxValue}`, en: `declared total ${f.total} > ${maxValue}` };
    if (qty > maxQty) return { zh: `件数 ${qty} > ${maxQty}`, en: `quantity ${qty} > ${maxQty}` };
    return null;
  },
  undervaluation(r, f) {
    const ratio = num(r.params.minRatio, 0.3);
    const minSamples = num(r.params.medianMinSamples, 20);
    for (const l of f.lines) {
      const ref = l.referencePrice ?? (l.hsMedian && l.hsMedian.samples >= minSamples ? l.hsMedian.price : null);
      if (ref === null || ref <= 0) continue;
      if (l.unitPrice < ref * ratio) {
        const basis =
          l.referencePrice !== null ? { zh: '备案参考价', en: 'filed reference price' } : { zh: '同税号中位数', en: 'HS median' };
        return {
          zh: `第 ${l.gnum} 项 ${l.itemNo} 单价 ${l.unitPrice} 低于${basis.zh} ${ref} 的 ${ratio * 100}%`,
          en: `line ${l.gnum} ${l.itemNo}: unit price ${l.unitPrice} below ${ratio * 100}% of the ${basis.en} ${ref}`,
        };
      }
    }
    return null;
  },
  hs_list(r, f) {
    const prefixes = strings(r.params.hsPrefixes);
    const l = f.lines.find((x) => prefixes.some((p) => x.hsCode.startsWith(p)));
    return l ? { zh: `第 ${l.gnum} 项商品编码 ${l.hsCode}`, en: `line ${l.gnum} HS code ${l.hsCode}` } : null;
  },
  destination_list(r, f) {
    const countries = strings(r.params.countries);
    const prefixes = strings(r.params.hsPrefixes);
    if (!countries.includes(f.country)) return null;
    if (prefixes.length && !f.lines.some((x) => prefixes.some((p) => x.hsCode.startsWith(p)))) return null;
    return { zh: `运抵国 ${f.country}`, en: `destination ${f.country}` };
  },
  vague_description(r, f) {
    const words = strings(r.params.words);
    const l = f.lines.find((x) => isVague(x.name, words));
    return l ? { zh: `第 ${l.gnum} 项品名“${l.name}”`, en: `line ${l.gnum} description "${l.name}"` } : null;
  },
  split_shipment(r, f) {
    const maxValue = num(r.params.maxValue, Infinity);
    if (f.total >= maxValue) return null;
    const hours = num(r.params.windowHours, 24);
    const minCount = num(r.params.minCount, Infinity);
    const n = f.splitCount(hours, maxValue);
    if (n < minCount) return null;
    return f.splitByBuyer
      ? {
          zh: `${hours} 小时内寄给同一买家（姓名及地址相同）的低值包裹 ${n} 票`,
          en: `${n} low-value parcels to the same buyer/address within ${hours} h`,
        }
      : {
          zh: `${hours} 小时内同一企业同一去向低值包裹 ${n} 票`,
          en: `${n} low-value parcels of the same seller and destination within ${hours} h`,
        };
  },
  credit_sampling(r, f) {
    // A blacklisted seller is not sampled but inspected parcel by parcel, whatever its rate.
    if (f.blacklisted)
      return {
        zh: `企业 ${f.ebcCode} 已列入失信名单（信用等级 C），逐票布控查验`,
        en: `seller ${f.ebcCode} is on the credit blacklist (level C): every parcel is inspected`,
      };
    const rates = (r.params.ratesPct ?? {}) as Record<string, unknown>;
    const pct = num(rates[f.creditLevel], 0);
    const seed = typeof r.params.seed === 'string' ? r.params.seed : '';
    return pct > 0 && sampleBucket(seed, f.guid) < pct * 100
      ? { zh: `信用等级 ${f.creditLevel}，抽中（${pct}%）`, en: `credit level ${f.creditLevel}, sampled (${pct}%)` }
      : null;
  },
  first_time_exporter(_r, f) {
    return f.firstTime ? { zh: `企业 ${f.ebcCode} 首次出口`, en: `seller ${f.ebcCode} exports for the first time` } : null;
  },
  quarantine(_r, f) {
    const l = f.lines.find((x) => x.quarantineCategory && !x.inspectionFiled);
    if (l) {
      return {
        zh: `第 ${l.gnum} 项 ${l.itemNo}（检疫类别 ${l.quarantineCategory}）未办理检验检疫备案（企业及商品）`,
        en: `line ${l.gnum} ${l.itemNo} (quarantine category ${l.quarantineCategory}) has no inspection filing (enterprise and product)`,
      };
    }
    const b = f.lines.find((x) => x.quarantineCategory && x.batchCovered === false);
    return b
      ? {
          zh: `第 ${b.gnum} 项 ${b.itemNo} 没有余量足够的集中申报批次`,
          en: `line ${b.gnum} ${b.itemNo}: no centrally declared batch with enough balance`,
        }
      : null;
  },
  quarantine_sampling(r, f) {
    // Lines in one of the rule's quarantine categories; the parcel is sampled (seeded by its guid,
    // reproducible) at the rule's percentage.
    const categories = strings(r.params.categories);
    const pct = num(r.params.samplePercent, 0);
    const seed = typeof r.params.seed === 'string' ? r.params.seed : '';
    const l = f.lines.find((x) => x.quarantineCategory && categories.includes(x.quarantineCategory));
    if (!l || !(pct > 0) || sampleBucket(seed, f.guid) >= pct * 100) return null;
    return {
      zh: `第 ${l.gnum} 项 ${l.itemNo}（检疫类别 ${l.quarantineCategory}）抽中（${pct}%）`,
      en: `line ${l.gnum} ${l.itemNo} (quarantine category ${l.quarantineCategory}) sampled (${pct}%)`,
    };
  },
};

/**
 * The versions in force at an instant: per rule id, the latest version effective on or before its
 * Beijing day (a rule effective 2026-12-01 is in force from 2026-11-30T16:00Z).
 */
export function rulesInForce(all: readonly RiskRule[], day: Date): RiskRule[] {
  return rulesInForceOn(all, beijingDay(day));
}

/** The versions in force on a Beijing day (yyyy-mm-dd): `rulesInForce` for a day, not an instant. */
export function rulesInForceOn(all: readonly RiskRule[], iso: string): RiskRule[] {
  const best = new Map<string, RiskRule>();
  for (const r of all) {
    if (r.effectiveFrom > iso) continue;
    const b = best.get(r.id);
    if (!b || r.version > b.version) best.set(r.id, r);
  }
  return [...best.values()].filter((r) => r.enabled).sort((a, b) => a.id.localeCompare(b.id));
}

/** `params.agency` names who selects; quarantine rules belong to inspection unless told otherwise. */
export function agencyOf(rule: RiskRule): Agency {
  const a = rule.params.agency;
  if (a === 'customs' || a === 'inspection') return a;
  return rule.kind === 'quarantine' || rule.kind === 'quarantine_sampling' ? 'inspection' : 'customs';
}

export function evaluateRule(rule: RiskRule, facts: ParcelFacts): RuleHit | null {
  const why = EVALUATORS[rule.kind](rule, facts);
  if (!why) return null;
  return {
    rule: rule.id,
    version: rule.version,
    lane: rule.lane,
    agency: agencyOf(rule),
    zh: rule.explainZh,
    en: rule.explainEn,
    detailZh: why.zh,
    detailEn: why.en,
  };
}

export function evaluate(rules: readonly RiskRule[], facts: ParcelFacts): { lane: Lane; hits: RuleHit[] } {
  const hits = rules.map((r) => evaluateRule(r, facts)).filter((h): h is RuleHit => h !== null);
  return { lane: strictestLane(hits.map((h) => h.lane)), hits };
}

/** Parameters a rule of each kind must have, checked when customs saves a rule. */
export function checkParams(kind: RuleKind, params: Record<string, unknown>): { field: string; zh: string; en: string }[] {
  const out: { field: string; zh: string; en: string }[] = [];
  if (params.agency !== undefined && !(AGENCIES as readonly unknown[]).includes(params.agency))
    out.push({ field: 'params.agency', zh: 'agency 须为 customs 或 inspection', en: 'agency must be customs or inspection' });
  const positive = (k: string, optional = false) => {
    const v = params[k];
    if (v === undefined && optional) return;
    if (!(num(v, NaN) >= 0))
      out.push({ field: `params.${k}`, zh: `${k} 必须是非负数`, en: `${k} must be a non-negative number` });
  };
  const list = (k: string, optional = false) => {
    if (params[k] === undefined && optional) return;
    if (!Array.isArray(params[k]) || strings(params[k]).length !== (params[k] as unknown[]).length)
      out.push({ field: `params.${k}`, zh: `${k} 必须是字符串列表`, en: `${k} must be a list of strings` });
  };
  if (kind === 'parcel_limit') {
    positive('maxValue', true);
    positive('maxQty', true);
    if (params.maxValue === undefined && params.maxQty === undefined)
      out.push({ field: 'params.maxValue', zh: '至少给出 maxValue 或 maxQty', en: 'give maxValue or maxQty' });
  } else if (kind === 'undervaluation') {
    positive('minRatio');
    positive('medianMinSamples', true);
  } else if (kind === 'hs_list') list('hsPrefixes');
  else if (kind === 'destination_list') {
    list('countries');
    list('hsPrefixes', true);
  } else if (kind === 'vague_description') list('words');
  else if (kind === 'split_shipment') {
    positive('windowHours');
    positive('minCount');
    positive('maxValue');
    splitKeyFieldProblems(params.keyFields).forEach((e) => out.push(e));
  } else if (kind === 'credit_sampling') {
    const rates = params.ratesPct;
    if (typeof rates !== 'object' || rates === null) {
      out.push({
        field: 'params.ratesPct',
        zh: 'ratesPct 必须按信用等级给出百分比',
        en: 'ratesPct must give a percentage per credit level',
      });
    } else {
      for (const [lvl, v] of Object.entries(rates)) {
        const n = num(v, NaN);
        if (!(CREDIT_LEVELS as readonly string[]).includes(lvl) || !(n >= 0 && n <= 100))
          out.push({
            field: `params.ratesPct.${lvl}`,
            zh: '信用等级为 AA/A/B/C，比例 0–100',
            en: 'levels are AA/A/B/C, rates 0–100',
          });
      }
    }
  } else if (kind === 'quarantine_sampling') {
    const cats = params.categories;
    const known = QUARANTINE_CATEGORIES.join(', ');
    if (!Array.isArray(cats) || cats.length === 0 || strings(cats).length !== cats.length)
      out.push({
        field: 'params.categories',
        zh: `检疫抽样规则的 categories 必须是至少一个检疫类别的列表（${known}）`,
        en: `quarantine sampling rule: categories must be a list of at least one quarantine category (${known})`,
      });
    else {
      const unknown = strings(cats).filter((c) => !(QUARANTINE_CATEGORIES as readonly string[]).includes(c));
      if (unknown.length)
        out.push({
          field: 'params.categories',
          zh: `检疫抽样规则的检疫类别 ${unknown.join('、')} 不存在；可选：${known}`,
          en: `quarantine sampling rule: unknown quarantine categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; one of ${known}`,
        });
    }
    const pct = num(params.samplePercent, NaN);
    if (!(pct >= 0 && pct <= 100))
      out.push({
        field: 'params.samplePercent',
        zh: '检疫抽样规则的 samplePercent 必须是 0–100 之间的百分比',
        en: 'quarantine sampling rule: samplePercent must be a percentage from 0 to 100',
      });
    if (params.seed !== undefined && typeof params.seed !== 'string')
      out.push({
        field: 'params.seed',
        zh: '检疫抽样规则的 seed（抽样种子）必须是字符串',
        en: 'quarantine sampling rule: seed (the sampling seed) must be a string',
      });
  }
  return out;
}

/**
 * The key field `buyer`: the buyer of the parcel's order as the seller imported it (orders
 * module), as a fingerprint. CEB export messages carry no buyer.
 */
export const BUYER_KEY_FIELD = 'buyer';
const BUYER_KEY_PREFIX = 'buyer:';

/** Case, width, whitespace and punctuation do not tell buyers apart: "Jane  DOE," is "jane doe". */
export function normaliseBuyerText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\p{C}\s]+/gu, '');
}

/**
 * A buyer's fingerprint: SHA-256 over the normalised name and address (domain-separated,
 * 128 bits kept), so the risk tables group by buyer without holding a name or an address.
 * Null when either is empty once normalised: a name alone or an address alone is not a buyer.
 */
export function buyerFingerprint(name: string, address: string): string | null {
  const n = normaliseBuyerText(name);
  const a = normaliseBuyerText(address);
  if (!n || !a) return null;
  return createHash('sha256').update(`cbec-risk-buyer-v1\u0000${n}\u0000${a}`).digest('hex').slice(0, 32);
}

/**
 * The split-shipment key of a parcel. With `buyer` among the key fields and the buyer known, the
 * key is the buyer's fingerprint alone (the same buyer/address, whatever the other fields say);
 * otherwise the other key fields of the inventory head, joined. Null when no field is left (the
 * rule keys on `buyer` only and the parcel's order has no imported buyer): the parcel groups
 * with nothing.
 */
export function splitKeyOf(
  head: Record<string, string>,
  keyFields: readonly string[],
  buyer: string | null = null,
): string | null {
  if (keyFields.includes(BUYER_KEY_FIELD)) {
    if (buyer) return `${BUYER_KEY_PREFIX}${buyer}`;
    const rest = keyFields.filter((k) => k !== BUYER_KEY_FIELD);
    return rest.length ? rest.map((k) => head[k] ?? '').join('|') : null;
  }
  return keyFields.map((k) => head[k] ?? '').join('|');
}

export const isBuyerKey = (key: string): boolean => key.startsWith(BUYER_KEY_PREFIX);

export const DEFAULT_SPLIT_KEY_FIELDS = ['ebcCode', 'country', 'POD'] as const;

/**
 * The fields a split-shipment rule may key on: `buyer`, and the inventory head fields that name a
 * party, a place or a destination. Any other name is read as '' from every head, so every parcel
 * would share one key and the rule would count the whole traffic as one seller's split.
 */
export const SPLIT_KEY_FIELDS = [
  BUYER_KEY_FIELD,
  'ebcCode',
  'ebpCode',
  'ownerCode',
  'agentCode',
  'logisticsCode',
  'customsCode',
  'portCode',
  'country',
  'POD',
] as const;

/** keyFields of a split-shipment rule: a non-empty list of known fields, each once. */
function splitKeyFieldProblems(v: unknown): { field: string; zh: string; en: string }[] {
  const field = 'params.keyFields';
  const known = SPLIT_KEY_FIELDS.join(', ');
  if (!Array.isArray(v) || strings(v).length !== v.length)
    return [
      {
        field,
        zh: `拆单规则的 keyFields 必须是字段名列表（可选：${known}）`,
        en: `split shipment rule: keyFields must be a list of field names (one of ${known})`,
      },
    ];
  if (v.length === 0)
    return [
      {
        field,
        zh: `拆单规则的 keyFields 不能为空：没有键字段时所有包裹同一个键，全部流量会被算作一家拆单；可选：${known}`,
        en: `split shipment rule: keyFields must not be empty (without a key field every parcel shares one key and all traffic counts as one split); one of ${known}`,
      },
    ];
  const names = v as string[];
  const unknown = names.filter((k) => !(SPLIT_KEY_FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    return [
      {
        field,
        zh: `拆单规则的键字段 ${unknown.join('、')} 不存在（未知字段对每个包裹都取空值）；可选：${known}`,
        en: `split shipment rule: unknown key field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (an unknown field reads empty on every parcel); one of ${known}`,
      },
    ];
  const twice = names.filter((k, i) => names.indexOf(k) !== i);
  if (twice.length)
    return [
      {
        field,
        zh: `拆单规则的键字段 ${[...new Set(twice)].join('、')} 重复`,
        en: `split shipment rule: key field${twice.length > 1 ? 's' : ''} ${[...new Set(twice)].join(', ')} given twice`,
      },
    ];
  return [];
}

/**
 * The other split-shipment rule in force on a day the draft would be in force, from `today` on
 * (Beijing days). The engine counts split parcels with one rule's key fields, window and value
 * (risk.engine.ts splitParams), so two split rules in force at once would have the second one
 * counted with the first one's parameters. Versions in force change only on effective dates,
 * so checking `today` and every later effective date covers every day. Days before today are
 * not checked: no parcel is decided on them any more. Null when there is no clash.
 */
export function splitRuleClash(
  all: readonly RiskRule[],
  draft: RiskRule,
  today: string,
): { other: RiskRule; day: string } | null {
  if (draft.kind !== 'split_shipment' || !draft.enabled) return null;
  const rules = [...all.filter((r) => r.id !== draft.id || r.version < draft.version), draft];
  const from = draft.effectiveFrom > today ? draft.effectiveFrom : today;
  const days = [...new Set([from, ...rules.map((r) => r.effectiveFrom).filter((d) => d > from)])].sort();
  for (const day of days) {
    const inForce = rulesInForceOn(rules, day);
    if (!inForce.some((r) => r.id === draft.id && r.version === draft.version)) continue;
    const other = inForce.find((r) => r.kind === 'split_shipment' && r.id !== draft.id);
    if (other) return { other, day };
  }
  return null;
}
