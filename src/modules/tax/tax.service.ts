import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import {
  actorOf,
  isAdmin,
  jurisdictionPrefix,
  organisationDirectory,
  requirePermission,
  type Principal,
} from '../identity/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import type { TaxProfile, TaxRuleConfig } from './rules/refund.rules.ts';
import {
  enterpriseSummaries,
  evaluateDeclarations,
  refundCopies,
  toProfile,
  type EnterpriseRefundSummary,
  type RefundCopy,
  type RefundView,
} from './tax.refunds.ts';
import { createTaxRepository } from './tax.repository.ts';
import type { TaxPurchaseRow } from './tax.tables.ts';

export type { RefundView, RefundCopy, EnterpriseRefundSummary } from './tax.refunds.ts';

export interface TaxServiceDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  /** overrides the stored 无票免税 rule versions (tests); by default each declaration is judged by the version in force */
  rules?: TaxRuleConfig;
}

export interface PurchaseInput {
  lineNo: number;
  invoiceNo: string;
  kind: TaxPurchaseRow['kind'];
  amountExclVat: string;
}

const DECLARATION = { zh: '报关单', en: 'declaration' };

export function createTaxService(deps: TaxServiceDeps) {
  const { db, clock, audit } = deps;
  const rules = deps.rules;

  /** Tax officers read exporters of their jurisdiction (by the declaration's customs office). */
  function officerPrefix(p: Principal): string {
    if (isAdmin(p)) return '';
    const org = p.organisation;
    if (!org || org.kind !== 'agency' || !org.roles.includes('tax')) throw forbidden();
    const prefix = jurisdictionPrefix(org.jurisdiction);
    if (prefix === null) throw forbidden();
    return prefix;
  }

  const evaluate = (decls: DeclarationRecord[]): Promise<RefundView[]> => evaluateDeclarations(db, decls, rules);

  /** The seller's own declaration, or one of a tax officer's jurisdiction; anyone else: 404 / 403. */
  async function readableDeclaration(p: Principal, id: string): Promise<DeclarationRecord> {
    if (p.organisation?.kind === 'enterprise') return ownDeclaration(p, id);
    const [d] = await summaryLookup(db).declarations({ ids: [id], customsPrefix: officerPrefix(p), limit: 1 });
    if (!d) throw notFound(DECLARATION);
    return d;
  }

  async function ownDeclaration(p: Principal, id: string): Promise<DeclarationRecord> {
    const org = p.organisation;
    if (!org || org.kind !== 'enterprise') throw forbidden();
    const [d] = await summaryLookup(db).declarations({ ids: [id], orgId: org.id, limit: 1 });
    if (!d) throw notFound(DECLARATION);
    return d;
  }

  return {
    /** 我的退税: the seller's declarations with refund or exemption and the reasons. */
    async myRefunds(p: Principal | null, limit = 100): Promise<RefundView[]> {
      requirePermission(p, 'tax.refunds');
      const org = p.organisation;
      if (!org || org.kind !== 'enterprise') throw forbidden();
      return evaluate(await summaryLookup(db).declarations({ orgId: org.id, limit }));
    },

    /** The tax officer's desk: declarations of the jurisdiction with their eligibility. */
    async desk(p: Principal | null, limit = 200): Promise<RefundView[]> {
      requirePermission(p, 'tax.review');
      return evaluate(await summaryLookup(db).declarations({ customsPrefix: officerPrefix(p), limit }));
    },

    async refund(p: Principal | null, declarationId: string): Promise<RefundView> {
      requirePermission(p, 'tax.refunds');
      return (await evaluate([await readableDeclaration(p, declarationId)]))[0]!;
    },

    /**
     * 报关单退税联: the declaration's electronic data for the tax bureau — head and lines (goods,
     * quantities, units, destination, exit port, transport mode, weights), the real exit date, and
     * the refund verdict. The seller's own declarations; tax officers within their jurisdiction.
     */
    async refundCopy(p: Principal | null, declarationId: string): Promise<RefundCopy> {
      requirePermission(p, 'tax.refunds');
      const d = await readableDeclaration(p, declarationId);
      return (await refundCopies(db, [d], await evaluate([d])))[0]!;
    },

    /** The tax desk per enterprise: declarations, outcomes, refund estimate and unmet conditions. */
    async enterprises(p: Principal | null, limit = 2000): Promise<EnterpriseRefundSummary[]> {
      requirePermission(p, 'tax.review');
      return enterpriseSummaries(
        await evaluate(await summaryLookup(db).declarations({ customsPrefix: officerPrefix(p), limit })),
      );
    },

    /** The tax officer records an exporter's status (general taxpayer, qualification …). */
    async setProfile(p: Principal | null, orgId: string, input: TaxProfile): Promise<TaxProfile> {
      requirePermission(p, 'tax.review');
      const prefix = officerPrefix(p);
      const org = await organisationDirectory(db).byId(orgId);
      if (!org || org.kind !== 'enterprise' || !(org.jurisdiction ?? '').startsWith(prefix))
        throw notFound({ zh: '企业', en: 'enterprise' });
      if (input.pilotZone !== null && !/^\d{4}$/.test(input.pilotZone))
        throw validationError([
          {
            field: 'pilotZone',
            rule: 'format',
            message: { zh: '综试区应为4位地区代码', en: 'pilotZone is a 4-digit region code' },
          },
        ]);
      return db.transaction().execute(async (trx) => {
        const repo = createTaxRepository(trx);
        const [before] = await repo.profiles([orgId]);
        const row = await repo.upsertProfile({
          org_id: orgId,
          general_taxpayer: input.generalTaxpayer,
          refund_qualified: input.refundQualified,
          tax_registered: input.taxRegistered,
          trading_company: input.tradingCompany,
          pilot_zone: input.pilotZone,
          updated_by: p.userId,
          updated_at: clock.now(),
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'tax.profile',
            entity: 'tax_profile',
            entityId: orgId,
            before: before ? toProfile(before) : null,
            after: toProfile(row),
          },
        ]);
        return toProfile(row);
      });
    },

    /** The exporter's purchase invoices / vouchers of a declaration (replaces the set). */
    async recordPurchases(p: Principal | null, declarationId: string, items: PurchaseInput[]): Promise<RefundView> {
      requirePermission(p, 'tax.refunds');
      const d = await ownDeclaration(p, declarationId);
      const lineNos = new Set(d.lines.map((l) => l.lineNo));
      const problems: FieldProblem[] = [];
      items.forEach((it, i) => {
        if (!lineNos.has(it.lineNo))
          problems.push({
            field: `items[${i}].lineNo`,
            rule: 'exists',
            message: { zh: `报关单没有第${it.lineNo}项`, en: `the declaration has no line ${it.lineNo}` },
            value: it.lineNo,
          });
        if (!/^\d{1,15}(\.\d{1,2})?$/.test(it.amountExclVat) || Number(it.amountExclVat) <= 0)
          problems.push({
            field: `items[${i}].amountExclVat`,
            rule: 'decimal',
            message: {
              zh: '不含税金额须为大于0的金额（最多2位小数）',
              en: 'amountExclVat must be a positive amount with at most 2 decimals',
            },
            value: it.amountExclVat,
          });
      });
      const keys = items.map((it) => `${it.lineNo}|${it.invoiceNo}`);
      if (new Set(keys).size !== keys.length)
        problems.push({
          field: 'items',
          rule: 'unique',
          message: { zh: '同一项的发票号重复', en: 'an invoice number repeats on a line' },
        });
      if (problems.length) throw validationError(problems);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await createTaxRepository(trx).replacePurchases(
          declarationId,
          items.map((it) => ({
            declaration_id: declarationId,
            line_no: it.lineNo,
            invoice_no: it.invoiceNo,
            kind: it.kind,
            amount_excl_vat: it.amountExclVat,
            org_id: d.orgId,
            created_at: now,
          })),
        );
        await audit.append(trx, actorOf(p), [
          { action: 'tax.purchases', entity: 'summary_declaration', entityId: declarationId, after: { items } },
        ]);
      });
      return (await evaluate([d]))[0]!;
    },
  };
}

export type TaxService = ReturnType<typeof createTaxService>;
