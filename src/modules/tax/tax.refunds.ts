import type { Executor } from '../../kernel/db.ts';
import { declarationBankReceipts } from '../forex/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import { rateTableOn } from './rules/refund-rates.data.ts';
import { evaluateRefund, type RefundVerdict, type TaxProfile, type TaxRuleConfig } from './rules/refund.rules.ts';
import { createTaxRepository } from './tax.repository.ts';
import type { TaxProfileRow } from './tax.tables.ts';

export interface RefundView {
  declarationId: string;
  applicationId: string;
  ebcCode: string;
  ebcName: string;
  period: string;
  entryId: string;
  declSeqNo: string;
  customsCode: string;
  declaredValue: Record<string, string>;
  /** CEB403 collections and matched bank / payment-institution receipts together */
  received: Record<string, string>;
  receivedCeb403: Record<string, string>;
  receivedBank: Record<string, string>;
  profileKnown: boolean;
  verdict: RefundVerdict;
}

/** Until the tax officer records the exporter, nothing is assumed in its favour. */
const UNKNOWN_PROFILE: TaxProfile = {
  generalTaxpayer: false,
  refundQualified: false,
  taxRegistered: false,
  tradingCompany: true,
  pilotZone: null,
};

export const toProfile = (r: TaxProfileRow | undefined): TaxProfile =>
  r
    ? {
        generalTaxpayer: r.general_taxpayer,
        refundQualified: r.refund_qualified,
        taxRegistered: r.tax_registered,
        tradingCompany: r.trading_company,
        pilotZone: r.pilot_zone,
      }
    : UNKNOWN_PROFILE;

// display only: the verdict sums exactly in refund.rules.ts
function display(parts: { currency: string; value: string }[]): Record<string, string> {
  const out: Record<string, number> = {};
  for (const x of parts) out[x.currency] = (out[x.currency] ?? 0) + Number(x.value);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, String(Math.round(v * 100) / 100)]));
}

const declaredValue = (d: DeclarationRecord): Record<string, string> =>
  display(d.lines.map((l) => ({ currency: l.currency, value: l.totalPrice })));

const entries = (m: Record<string, string>) => Object.entries(m).map(([currency, value]) => ({ currency, value }));

/** Declarations with their refund / exemption verdicts (the exporter's profile and purchase records). */
export async function evaluateDeclarations(
  exec: Executor,
  decls: DeclarationRecord[],
  rules: TaxRuleConfig,
): Promise<RefundView[]> {
  const repo = createTaxRepository(exec);
  const profiles = new Map((await repo.profiles([...new Set(decls.map((d) => d.orgId))])).map((r) => [r.org_id, r]));
  const purchases = await repo.purchases(decls.map((d) => d.id));
  // customs data: the closed inventories that fed each declaration; proceeds: bank records by order
  const differences = await summaryLookup(exec).customsDifferences(decls.map((d) => d.id));
  const bank = await declarationBankReceipts(exec, decls);
  return decls.map((d) => {
    const row = profiles.get(d.orgId);
    const viaBank = bank.get(d.id);
    const verdict = evaluateRefund(
      toProfile(row),
      {
        entryId: d.entryId,
        exitDay: d.exitDay,
        lines: d.lines,
        customsDifferences: differences.get(d.id) ?? [],
        received: d.received,
        lastReceiptDay: d.lastReceiptDay,
        receivedBank: viaBank?.received ?? {},
        lastBankReceiptDay: viaBank?.lastReceiptDay ?? null,
        purchases: purchases
          .filter((x) => x.declaration_id === d.id)
          .map((x) => ({ lineNo: x.line_no, kind: x.kind, amountExclVat: x.amount_excl_vat })),
      },
      rateTableOn(d.exitDay),
      rules,
    );
    return {
      declarationId: d.id,
      applicationId: d.applicationId,
      ebcCode: d.ebcCode,
      ebcName: d.ebcName,
      period: d.period,
      entryId: d.entryId,
      declSeqNo: d.declSeqNo,
      customsCode: d.customsCode,
      declaredValue: declaredValue(d),
      received: viaBank ? display([...entries(d.received), ...entries(viaBank.received)]) : d.received,
      receivedCeb403: d.received,
      receivedBank: viaBank?.received ?? {},
      profileKnown: row !== undefined,
      verdict,
    };
  });
}
