/**
 * Rule sets that change with policy are versioned data with an effective date (DESIGN.md §5).
 * The numbers marked [I] are our defaults where no published figure exists; a province changes
 * them by adding a rule set, not by editing code.
 */
export interface ClearanceRuleSet {
  id: string;
  /** yyyy-mm-dd; the rule set in force on a day is the latest one effective on or before it */
  effectiveFrom: string;
  description: string;
  /** four-document match: an inventory waits for the payment collection (CEB403) too */
  requirePayment: boolean;
  /** Σ inventory line totals vs order goodsValue, and payment charge vs order, in currency units [I] */
  amountTolerance: string;
  /** inventory grossWeight vs waybill grossWeight, percent [I] */
  weightTolerancePct: number;
  /** share of matched inventories sent to manual review at random (reproducible by guid), percent */
  reviewSharePct: number;
  /** inventories whose declared total exceeds this (in the inventory's currency) go to manual review [I] */
  reviewAboveValue: string;
  /** release (800) waits for the arrival (CEB507) of the parcel at the supervised site */
  releaseRequiresArrival: boolean;
}

export const CLEARANCE_RULE_SETS: readonly ClearanceRuleSet[] = [
  {
    id: 'ceb-2018',
    effectiveFrom: '2018-06-30',
    description:
      '海关总署公告2018年第56号统一版：订单、运单、清单三单比对；收款单不作放行条件 / GACC 2018 No. 56 unified system: order, waybill and inventory matched; the payment collection does not gate release',
    requirePayment: false,
    amountTolerance: '0.01',
    weightTolerancePct: 10,
    reviewSharePct: 0,
    reviewAboveValue: '50000',
    releaseRequiresArrival: false,
  },
];

export function ruleSetOn(day: Date, sets: readonly ClearanceRuleSet[] = CLEARANCE_RULE_SETS): ClearanceRuleSet {
  const iso = day.toISOString().slice(0, 10);
  let best: ClearanceRuleSet | undefined;
  for (const s of sets) if (s.effectiveFrom <= iso && (!best || s.effectiveFrom > best.effectiveFrom)) best = s;
  if (!best) throw new Error(`no clearance rule set in force on ${iso}`);
  return best;
}
