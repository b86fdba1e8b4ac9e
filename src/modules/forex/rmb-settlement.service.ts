import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { summaryLookup } from '../summary/index.ts';
import { evidenceProblems, type EvidenceProblem } from './rules/settlement-evidence.rules.ts';
import { agencyPrefix, ownEnterprise } from './forex.access.ts';
import { createForexRepository } from './forex.repository.ts';

/**
 * Cross-border RMB settlements (跨境人民币结算) recorded by banks and payment institutions with their
 * trade-authenticity evidence, and the central bank's desk of those lacking it.
 */
export interface SettlementInput {
  refNo: string;
  ebcCode: string;
  amount: string;
  settledOn: string;
  contractNo?: string;
  orderNo?: string;
  invoiceNo?: string;
  entryId?: string;
}

/** A settlement on the PBoC desk: its evidence as named and why it does not stand. */
export interface SettlementLackingEvidence {
  id: string;
  institutionCode: string;
  ebcCode: string;
  refNo: string;
  amount: string;
  settledOn: string;
  contractNo: string | null;
  orderNo: string | null;
  invoiceNo: string | null;
  entryId: string | null;
  reasons: EvidenceProblem[];
}

/** One settlement's numbers to look up: the exporter (organisation and its codes) and what it names. */
interface EvidenceQuery {
  id: string;
  orgId: string;
  codes: readonly string[];
  orderNo: string | null;
  entryId: string | null;
}

/**
 * Looks the order and declaration numbers of many settlements up at once: one statement to
 * clearance (an inventory of the exporter naming the order, under any of its codes) and one to
 * summary (a declaration of the exporter with that entryId). null where nothing was named.
 */
async function lookUpEvidence(
  exec: Executor,
  qs: readonly EvidenceQuery[],
): Promise<Map<string, { orderFound: boolean | null; entryFound: boolean | null }>> {
  const withOrder = qs.filter((q) => q.orderNo);
  const withEntry = qs.filter((q) => q.entryId);
  const orders = await clearanceLookup(exec).sellerOrderRefs(
    withOrder.flatMap((q) => q.codes.map((ebcCode) => ({ ebcCode, orderNo: q.orderNo! }))),
  );
  const entries = await summaryLookup(exec).ownEntryIds(withEntry.map((q) => ({ orgId: q.orgId, entryId: q.entryId! })));
  return new Map(
    qs.map((q) => [
      q.id,
      {
        orderFound: q.orderNo ? q.codes.some((c) => orders.has(`${c}|${q.orderNo}`)) : null,
        entryFound: q.entryId ? entries.has(`${q.orgId}|${q.entryId}`) : null,
      },
    ]),
  );
}

export function createRmbSettlementService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  return {
    /** A bank or payment institution records a cross-border RMB settlement with its evidence. */
    async recordSettlement(
      p: Principal | null,
      input: SettlementInput,
    ): Promise<{ id: string; lacksEvidence: boolean; reasons: EvidenceProblem[] }> {
      requirePermission(p, 'forex.submit');
      const me = await ownEnterprise(db, p);
      if (!me.roles.includes('payment')) throw forbidden();
      const problems: FieldProblem[] = [];
      if (!/^\d{1,15}(\.\d{1,2})?$/.test(input.amount) || Number(input.amount) <= 0)
        problems.push({ field: 'amount', rule: 'decimal', message: { zh: '金额须为大于0的数', en: 'amount must be positive' } });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(input.settledOn))
        problems.push({
          field: 'settledOn',
          rule: 'date',
          message: { zh: '日期格式应为YYYY-MM-DD', en: 'settledOn must be YYYY-MM-DD' },
        });
      const [ebc] = await organisationDirectory(db).byCodes([input.ebcCode]);
      if (!ebc) problems.push({ field: 'ebcCode', rule: 'known', message: { zh: '电商企业未登记', en: 'unknown enterprise' } });
      if (problems.length) throw validationError(problems);
      const institution = me.codes[0]!;
      const id = newId();
      const evidence = [input.contractNo, input.orderNo, input.invoiceNo, input.entryId].map((v) =>
        v && v.trim() ? v.trim() : null,
      );
      const named = { contractNo: evidence[0]!, orderNo: evidence[1]!, invoiceNo: evidence[2]!, entryId: evidence[3]! };
      const reasons = await db.transaction().execute(async (trx) => {
        const repo = createForexRepository(trx);
        if (await repo.settlementExists(institution, input.refNo))
          throw new DomainError(
            'forex.duplicate',
            { zh: '该结算流水号已报送', en: 'this settlement refNo was already reported' },
            { refNo: input.refNo },
          );
        const found = (
          await lookUpEvidence(trx, [
            {
              id,
              orgId: ebc!.id,
              codes: [ebc!.customs_code, ebc!.uscc].filter((c): c is string => !!c),
              orderNo: named.orderNo,
              entryId: named.entryId,
            },
          ])
        ).get(id)!;
        const now = clock.now();
        await repo.insertSettlement({
          id,
          institution_org_id: me.orgId,
          institution_code: institution,
          ebc_org_id: ebc!.id,
          ebc_code: input.ebcCode,
          jurisdiction: ebc!.jurisdiction,
          ref_no: input.refNo,
          amount: input.amount,
          settled_on: input.settledOn,
          contract_no: evidence[0]!,
          order_no: evidence[1]!,
          invoice_no: evidence[2]!,
          entry_id: evidence[3]!,
          created_at: now,
          order_found: found.orderFound,
          entry_found: found.entryFound,
          evidence_checked_at: now,
        });
        await audit.append(trx, actorOf(p), [
          { action: 'forex.rmb_settlement', entity: 'fx_rmb_settlement', entityId: id, after: { ...input, ...found } },
        ]);
        return evidenceProblems({ ...named, ...found });
      });
      return { id, lacksEvidence: reasons.length > 0, reasons };
    },

    /**
     * The central bank's desk: RMB settlements naming no contract, order, invoice or declaration,
     * or naming an order or declaration the platform does not hold for the enterprise. Those not
     * found before are looked up again (the declaration may have been formed since), set-based,
     * and what was found is stored.
     */
    async settlementsLackingEvidence(p: Principal | null): Promise<SettlementLackingEvidence[]> {
      requirePermission(p, 'pboc.review');
      const prefix = agencyPrefix(p, 'pboc');
      const rows = await createForexRepository(db).settlementsLackingEvidence(prefix, 500);
      const again = rows.filter((r) => (r.order_no && r.order_found !== true) || (r.entry_id && r.entry_found !== true));
      if (again.length) {
        const orgs = await organisationDirectory(db).byCodes([...new Set(again.map((r) => r.ebc_code))]);
        const codesOf = new Map(orgs.map((o) => [o.id, [o.customs_code, o.uscc].filter((c): c is string => !!c)]));
        const found = await lookUpEvidence(
          db,
          again.map((r) => ({
            id: r.id,
            orgId: r.ebc_org_id,
            codes: codesOf.get(r.ebc_org_id) ?? [r.ebc_code],
            orderNo: r.order_no,
            entryId: r.entry_id,
          })),
        );
        await createForexRepository(db).setSettlementEvidence(
          again.map((r) => ({ id: r.id, ...found.get(r.id)! })),
          clock.now(),
        );
        for (const r of again)
          Object.assign(r, { order_found: found.get(r.id)!.orderFound, entry_found: found.get(r.id)!.entryFound });
      }
      return rows.flatMap((r) => {
        const reasons = evidenceProblems({
          contractNo: r.contract_no,
          orderNo: r.order_no,
          invoiceNo: r.invoice_no,
          entryId: r.entry_id,
          orderFound: r.order_found ?? null,
          entryFound: r.entry_found ?? null,
        });
        return reasons.length
          ? [
              {
                id: r.id,
                institutionCode: r.institution_code,
                ebcCode: r.ebc_code,
                refNo: r.ref_no,
                amount: r.amount,
                settledOn: r.settled_on,
                contractNo: r.contract_no,
                orderNo: r.order_no,
                invoiceNo: r.invoice_no,
                entryId: r.entry_id,
                reasons,
              },
            ]
          : [];
      });
    },
  };
}
