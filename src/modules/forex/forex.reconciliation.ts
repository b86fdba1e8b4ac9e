import type { Executor } from '../../kernel/db.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import type { DeclarationRecord } from '../summary/index.ts';
import { declaredOrdersOf } from './forex.lookup.ts';
import { createForexRepository } from './forex.repository.ts';
import { createCollectionRepository, type OverCapRow } from './collection.repository.ts';
import {
  capMessage,
  CNY,
  matchReceipts,
  matchSettlements,
  orderCoverage,
  proceedsPerDeclaration,
  reconcile,
  type Reconciliation,
  type UnmatchedReceipt,
} from './rules/receipts.rules.ts';

/**
 * Enterprise-level reconciliation (总量核查) of declared against received, by matching: each
 * period is a month of export (the summary declarations' period) and counts what was received for
 * the declarations of that month, whenever it arrived — CEB403 collections of their orders, bank
 * and payment-institution receipts matched by order number, and cross-border RMB settlements
 * naming one of their orders (or the declaration). Receipts matched to no declaration are listed
 * apart, never added to a period. The same payment seen in several channels counts once for its
 * order (orderCoverage), and an order's surplus never covers another order.
 */
export interface PeriodReconciliation extends Reconciliation {
  receivedRmb: string;
  /** bank / payment-institution receipts matched by orderNo to a declaration of the period */
  matchedReceipts: number;
  /** RMB settlements naming an order or the entryId of a declaration of the period */
  matchedSettlements: number;
}

/** Receipts matched to no declaration: counted and summed per month received and currency, the first ones listed. */
export interface UnmatchedReceipts {
  receipts: number;
  totals: { month: string; currency: string; receipts: number; amount: string }[];
  /** the first UNMATCHED_LISTED of them, oldest first */
  listed: Omit<UnmatchedReceipt, 'orgId'>[];
}

/** A payment-institution receipt over the USD 50,000 single-transaction cap (汇发〔2015〕7号). */
export interface OverCapReceipt {
  /** ceb403: a payment collection through customs intake (id: the document); record: a reported record */
  channel: 'ceb403' | 'record';
  id: string;
  institutionCode: string;
  refNo: string;
  orderNo: string;
  currency: string;
  amount: string;
  usdAmount: string;
  rateVersion: string | null;
  receivedOn: string;
  message: { zh: string; en: string };
}

export interface EnterpriseReconciliation {
  orgId: string;
  ebcCode: string;
  ebcName: string;
  periods: PeriodReconciliation[];
  unmatched: UnmatchedReceipts;
  /**
   * every receipt over the cap (count, USD sum), counted per month received and currency, and the
   * first OVER_CAP_LISTED of them, newest first
   */
  overCap: {
    receipts: number;
    usd: string;
    months: { month: string; currency: string; receipts: number; usd: string }[];
    listed: OverCapReceipt[];
  };
}

const UNMATCHED_LISTED = 100;
const OVER_CAP_LISTED = 100;

/**
 * Decimal strings summed exactly per key, shown with at least two places ("5000.00"): a CEB403
 * charge may carry five, and cutting them to the cent would let declared and received drift apart.
 */
function sumBy(rows: { key: string; v: string }[]): Map<string, string> {
  const m = new Map<string, bigint>();
  for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0n) + toScaled(r.v));
  return new Map(
    [...m].map(([k, n]) => {
      const [int, frac = ''] = fromScaled(n).split('.');
      return [k, `${int}.${frac.padEnd(2, '0')}`];
    }),
  );
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(key(r));
    if (list) list.push(r);
    else m.set(key(r), [r]);
  }
  return m;
}

function countBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
}

/**
 * Declared against received for `orgIds` from `decls` (their summary declarations) and the
 * receipts stored for them; `names` places enterprises that have receipts but no declaration.
 * Read-only: six statements whatever the number of enterprises.
 */
export async function reconciliations(
  exec: Executor,
  decls: readonly DeclarationRecord[],
  orgIds: readonly string[],
  today: string,
  names: ReadonlyMap<string, { ebcCode: string; ebcName: string }> = new Map(),
): Promise<EnterpriseReconciliation[]> {
  const repo = createForexRepository(exec);
  const orders = await declaredOrdersOf(exec, decls);
  const { matched, unmatched } = matchReceipts(await repo.receipts(orgIds), orders);
  const rmb = matchSettlements(await repo.rmbSettlements(orgIds), orders, decls);
  const overCap = await createCollectionRepository(exec).overCap(orgIds);
  const figures = await repo.inventoryFigures(orders.flatMap((o) => (o.inventoryId ? [o.inventoryId] : [])));

  // Everything received counts toward the period of the declaration it belongs to.
  const periodOf = new Map(decls.map((d) => [d.id, d.period]));
  const key = (orgId: string, declarationId: string, currency: string) => `${orgId}|${periodOf.get(declarationId)}|${currency}`;
  const declared = sumBy(decls.flatMap((d) => d.lines.map((l) => ({ key: key(d.orgId, d.id, l.currency), v: l.totalPrice }))));
  const c403 = sumBy(decls.flatMap((d) => Object.entries(d.received).map(([cur, v]) => ({ key: key(d.orgId, d.id, cur), v }))));
  const viaBank = sumBy(matched.map((m) => ({ key: key(m.orgId, m.declarationId, m.currency), v: m.amount })));
  const viaRmb = sumBy(rmb.map((s) => ({ key: key(s.orgId, s.declarationId, CNY), v: s.amount })));
  // Each declaration's receipts counted per order (the same money once), then summed per period.
  const counted: { key: string; v: string }[] = [];
  const covering: { key: string; v: string }[] = [];
  const perDeclaration = proceedsPerDeclaration(orders, figures, matched, rmb);
  for (const d of decls) {
    const p = perDeclaration.get(d.id);
    if (!p) continue;
    for (const [cur, c] of Object.entries(orderCoverage(p.proceeds, p.values))) {
      counted.push({ key: key(d.orgId, d.id, cur), v: c.received });
      covering.push({ key: key(d.orgId, d.id, cur), v: c.covered });
    }
  }
  const received = sumBy(counted);
  const covered = sumBy(covering);
  const bankCount = countBy(matched, (m) => key(m.orgId, m.declarationId, m.currency));
  const rmbCount = countBy(rmb, (s) => key(s.orgId, s.declarationId, CNY));

  const monthKey = (r: { currency: string; month: string }) => `${r.month}|${r.currency}`;
  // Per enterprise, each once: the desk reads many enterprises at a time.
  const declsOf = groupBy(decls, (d) => d.orgId);
  const keysOf = groupBy([...new Set([...declared.keys(), ...c403.keys(), ...viaBank.keys(), ...viaRmb.keys()])], (k) =>
    k.slice(0, k.indexOf('|')),
  );
  const unmatchedOf = groupBy(unmatched, (u) => u.orgId);
  const overCapOf = groupBy(overCap, (r) => r.org_id);
  return orgIds.map((orgId) => {
    const mine = declsOf.get(orgId) ?? [];
    const keys = [...(keysOf.get(orgId) ?? [])].sort();
    const periods = reconcile(
      keys.map((k) => {
        const [, period, currency] = k.split('|') as [string, string, string];
        return {
          period,
          currency,
          declared: declared.get(k) ?? '0',
          receivedCeb403: c403.get(k) ?? '0',
          receivedBank: viaBank.get(k) ?? '0',
          receivedRmb: viaRmb.get(k) ?? '0',
          received: received.get(k) ?? '0',
          covered: covered.get(k) ?? '0',
        };
      }),
      today,
    ).map((rec) => {
      const k = `${orgId}|${rec.period}|${rec.currency}`;
      return {
        ...rec,
        receivedRmb: rec.receivedRmb ?? '0',
        matchedReceipts: bankCount.get(k) ?? 0,
        matchedSettlements: rmbCount.get(k) ?? 0,
      };
    });

    const open = (unmatchedOf.get(orgId) ?? []).map((u) => ({ ...u, month: u.receivedOn.slice(0, 7) }));
    const openCount = countBy(open, monthKey);
    const openSum = sumBy(open.map((u) => ({ key: monthKey(u), v: u.amount })));
    const capped = (overCapOf.get(orgId) ?? []).map((r) => ({ ...r, month: r.received_on.slice(0, 7) }));
    const capCount = countBy(capped, monthKey);
    const capUsd = sumBy(capped.map((r) => ({ key: monthKey(r), v: r.usd_amount })));
    const split = (k: string) => k.split('|') as [string, string];
    return {
      orgId,
      ebcCode: mine[0]?.ebcCode ?? names.get(orgId)?.ebcCode ?? '',
      ebcName: mine[0]?.ebcName ?? names.get(orgId)?.ebcName ?? '',
      periods,
      unmatched: {
        receipts: open.length,
        totals: [...openCount.keys()].sort().map((k) => ({
          month: split(k)[0],
          currency: split(k)[1],
          receipts: openCount.get(k)!,
          amount: openSum.get(k)!,
        })),
        listed: open.slice(0, UNMATCHED_LISTED).map(({ orgId: _org, month: _m, ...u }) => u),
      },
      overCap: {
        receipts: capped.length,
        usd: sumBy(capped.map((r) => ({ key: '', v: r.usd_amount }))).get('') ?? '0.00',
        months: [...capCount.keys()].sort().map((k) => ({
          month: split(k)[0],
          currency: split(k)[1],
          receipts: capCount.get(k)!,
          usd: capUsd.get(k)!,
        })),
        listed: capped.slice(0, OVER_CAP_LISTED).map(overCapReceipt),
      },
    };
  });
}

const overCapReceipt = (r: OverCapRow): OverCapReceipt => ({
  channel: r.channel,
  id: r.id,
  institutionCode: r.institution_code,
  refNo: r.ref_no,
  orderNo: r.order_no,
  currency: r.currency,
  amount: r.amount,
  usdAmount: r.usd_amount,
  rateVersion: r.rate_version,
  receivedOn: r.received_on,
  message: capMessage(r.usd_amount),
});
