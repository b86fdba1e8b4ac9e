import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createForexRepository } from './forex.repository.ts';
import { createSettlementAccountRepository } from './settlement-account.repository.ts';
import { checkReceipt, type ReceiptInput } from './rules/receipts.rules.ts';
import type { FxReceiptRow, FxSettlementAccountRow, FxSettlementRow } from './forex.tables.ts';

const SELLER = '3601260888';
const SELLER2 = '3601260999';
const PAYER = '3101960003';
// A bank's receipts are reported by its code; the demo has no bank log-in, the payment institution
// relays them (as an acquiring partner would), so reported_by is the payer.
const BANK = '3601000001';

const dayBefore = (now: Date, days: number): string =>
  new Date(now.getTime() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);

/**
 * Forex and RMB settlement records for the demo sellers so the forex, PBoC and seller desks are not
 * empty on first start: bank and payment-institution receipts of the last weeks (in the seller's
 * reconciliation listed apart, matched to no declaration: no month is summarised before parcels close),
 * and two cross-border RMB settlements of the payment institution, one with its contract and invoice as evidence
 * and one naming none (on the PBoC desk); and the seller's US-dollar settlement account (结汇账户)
 * with one settlement of part of its dollar receipts, so 我的结汇账户 shows a balance.
 */
export async function seedForexDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<void> {
  const { db, clock, audit } = deps;
  const now = clock.now();
  const orgs = await organisationDirectory(db).byCodes([SELLER, SELLER2, PAYER]);
  const idOf = new Map(orgs.flatMap((o) => [o.customs_code, o.uscc].filter((c): c is string => !!c).map((c) => [c, o])));
  const payer = idOf.get(PAYER);
  if (!payer) return;
  const inputs: ReceiptInput[] = [
    {
      refNo: 'DEMO-PAY-0001',
      institutionKind: 'payment',
      institutionCode: PAYER,
      ebcCode: SELLER,
      orderNo: 'DEMO-ORD-0001',
      currency: '502',
      amount: '128.50',
      receivedOn: dayBefore(now, 12),
      payerName: 'Emily Carter',
    },
    {
      refNo: 'DEMO-PAY-0002',
      institutionKind: 'payment',
      institutionCode: PAYER,
      ebcCode: SELLER,
      orderNo: 'DEMO-ORD-0002',
      currency: '502',
      amount: '86.00',
      receivedOn: dayBefore(now, 9),
      payerName: 'Lukas Weber',
    },
    {
      refNo: 'DEMO-BANK-0001',
      institutionKind: 'bank',
      institutionCode: BANK,
      ebcCode: SELLER,
      orderNo: '',
      currency: '142',
      amount: '15800.00',
      receivedOn: dayBefore(now, 6),
      payerName: 'Porzellan Haus GmbH',
    },
    {
      refNo: 'DEMO-BANK-0002',
      institutionKind: 'bank',
      institutionCode: BANK,
      ebcCode: SELLER2,
      orderNo: '',
      currency: '502',
      amount: '2450.00',
      receivedOn: dayBefore(now, 4),
      payerName: 'Fresh Fruit Trading LLC',
    },
  ];
  const rows: FxReceiptRow[] = [];
  inputs.forEach((input, i) => {
    const checked = checkReceipt(i + 2, input);
    const org = idOf.get(input.ebcCode);
    if ('ok' in checked && org)
      rows.push({
        id: newId(),
        org_id: org.id,
        ebc_code: input.ebcCode,
        institution_kind: checked.ok.institutionKind,
        institution_code: input.institutionCode,
        ref_no: input.refNo,
        order_no: input.orderNo,
        currency: input.currency,
        amount: input.amount,
        usd_amount: checked.ok.usdAmount,
        received_on: input.receivedOn,
        payer_name: input.payerName,
        jurisdiction: org.jurisdiction,
        reported_by: payer.id,
        created_at: now,
      });
  });
  const seller = idOf.get(SELLER);
  const settlements: FxSettlementRow[] = seller
    ? [
        // The demo holds no inventory for DEMO-ORD-0001: an order named as evidence would not be
        // found, so the evidenced settlement names its contract and invoice (taken as given).
        { ref: 'DEMO-RMB-0001', amount: '5600.00', days: 8, invoice: 'DEMO-INV-2026-01', contract: 'DEMO-CT-2026-01' },
        { ref: 'DEMO-RMB-0002', amount: '9800.00', days: 3, invoice: null, contract: null },
      ].map((s) => ({
        id: newId(),
        institution_org_id: payer.id,
        institution_code: PAYER,
        ebc_org_id: seller.id,
        ebc_code: SELLER,
        jurisdiction: seller.jurisdiction,
        ref_no: s.ref,
        amount: s.amount,
        settled_on: dayBefore(now, s.days),
        contract_no: s.contract,
        order_no: null,
        invoice_no: s.invoice,
        entry_id: null,
        created_at: now,
      }))
    : [];
  const account: FxSettlementAccountRow | null = seller
    ? {
        id: newId(),
        org_id: seller.id,
        ebc_code: SELLER,
        jurisdiction: seller.jurisdiction,
        account_kind: 'current',
        bank_name: '中国银行江西省分行 / Bank of China Jiangxi Branch',
        bank_code: 'BKCHCNBJ550',
        account_no: '191234567890',
        currency: '502',
        opened_on: dayBefore(now, 30),
        status: 'active',
        closed_on: null,
        created_at: now,
      }
    : null;
  await db.transaction().execute(async (trx) => {
    const repo = createForexRepository(trx);
    // The dollar receipts above name no account: they count for the seller's dollar accounts.
    const accounts = createSettlementAccountRepository(trx);
    if (account && (await accounts.insertAccount(account)))
      await accounts.insertSettlement({
        id: newId(),
        org_id: account.org_id,
        account_id: account.id,
        settlement_ref: 'DEMO-FXS-0001',
        settled_on: dayBefore(now, 5),
        currency: '502',
        amount: '100.00',
        rate: '7.1000',
        cny_amount: '710.00',
        receipt_ids: [],
        created_by: null,
        created_at: now,
      });
    // Seeding twice adds nothing: rows are keyed by the institution's reference number.
    const seen = await repo.existingRefs(rows.map((r) => ({ institution: r.institution_code, refNo: r.ref_no })));
    const fresh = rows.filter((r) => !seen.has(`${r.institution_code}|${r.ref_no}`));
    await repo.insertReceipts(fresh);
    let settled = 0;
    for (const s of settlements) {
      if (await repo.settlementExists(s.institution_code, s.ref_no)) continue;
      await repo.insertSettlement(s);
      settled++;
    }
    if (fresh.length || settled)
      await audit.append(trx, SYSTEM_ACTOR, [
        { action: 'forex.demo_seed', entity: 'fx_receipt', after: { receipts: fresh.length, settlements: settled } },
      ]);
  });
}
