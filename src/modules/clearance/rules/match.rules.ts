import type { ClearanceRuleSet } from './clearance.rulesets.ts';
import { fromScaled, sumScaled, toScaled, within, withinPct } from './decimal.ts';

/**
 * Three-document match (三单比对) of an inventory with its order and waybill (and, where the rule
 * set asks, the payment collection). Join keys per cbec-export-facts.md §1.3: order by
 * ebpCode + orderNo (+ ebcCode), lines by gnum, waybill by logisticsCode + logisticsNo.
 */
export type Fields = Record<string, string>;

export interface DocForMatch {
  head: Fields;
  lines: Fields[];
}

export interface Mismatch {
  field: string;
  inventory: string | undefined;
  other: string | undefined;
  zh: string;
  en: string;
  /** what the first value is when it is not the inventory's (a payment is checked against the order) */
  first?: { zh: string; en: string };
}

export type MatchOutcome = { ok: true } | { ok: false; mismatches: Mismatch[] };

function differ(field: string, a: string | undefined, b: string | undefined, zh: string, en: string): Mismatch {
  return { field, inventory: a, other: b, zh, en };
}

const sameNumber = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && toScaled(a) === toScaled(b);

/** The head fields `matchInventory` reads of each counterpart: the pipeline fetches no others for matching. */
export const MATCH_HEAD_FIELDS = {
  order: ['ebcCode', 'goodsValue', 'freight', 'currency'],
  waybill: ['grossWeight', 'ebcCode'],
  payment: ['charge', 'currency'],
} as const satisfies Record<'order' | 'waybill' | 'payment', readonly string[]>;

export function matchInventory(
  rules: ClearanceRuleSet,
  inventory: DocForMatch,
  order: DocForMatch,
  waybill: DocForMatch,
  payment: DocForMatch | undefined,
): MatchOutcome {
  const m: Mismatch[] = [];
  const inv = inventory.head;
  const ord = order.head;
  if (inv.ebcCode !== ord.ebcCode) {
    m.push(
      differ('ebcCode', inv.ebcCode, ord.ebcCode, '清单与订单的电商企业不一致', 'seller differs between inventory and order'),
    );
  }
  const orderLines = new Map(order.lines.map((l) => [l.gnum, l]));
  if (order.lines.length !== inventory.lines.length) {
    m.push(
      differ(
        'lines',
        String(inventory.lines.length),
        String(order.lines.length),
        '清单与订单的商品项数不一致',
        'inventory and order have a different number of lines',
      ),
    );
  }
  for (const il of inventory.lines) {
    const ol = orderLines.get(il.gnum ?? '');
    const at = `InventoryList[gnum=${il.gnum}]`;
    if (!ol) {
      m.push(differ(`${at}`, il.gnum, undefined, `订单没有第 ${il.gnum} 项`, `the order has no line ${il.gnum}`));
      continue;
    }
    if (il.itemNo !== ol.itemNo) m.push(differ(`${at}/itemNo`, il.itemNo, ol.itemNo, '商品货号不一致', 'item number differs'));
    if (!sameNumber(il.qty, ol.qty)) m.push(differ(`${at}/qty`, il.qty, ol.qty, '数量不一致', 'quantity differs'));
    if (il.unit !== ol.unit) m.push(differ(`${at}/unit`, il.unit, ol.unit, '计量单位不一致', 'unit differs'));
    if (!sameNumber(il.price, ol.price)) m.push(differ(`${at}/price`, il.price, ol.price, '单价不一致', 'unit price differs'));
    if (il.currency !== ol.currency) m.push(differ(`${at}/currency`, il.currency, ol.currency, '币制不一致', 'currency differs'));
  }
  const tolerance = toScaled(rules.amountTolerance);
  const invTotal = sumScaled(inventory.lines.map((l) => l.totalPrice ?? '0'));
  if (ord.goodsValue !== undefined && !within(invTotal, toScaled(ord.goodsValue), tolerance)) {
    m.push(
      differ(
        'totalPrice',
        fromScaled(invTotal),
        ord.goodsValue,
        '清单总价与订单货值不一致',
        'inventory total differs from the order goods value',
      ),
    );
  }
  const wb = waybill.head;
  if (inv.grossWeight !== undefined && wb.grossWeight !== undefined) {
    if (!withinPct(toScaled(inv.grossWeight), toScaled(wb.grossWeight), rules.weightTolerancePct)) {
      m.push(
        differ(
          'grossWeight',
          inv.grossWeight,
          wb.grossWeight,
          `清单毛重与运单毛重相差超过 ${rules.weightTolerancePct}%`,
          `gross weight differs from the waybill by more than ${rules.weightTolerancePct}%`,
        ),
      );
    }
  }
  if (wb.ebcCode && wb.ebcCode !== inv.ebcCode) {
    m.push(
      differ(
        'waybill/ebcCode',
        inv.ebcCode,
        wb.ebcCode,
        '运单发货人与清单电商企业不一致',
        'waybill consignor differs from the seller',
      ),
    );
  }
  if (rules.requirePayment && payment) {
    const p = payment.head;
    const value = toScaled(ord.goodsValue ?? '0');
    const withFreight = value + toScaled(ord.freight ?? '0');
    const charge = toScaled(p.charge ?? '0');
    if (!within(charge, value, tolerance) && !within(charge, withFreight, tolerance)) {
      m.push({
        ...differ('payment/charge', ord.goodsValue, p.charge, '收款金额与订单不一致', 'amount collected differs from the order'),
        first: ORDER_SIDE,
      });
    }
    if (p.currency !== ord.currency) {
      m.push({
        ...differ(
          'payment/currency',
          ord.currency,
          p.currency,
          '收款币制与订单不一致',
          'payment currency differs from the order',
        ),
        first: ORDER_SIDE,
      });
    }
  }
  return m.length === 0 ? { ok: true } : { ok: false, mismatches: m };
}

const ORDER_SIDE = { zh: '订单', en: 'order' };

export function describeMismatches(ms: Mismatch[]): { zh: string; en: string } {
  return {
    zh: `三单比对不符：${ms.map((x) => `${x.zh}（${x.field}：${x.first?.zh ?? '清单'} ${x.inventory ?? '—'}，对方 ${x.other ?? '—'}）`).join('；')}`,
    en: `Three-document match failed: ${ms.map((x) => `${x.en} (${x.field}: ${x.first?.en ?? 'inventory'} ${x.inventory ?? '—'}, other ${x.other ?? '—'})`).join('; ')}`,
  };
}
