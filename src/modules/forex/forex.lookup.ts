import { sql, type Executor } from '../../kernel/db.ts';
import { summaryLookup } from '../summary/index.ts';
import { createForexRepository } from './forex.repository.ts';
import {
  CNY,
  matchReceipts,
  matchSettlements,
  receivedPerDeclaration,
  toUsd,
  type DeclaredOrder,
} from './rules/receipts.rules.ts';

/**
 * Bank / payment-institution receipts matched by order number to each of `declarations` (an
 * order of a closed inventory the declaration covers, same exporter), and cross-border RMB
 * settlements (CNY) naming such an order or the declaration, summed per currency with the day of
 * the last one: what the tax refund condition "proceeds received" adds to the CEB403 collections,
 * as the forex reconciliation counts them. Declarations without either are absent. Read-only.
 */
export async function declarationBankReceipts(
  exec: Executor,
  declarations: readonly { id: string; orgId: string; entryId: string }[],
): Promise<Map<string, { received: Record<string, string>; lastReceiptDay: string | null }>> {
  const orders = await declaredOrdersOf(exec, declarations);
  const repo = createForexRepository(exec);
  const orgIds = [...new Set(declarations.map((d) => d.orgId))];
  const orderNos = orders.map((o) => o.orderNo);
  const receipts = await repo.receipts(orgIds, orderNos);
  const settlements = await repo.rmbSettlements(orgIds, { orderNos, entryIds: declarations.map((d) => d.entryId) });
  return receivedPerDeclaration([
    ...matchReceipts(receipts, orders).matched,
    ...matchSettlements(settlements, orders, declarations).map((s) => ({
      declarationId: s.declarationId,
      currency: CNY,
      amount: s.amount,
      receivedOn: s.settledOn,
    })),
  ]);
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
  const byDeclaration = new Map<string, string[]>();
  for (const r of await summaryLookup(exec).declaredOrders(declarations.map((d) => d.id))) {
    const list = byDeclaration.get(r.declarationId);
    if (list) list.push(r.orderNo);
    else byDeclaration.set(r.declarationId, [r.orderNo]);
  }
  return declarations.flatMap((d) =>
    (byDeclaration.get(d.id) ?? []).map((orderNo) => ({ orgId: d.orgId, orderNo, declarationId: d.id, entryId: d.entryId })),
  );
}

/**
 * Forex receipt rate (收汇率) per seller, for the credit factor `forex_receipt` (issue 8): USD
 * received (CEB403 collections of its summary declarations plus bank / payment-institution receipts
 * since `since`) over the USD value of its summary declarations whose goods left since `since`,
 * capped at 1. Sellers without declarations in the window are absent (no factor). Read-only.
 */
export async function forexReceiptRates(exec: Executor, ebcCodes: string[], since: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [code, t] of await forexReceiptTotals(exec, ebcCodes, since))
    if (t.declaredUsd > 0) out.set(code, Math.min(1, t.receivedUsd / t.declaredUsd));
  return out;
}

/**
 * What `forexReceiptRates` divides, per code as the declarations and receipts name the seller
 * (codes with neither are absent): credit adds them up over an enterprise's customs code and USCC,
 * which its documents may use in turn (issue 8).
 */
export async function forexReceiptTotals(
  exec: Executor,
  ebcCodes: string[],
  since: Date,
): Promise<Map<string, { declaredUsd: number; receivedUsd: number }>> {
  if (ebcCodes.length === 0) return new Map();
  const sinceDay = since.toISOString().slice(0, 10);
  const decls = (await summaryLookup(exec).declarations({ ebcCodes, limit: 20_000 })).filter((d) => d.exitDay >= sinceDay);
  const declared = new Map<string, number>();
  const received = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number | null) => m.set(k, (m.get(k) ?? 0) + (v ?? 0));
  for (const d of decls) {
    for (const l of d.lines) add(declared, d.ebcCode, toUsd(l.totalPrice, l.currency, d.exitDay));
    for (const [cur, v] of Object.entries(d.received)) add(received, d.ebcCode, toUsd(v, cur, d.exitDay));
  }
  const bank = await sql<{ ebc_code: string; usd: string }>`
    select ebc_code, sum(usd_amount)::text as usd from fx_receipt
    where ebc_code = any(${[...new Set(ebcCodes)]}::text[]) and received_on >= ${sinceDay}::date group by ebc_code`.execute(exec);
  for (const b of bank.rows) add(received, b.ebc_code, Number(b.usd));
  return new Map(
    [...new Set([...declared.keys(), ...received.keys()])].map((code) => [
      code,
      { declaredUsd: declared.get(code) ?? 0, receivedUsd: received.get(code) ?? 0 },
    ]),
  );
}
