/**
 * Trade-authenticity evidence of a cross-border RMB settlement (贸易真实性: the bank checks the
 * trade behind a settlement, the central bank reviews those without support). Contract and invoice numbers are documents the platform does not
 * hold, so they are taken as given; an order number and a declaration number are checked against
 * what the platform holds (an inventory of the exporter naming the order, a summary export
 * declaration of the exporter), and a settlement whose named order or declaration was not found is
 * as unsupported as one naming nothing.
 */
export interface SettlementEvidence {
  contractNo: string | null;
  orderNo: string | null;
  invoiceNo: string | null;
  entryId: string | null;
  /** null: no order named, or not looked up yet */
  orderFound: boolean | null;
  entryFound: boolean | null;
}

export type EvidenceReason = 'no_evidence' | 'order_not_found' | 'entry_not_found';

export interface EvidenceProblem {
  reason: EvidenceReason;
  message: { zh: string; en: string };
}

/** Why a settlement lacks evidence; empty when its evidence stands. */
export function evidenceProblems(s: SettlementEvidence): EvidenceProblem[] {
  if (!s.contractNo && !s.orderNo && !s.invoiceNo && !s.entryId)
    return [
      {
        reason: 'no_evidence',
        message: {
          zh: '未提供合同、订单、发票或报关单任何一项贸易真实性材料',
          en: 'names no contract, order, invoice or declaration as trade evidence',
        },
      },
    ];
  const out: EvidenceProblem[] = [];
  if (s.orderNo && s.orderFound !== true)
    out.push({
      reason: 'order_not_found',
      message: {
        zh: `订单号${s.orderNo}在平台上没有该电商企业的申报清单`,
        en: `order ${s.orderNo}: no inventory of the enterprise names it on the platform`,
      },
    });
  if (s.entryId && s.entryFound !== true)
    out.push({
      reason: 'entry_not_found',
      message: {
        zh: `报关单号${s.entryId}不是该电商企业的汇总申报报关单`,
        en: `declaration ${s.entryId} is not a summary export declaration of the enterprise`,
      },
    });
  return out;
}
