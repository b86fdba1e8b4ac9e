import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { actorOf, organisationDirectory, requirePermission, type Principal } from '../identity/index.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { summaryLookup } from '../summary/index.ts';
import {
  checkReceipt,
  CSV_COLUMNS,
  csvShapeProblems,
  capMessage,
  parseCsv,
  type ReceiptInput,
  type ReceiptRow,
} from './rules/receipts.rules.ts';
import { agencyPrefix, ownEnterprise, type OwnEnterprise } from './forex.access.ts';
import { createForexRepository } from './forex.repository.ts';
import { reconciliations, type EnterpriseReconciliation } from './forex.reconciliation.ts';
import { createRmbSettlementService } from './rmb-settlement.service.ts';
import { checkCollections } from './collection.folder.ts';

export type { EnterpriseReconciliation, PeriodReconciliation } from './forex.reconciliation.ts';
export type { SettlementInput, SettlementLackingEvidence } from './rmb-settlement.service.ts';

export interface ForexServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export interface ImportOutcome {
  imported: number;
  rejected: number;
  errors: { row: number; problems: FieldProblem[] }[];
  /** imported rows of a payment institution over the USD 50,000 cap: stored with the finding */
  flagged: { row: number; refNo: string; usdAmount: string; message: { zh: string; en: string } }[];
}

const cstToday = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const MAX_ROWS = 10000;
/** The receipt columns, the optional accountNo (the account credited, for the FX settlement accounts) last. */
const RECEIPT_FIELDS = [...CSV_COLUMNS, 'accountNo'] as const;

/** One record as checkReceipt reads it: every field a trimmed string, absent ones empty. */
const receiptInput = (rec: Readonly<Record<string, string | undefined>>): ReceiptInput =>
  Object.fromEntries(RECEIPT_FIELDS.map((c) => [c, (rec[c] ?? '').trim()])) as unknown as ReceiptInput;

export function createForexService(deps: ForexServiceDeps) {
  const { db, clock, audit } = deps;

  const ownCodes = (p: Principal): Promise<OwnEnterprise> => ownEnterprise(db, p);

  /**
   * Checks and stores receipt records (CSV rows or JSON items, each with the row number its errors
   * name). Good rows are stored; each bad row is answered with its problems and stores nothing.
   */
  async function importReceipts(
    p: Principal,
    me: OwnEnterprise,
    inputs: { row: number; input: ReceiptInput }[],
  ): Promise<ImportOutcome> {
    const errors: ImportOutcome['errors'] = [];
    const flagged: ImportOutcome['flagged'] = [];
    const good: { row: number; r: ReceiptRow }[] = [];
    inputs.forEach(({ row, input }) => {
      const res = checkReceipt(row, input);
      if ('problems' in res) errors.push({ row, problems: res.problems });
      else if (!me.codes.includes(res.ok.institutionCode) && !me.codes.includes(res.ok.ebcCode))
        errors.push({
          row,
          problems: [
            {
              field: `rows[${row}].institutionCode`,
              rule: 'own',
              message: {
                zh: '只能报送本机构或本企业的收款记录',
                en: 'only records of your own institution or enterprise may be reported',
              },
            },
          ],
        });
      else good.push({ row, r: res.ok });
    });
    const exporters = new Map<string, { id: string; jurisdiction: string | null }>();
    for (const o of await organisationDirectory(db).byCodes([...new Set(good.map((g) => g.r.ebcCode))]))
      for (const c of [o.customs_code, o.uscc]) if (c) exporters.set(c, { id: o.id, jurisdiction: o.jurisdiction });
    return db.transaction().execute(async (trx) => {
      const repo = createForexRepository(trx);
      const seen = await repo.existingRefs(good.map((g) => ({ institution: g.r.institutionCode, refNo: g.r.refNo })));
      // A payment institution's record of a transaction it already declared as CEB403 (payNo) is
      // the same money: reconciliation counts CEB403 collections already.
      const collected = await clearanceLookup(trx).collectionRefs(
        good.map((g) => ({ payCode: g.r.institutionCode, payNo: g.r.refNo })),
      );
      const rows = [];
      const now = clock.now();
      for (const g of good) {
        const key = `${g.r.institutionCode}|${g.r.refNo}`;
        const exporter = exporters.get(g.r.ebcCode);
        const problem = !exporter
          ? { field: 'ebcCode', rule: 'known', zh: '电商企业未在平台登记', en: 'the e-commerce enterprise is not registered' }
          : collected.has(key)
            ? {
                field: 'refNo',
                rule: 'ceb403',
                zh: '该支付交易已通过收款单(CEB403)申报，不重复计入',
                en: 'this payment transaction was already declared as a CEB403 collection (payNo); not counted twice',
              }
            : seen.has(key)
              ? {
                  field: 'refNo',
                  rule: 'unique',
                  zh: '该机构的流水号已报送',
                  en: 'this refNo of the institution was already reported',
                }
              : null;
        if (problem) {
          errors.push({
            row: g.row,
            problems: [
              { field: `rows[${g.row}].${problem.field}`, rule: problem.rule, message: { zh: problem.zh, en: problem.en } },
            ],
          });
          continue;
        }
        seen.add(key);
        rows.push({
          id: newId(),
          org_id: exporter!.id,
          ebc_code: g.r.ebcCode,
          jurisdiction: exporter!.jurisdiction,
          institution_kind: g.r.institutionKind,
          institution_code: g.r.institutionCode,
          ref_no: g.r.refNo,
          order_no: g.r.orderNo,
          currency: g.r.currency,
          amount: g.r.amount,
          usd_amount: g.r.usdAmount,
          received_on: g.r.receivedOn,
          payer_name: g.r.payerName,
          account_no: g.r.accountNo || null,
          reported_by: me.orgId,
          created_at: now,
          over_cap: g.r.overCap,
          rate_version: g.r.rateVersion,
        });
        if (g.r.overCap && g.r.usdAmount !== null)
          flagged.push({ row: g.row, refNo: g.r.refNo, usdAmount: g.r.usdAmount, message: capMessage(g.r.usdAmount) });
      }
      await repo.insertReceipts(rows);
      if (rows.length)
        await audit.append(trx, actorOf(p), [
          {
            action: 'forex.receipts_import',
            entity: 'fx_receipt',
            after: { imported: rows.length, rejected: errors.length, overCap: flagged.map((f) => f.refNo) },
          },
        ]);
      errors.sort((a, b) => a.row - b.row);
      return { imported: rows.length, rejected: errors.length, errors, flagged };
    });
  }

  return {
    /**
     * Receipt records from a bank or payment institution (its own code in institutionCode) or
     * from the exporter (its own code in ebcCode), as CSV; errors name the spreadsheet row
     * (the header is row 1).
     */
    async importCsv(p: Principal | null, csv: string): Promise<ImportOutcome> {
      requirePermission(p, 'forex.submit');
      const me = await ownCodes(p);
      const table = parseCsv(csv);
      const header = table[0] ?? [];
      const shape = csvShapeProblems(header, table.length - 1, CSV_COLUMNS, MAX_ROWS);
      if (shape.length) throw validationError(shape);
      return importReceipts(
        p,
        me,
        table.slice(1).map((cells, i) => ({
          row: i + 2,
          input: receiptInput(Object.fromEntries(header.map((h, j) => [h, cells[j]]))),
        })),
      );
    },

    /** The same records as a JSON batch; errors name the item's index in `rows` (from 0). */
    async importJson(p: Principal | null, items: readonly Record<string, string | undefined>[]): Promise<ImportOutcome> {
      requirePermission(p, 'forex.submit');
      const me = await ownCodes(p);
      const shape = csvShapeProblems(CSV_COLUMNS, items.length, CSV_COLUMNS, MAX_ROWS);
      if (shape.length) throw validationError(shape);
      return importReceipts(
        p,
        me,
        items.map((item, i) => ({ row: i, input: receiptInput(item) })),
      );
    },

    /** The exporter's declared-vs-received by period and currency. */
    async myReconciliation(p: Principal | null): Promise<EnterpriseReconciliation> {
      requirePermission(p, 'forex.read');
      const me = await ownCodes(p);
      // CEB403 collections an earlier release copied unchecked are checked before they are read.
      if (me.codes.length) await checkCollections(db, clock.now(), { ebcCodes: me.codes });
      const decls = await summaryLookup(db).declarations({ orgId: me.orgId, limit: 5000 });
      return (await reconciliations(db, decls, [me.orgId], cstToday(clock.now())))[0]!;
    },

    /** The forex officer's desk: enterprise-level reconciliation of the jurisdiction. */
    async desk(p: Principal | null): Promise<EnterpriseReconciliation[]> {
      requirePermission(p, 'forex.review');
      const prefix = agencyPrefix(p, 'forex');
      // CEB403 collections an earlier release copied unchecked: their exporter (and so the
      // jurisdiction) is known only once checked.
      await checkCollections(db, clock.now());
      const decls = await summaryLookup(db).declarations({ customsPrefix: prefix, limit: 5000 });
      // Enterprises of the jurisdiction with receipts count too, declared or not: receipts without
      // any declaration are exactly what the desk must show (status undeclared).
      const withReceipts = await createForexRepository(db).receiptEnterprises(prefix);
      const directory = await organisationDirectory(db).byCodes([...new Set(withReceipts.map((r) => r.ebc_code))]);
      const byCode = new Map(directory.flatMap((o) => [o.customs_code, o.uscc].flatMap((c) => (c ? [[c, o] as const] : []))));
      const names = new Map<string, { ebcCode: string; ebcName: string }>();
      for (const r of withReceipts) {
        const o = byCode.get(r.ebc_code);
        // Rows stored before the jurisdiction was recorded are placed by the exporter's own.
        if (r.jurisdiction === null && !(o?.jurisdiction ?? '').startsWith(prefix)) continue;
        names.set(r.org_id, { ebcCode: o?.customs_code ?? r.ebc_code, ebcName: o?.name ?? '' });
      }
      const orgIds = [...new Set([...decls.map((d) => d.orgId), ...names.keys()])];
      return reconciliations(db, decls, orgIds, cstToday(clock.now()), names);
    },

    ...createRmbSettlementService(deps),
  };
}

export type ForexService = ReturnType<typeof createForexService>;
