import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db, Executor } from '../../kernel/db.ts';
import { DomainError, forbidden, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { clearanceLookup } from '../clearance/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import {
  checkReceipt,
  CSV_COLUMNS,
  csvShapeProblems,
  capMessage,
  matchReceipts,
  parseCsv,
  reconcile,
  type ReceiptInput,
  type ReceiptRow,
  type Reconciliation,
  type UnmatchedReceipt,
} from './rules/receipts.rules.ts';
import { evidenceProblems, type EvidenceProblem } from './rules/settlement-evidence.rules.ts';
import { declaredOrdersOf } from './forex.lookup.ts';
import { createForexRepository } from './forex.repository.ts';
import { checkCollections } from './collection.folder.ts';
import { createCollectionRepository, type OverCapRow } from './collection.repository.ts';

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

export interface PeriodReconciliation extends Reconciliation {
  /** bank / payment-institution receipts of the month matched by orderNo to a declaration */
  matchedReceipts: number;
  unmatchedReceipts: number;
  /** the first UNMATCHED_LISTED of them */
  unmatched: Omit<UnmatchedReceipt, 'orgId'>[];
  /** payment-institution receipts of the month (CEB403 or record) over the USD 50,000 cap, and their USD sum */
  overCapReceipts: number;
  overCapUsd: string;
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
  /** every receipt over the cap (count, USD sum) and the first OVER_CAP_LISTED of them, newest first */
  overCap: { receipts: number; usd: string; listed: OverCapReceipt[] };
}

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

const cstToday = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const MAX_ROWS = 10000;
const UNMATCHED_LISTED = 100;
const OVER_CAP_LISTED = 100;
/** The receipt columns, the optional accountNo (the account credited, for the FX settlement accounts) last. */
const RECEIPT_FIELDS = [...CSV_COLUMNS, 'accountNo'] as const;

/** One record as checkReceipt reads it: every field a trimmed string, absent ones empty. */
const receiptInput = (rec: Readonly<Record<string, string | undefined>>): ReceiptInput =>
  Object.fromEntries(RECEIPT_FIELDS.map((c) => [c, (rec[c] ?? '').trim()])) as unknown as ReceiptInput;

function sumBy(rows: { key: string; v: string }[]): Map<string, string> {
  const m = new Map<string, bigint>();
  for (const r of rows) {
    const [i, f = ''] = r.v.split('.');
    m.set(r.key, (m.get(r.key) ?? 0n) + BigInt(i || '0') * 100n + BigInt((f + '00').slice(0, 2)));
  }
  return new Map([...m].map(([k, n]) => [k, `${n / 100n}.${(n % 100n).toString().padStart(2, '0')}`]));
}

export function createForexService(deps: ForexServiceDeps) {
  const { db, clock, audit } = deps;

  async function ownCodes(
    p: Principal,
  ): Promise<{ orgId: string; codes: string[]; roles: string[]; jurisdiction: string | null }> {
    const org = p.organisation;
    if (!org || org.kind !== 'enterprise') throw forbidden();
    const o = await organisationDirectory(db).byId(org.id);
    return {
      orgId: org.id,
      codes: [o?.customs_code, o?.uscc].filter((c): c is string => !!c),
      roles: o?.roles ?? [],
      jurisdiction: o?.jurisdiction ?? null,
    };
  }

  function agencyPrefix(p: Principal, duty: 'forex' | 'pboc'): string {
    if (isAdmin(p)) return '';
    const org = p.organisation;
    if (!org || org.kind !== 'agency' || !org.roles.includes(duty)) throw forbidden();
    const prefix = jurisdictionPrefix(org.jurisdiction);
    if (prefix === null) throw forbidden();
    return prefix;
  }

  /** Declared (summary declarations) against received (CEB403 + bank/payment records), per period. */
  async function reconciliations(
    decls: DeclarationRecord[],
    orgIds: string[],
    names: ReadonlyMap<string, { ebcCode: string; ebcName: string }> = new Map(),
  ): Promise<EnterpriseReconciliation[]> {
    const repo = createForexRepository(db);
    const bank = await repo.receivedByPeriod(orgIds);
    // Over the payment institutions' cap, both channels: counted per exporter, month of receipt and currency.
    const overCap = await createCollectionRepository(db).overCap(orgIds);
    const capKey = (r: OverCapRow) => `${r.org_id}|${r.received_on.slice(0, 7)}|${r.currency}`;
    const capCount = new Map<string, number>();
    for (const r of overCap) capCount.set(capKey(r), (capCount.get(capKey(r)) ?? 0) + 1);
    const capUsd = sumBy(overCap.map((r) => ({ key: capKey(r), v: r.usd_amount })));
    // Per receipt: matched by orderNo to a declaration of the exporter, or listed as unmatched.
    const { matched, unmatched } = matchReceipts(await repo.receipts(orgIds), await declaredOrdersOf(db, decls));
    const keyOf = (r: { orgId: string; receivedOn: string; currency: string }) =>
      `${r.orgId}|${r.receivedOn.slice(0, 7)}|${r.currency}`;
    const matchedCount = new Map<string, number>();
    for (const m of matched) matchedCount.set(keyOf(m), (matchedCount.get(keyOf(m)) ?? 0) + 1);
    const open = new Map<string, UnmatchedReceipt[]>();
    for (const u of unmatched) {
      const list = open.get(keyOf(u));
      if (list) list.push(u);
      else open.set(keyOf(u), [u]);
    }
    const today = cstToday(clock.now());
    const out: EnterpriseReconciliation[] = [];
    for (const orgId of orgIds) {
      const mine = decls.filter((d) => d.orgId === orgId);
      const declared = sumBy(mine.flatMap((d) => d.lines.map((l) => ({ key: `${d.period}|${l.currency}`, v: l.totalPrice }))));
      const c403 = sumBy(mine.flatMap((d) => Object.entries(d.received).map(([cur, v]) => ({ key: `${d.period}|${cur}`, v }))));
      const viaBank = sumBy(
        bank.filter((b) => b.org_id === orgId).map((b) => ({ key: `${b.period}|${b.currency}`, v: b.amount })),
      );
      const mineOverCap = overCap.filter((r) => r.org_id === orgId);
      const capped = mineOverCap.map((r) => `${r.received_on.slice(0, 7)}|${r.currency}`);
      const keys = [...new Set([...declared.keys(), ...c403.keys(), ...viaBank.keys(), ...capped])].sort();
      out.push({
        orgId,
        ebcCode: mine[0]?.ebcCode ?? names.get(orgId)?.ebcCode ?? '',
        ebcName: mine[0]?.ebcName ?? names.get(orgId)?.ebcName ?? '',
        periods: reconcile(
          keys.map((k) => {
            const [period, currency] = k.split('|') as [string, string];
            return {
              period,
              currency,
              declared: declared.get(k) ?? '0',
              receivedCeb403: c403.get(k) ?? '0',
              receivedBank: viaBank.get(k) ?? '0',
            };
          }),
          today,
        ).map((rec) => {
          const k = `${orgId}|${rec.period}|${rec.currency}`;
          const list = open.get(k) ?? [];
          return {
            ...rec,
            matchedReceipts: matchedCount.get(k) ?? 0,
            unmatchedReceipts: list.length,
            unmatched: list.slice(0, UNMATCHED_LISTED).map(({ orgId: _org, ...u }) => u),
            overCapReceipts: capCount.get(k) ?? 0,
            overCapUsd: capUsd.get(k) ?? '0.00',
          };
        }),
        overCap: {
          receipts: mineOverCap.length,
          usd: sumBy(mineOverCap.map((r) => ({ key: '', v: r.usd_amount }))).get('') ?? '0.00',
          listed: mineOverCap.slice(0, OVER_CAP_LISTED).map((r) => ({
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
          })),
        },
      });
    }
    return out;
  }

  /**
   * Checks and stores receipt records (CSV rows or JSON items, each with the row number its errors
   * name). Good rows are stored; each bad row is answered with its problems and stores nothing.
   */
  async function importReceipts(
    p: Principal,
    me: Awaited<ReturnType<typeof ownCodes>>,
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
        if (g.r.overCap)
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
      return (await reconciliations(decls, [me.orgId]))[0]!;
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
      return reconciliations(decls, [...new Set([...decls.map((d) => d.orgId), ...names.keys()])], names);
    },

    /** A bank or payment institution records a cross-border RMB settlement with its evidence. */
    async recordSettlement(
      p: Principal | null,
      input: SettlementInput,
    ): Promise<{ id: string; lacksEvidence: boolean; reasons: EvidenceProblem[] }> {
      requirePermission(p, 'forex.submit');
      const me = await ownCodes(p);
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

export type ForexService = ReturnType<typeof createForexService>;
