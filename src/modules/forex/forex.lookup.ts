import { sql, type Executor } from '../../kernel/db.ts';
import { summaryLookup } from '../summary/index.ts';
import { createForexRepository } from './forex.repository.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import {
  CNY,
  matchReceipts,
  matchSettlements,
  orderCoverage,
  proceedsPerDeclaration,
  receivedPerDeclaration,
  toUsd,
  type DeclaredOrder,
  type OrderValue,
  type Proceed,
} from './rules/receipts.rules.ts';

/** A declaration's proceeds as the tax refund condition "proceeds received" reads them. */
export interface DeclarationProceeds {
  /** every receipt of the declaration by order and channel (orderNo null: an RMB settlement naming only the entryId) */
  proceeds: Proceed[];
  /** its orders' declared values per currency: what each order's receipts may cover at most */
  orderValues: OrderValue[];
  /** bank / payment-institution receipts and RMB settlements (not CEB403) per currency, each channel summed */
  receivedBank: Record<string, string>;
  lastBankReceiptDay: string | null;
}

/**
 * The proceeds of each of `declarations`, as the forex reconciliation counts them: CEB403
 * collections of its orders, bank / payment-institution receipts matched by order number (an
 * order of a closed inventory the declaration covers, same exporter) and cross-border RMB
 * settlements (CNY) naming such an order or the declaration, with the orders' declared values;
 * orderCoverage counts each order once. Every declaration is present. Read-only.
 */
export async function declarationProceeds(
  exec: Executor,
  declarations: readonly { id: string; orgId: string; entryId: string }[],
): Promise<Map<string, DeclarationProceeds>> {
  const orders = await declaredOrdersOf(exec, declarations);
  const repo = createForexRepository(exec);
  const orgIds = [...new Set(declarations.map((d) => d.orgId))];
  const orderNos = orders.map((o) => o.orderNo);
  const receipts = matchReceipts(await repo.receipts(orgIds, orderNos), orders).matched;
  const settlements = matchSettlements(
    await repo.rmbSettlements(orgIds, { orderNos, entryIds: declarations.map((d) => d.entryId) }),
    orders,
    declarations,
  );
  const figures = await repo.inventoryFigures(orders.flatMap((o) => (o.inventoryId ? [o.inventoryId] : [])));
  const perDeclaration = proceedsPerDeclaration(orders, figures, receipts, settlements);
  const viaBank = receivedPerDeclaration([
    ...receipts,
    ...settlements.map((s) => ({ declarationId: s.declarationId, currency: CNY, amount: s.amount, receivedOn: s.settledOn })),
  ]);
  return new Map(
    declarations.map((d) => {
      const p = perDeclaration.get(d.id);
      const bank = viaBank.get(d.id);
      return [
        d.id,
        {
          proceeds: p?.proceeds ?? [],
          orderValues: p?.values ?? [],
          receivedBank: bank?.received ?? {},
          lastBankReceiptDay: bank?.lastReceiptDay ?? null,
        },
      ];
    }),
  );
}

/** What an exporter received for orders: bank / payment-institution receipts and RMB settlements naming them. */
export interface OrderProceeds {
  receipts: {
    institutionKind: string;
    institutionCode: string;
    refNo: string;
    orderNo: string;
    currency: string;
    amount: string;
    receivedOn: string;
  }[];
  rmbSettlements: {
    institutionCode: string;
    refNo: string;
    orderNo: string;
    amountCny: string;
    settledOn: string;
    contractNo: string | null;
    invoiceNo: string | null;
    entryId: string | null;
  }[];
}

/** Proceeds of `orderNos` of one exporter (its customs code), for evidence packs. Read-only, two statements. */
export async function orderProceeds(exec: Executor, ebcCode: string, orderNos: readonly string[]): Promise<OrderProceeds> {
  if (!orderNos.length) return { receipts: [], rmbSettlements: [] };
  const nos = [...new Set(orderNos)];
  const r = await sql<OrderProceeds['receipts'][number]>`
    select institution_kind as "institutionKind", institution_code as "institutionCode", ref_no as "refNo", order_no as "orderNo",
      currency, trim_scale(amount)::text as amount, to_char(received_on, 'YYYY-MM-DD') as "receivedOn"
    from fx_receipt where ebc_code = ${ebcCode} and order_no = any(${nos}::text[]) and order_no <> ''
    order by received_on, institution_code, ref_no`.execute(exec);
  const s = await sql<OrderProceeds['rmbSettlements'][number]>`
    select institution_code as "institutionCode", ref_no as "refNo", order_no as "orderNo", trim_scale(amount)::text as "amountCny",
      to_char(settled_on, 'YYYY-MM-DD') as "settledOn", contract_no as "contractNo", invoice_no as "invoiceNo", entry_id as "entryId"
    from fx_rmb_settlement where ebc_code = ${ebcCode} and order_no = any(${nos}::text[])
    order by settled_on, institution_code, ref_no`.execute(exec);
  return { receipts: r.rows, rmbSettlements: s.rows };
}

/** The orders of the closed inventories each declaration covers, in the declarations' order. */
export async function declaredOrdersOf(
  exec: Executor,
  declarations: readonly { id: string; orgId: string; entryId: string }[],
): Promise<DeclaredOrder[]> {
  const byDeclaration = new Map<string, { orderNo: string; inventoryId: string }[]>();
  for (const r of await summaryLookup(exec).declaredOrders(declarations.map((d) => d.id))) {
    const list = byDeclaration.get(r.declarationId);
    if (list) list.push(r);
    else byDeclaration.set(r.declarationId, [r]);
  }
  return declarations.flatMap((d) =>
    (byDeclaration.get(d.id) ?? []).map((r) => ({
      orgId: d.orgId,
      orderNo: r.orderNo,
      declarationId: d.id,
      entryId: d.entryId,
      inventoryId: r.inventoryId,
    })),
  );
}

/**
 * Forex receipt rate (收汇率) per seller, for the credit factor `forex_receipt` (issue 8): USD
 * received for its summary declarations whose goods left since `since` (each order once, at most
 * its declared value: see forexReceiptTotals) over their USD value, capped at 1. Sellers without
 * declarations in the window are absent (no factor). Read-only.
 */
export async function forexReceiptRates(exec: Executor, ebcCodes: string[], since: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [code, t] of await forexReceiptTotals(exec, ebcCodes, since))
    if (t.declaredUsd > 0) out.set(code, Math.min(1, t.receivedUsd / t.declaredUsd));
  return out;
}

/** Customs code of the US dollar: the unit the receipt rate is counted in. */
const USD = '502';

/**
 * What `forexReceiptTotals` counts as received for one declaration, in USD: its proceeds counted
 * as the forex reconciliation does (orderCoverage: an order's channels — CEB403, payment
 * institution, bank, RMB settlement — never added together, each order at most its declared value,
 * proceeds naming no order in full), so the same payment seen twice, or an order paid over its
 * value, cannot raise the rate. Amounts and values are taken to USD first, at the rate of the
 * exit day the declared value uses: a CNY-declared order paid in USD through a bank is covered,
 * where per-currency coverage would find no USD value to cover. No rate: not counted (as declared).
 */
function coveredUsd(p: { proceeds: readonly Proceed[]; values: readonly OrderValue[] }, day: string): string {
  const proceeds = p.proceeds.flatMap((x) => {
    const amount = toUsd(x.amount, x.currency, day);
    return amount === null ? [] : [{ ...x, currency: USD, amount }];
  });
  const values = p.values.flatMap((v) => {
    const value = toUsd(v.value, v.currency, day);
    return value === null ? [] : [{ ...v, currency: USD, value }];
  });
  return orderCoverage(proceeds, values)[USD]?.covered ?? '0';
}

/**
 * What `forexReceiptRates` divides, per code as the declarations and receipts name the seller
 * (codes with neither are absent): credit adds them up over an enterprise's customs code and USCC,
 * which its documents may use in turn (issue 8).
 *
 * Declared: the USD value of the summary declarations whose goods left since `since`. Received:
 * their proceeds as coveredUsd counts them, whenever they arrived (a buyer pays before the goods
 * leave), under the declaration's code; plus bank / payment-institution receipts since `since`
 * that name no order of those declarations (at their stored USD value), under the receipt's code,
 * each on its own. Set-based: a fixed number of statements whatever the number of sellers.
 */
export async function forexReceiptTotals(
  exec: Executor,
  ebcCodes: string[],
  since: Date,
): Promise<Map<string, { declaredUsd: number; receivedUsd: number }>> {
  if (ebcCodes.length === 0) return new Map();
  const sinceDay = since.toISOString().slice(0, 10);
  const decls = (await summaryLookup(exec).declarations({ ebcCodes, limit: 20_000 })).filter((d) => d.exitDay >= sinceDay);
  // The reconciliation's statements, for all sellers at once.
  const orders = await declaredOrdersOf(exec, decls);
  const repo = createForexRepository(exec);
  const orgIds = [...new Set(decls.map((d) => d.orgId))];
  const orderNos = orders.map((o) => o.orderNo);
  const receipts = matchReceipts(await repo.receipts(orgIds, orderNos), orders).matched;
  const settlements = matchSettlements(
    await repo.rmbSettlements(orgIds, { orderNos, entryIds: decls.map((d) => d.entryId) }),
    orders,
    decls,
  );
  const figures = await repo.inventoryFigures(orders.flatMap((o) => (o.inventoryId ? [o.inventoryId] : [])));
  const perDeclaration = proceedsPerDeclaration(orders, figures, receipts, settlements);

  // USD sums exact (scaled), converted to numbers only for the ratio the credit factor is
  const declared = new Map<string, bigint>();
  const received = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: string | null) =>
    m.set(k, (m.get(k) ?? 0n) + (v === null ? 0n : toScaled(v)));
  for (const d of decls) {
    for (const l of d.lines) add(declared, d.ebcCode, toUsd(l.totalPrice, l.currency, d.exitDay));
    const p = perDeclaration.get(d.id);
    if (p) add(received, d.ebcCode, coveredUsd(p, d.exitDay));
  }
  // Receipts of the window matched to none of those orders: counted already, they would count twice.
  const bank = await sql<{ ebc_code: string; usd: string | null }>`
    select ebc_code, trim_scale(sum(usd_amount))::text as usd from fx_receipt
    where ebc_code = any(${[...new Set(ebcCodes)]}::text[]) and received_on >= ${sinceDay}::date
      and id <> all(${receipts.map((r) => r.id)}::uuid[])
    group by ebc_code`.execute(exec);
  for (const b of bank.rows) add(received, b.ebc_code, b.usd);
  const usd = (n: bigint | undefined): number => Number(fromScaled(n ?? 0n));
  return new Map(
    [...new Set([...declared.keys(), ...received.keys()])].map((code) => [
      code,
      { declaredUsd: usd(declared.get(code)), receivedUsd: usd(received.get(code)) },
    ]),
  );
}
