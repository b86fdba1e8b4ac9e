/**
 * Which product filings customs approves automatically, as data (a configurable rule set, first
 * match wins). Default: a product of a filed enterprise is approved on filing; any rule may send
 * products to the customs review desk instead (e.g. quarantine goods, an HS chapter).
 */
export interface ProductApprovalRule {
  id: string;
  description: string;
  when: {
    /** the seller holds an approved enterprise filing */
    sellerFiled?: boolean;
    /** true: the product has a quarantine category; false: it has none */
    quarantine?: boolean;
    /** the HS code starts with one of these */
    hsPrefixes?: readonly string[];
  };
  decision: 'approve' | 'review';
}

export const DEFAULT_PRODUCT_APPROVAL_RULES: readonly ProductApprovalRule[] = [
  {
    id: 'filed-enterprise-auto',
    description: '已备案企业的商品自动备案 / products of a filed enterprise are approved on filing',
    when: { sellerFiled: true },
    decision: 'approve',
  },
];

export function productApproval(
  rules: readonly ProductApprovalRule[],
  facts: { sellerFiled: boolean; hsCode: string; quarantineCategory: string | null | undefined },
): 'approve' | 'review' {
  for (const r of rules) {
    const w = r.when;
    if (w.sellerFiled !== undefined && w.sellerFiled !== facts.sellerFiled) continue;
    if (w.quarantine !== undefined && w.quarantine !== !!facts.quarantineCategory) continue;
    if (w.hsPrefixes && !w.hsPrefixes.some((p) => facts.hsCode.startsWith(p))) continue;
    return r.decision;
  }
  return 'review';
}
