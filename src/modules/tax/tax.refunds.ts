import { getCode, isWithinJurisdiction } from '../../codes/index.ts';
import type { Executor } from '../../kernel/db.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import { declarationProceeds, orderCoverage } from '../forex/index.ts';
import { summaryLookup, type DeclarationRecord } from '../summary/index.ts';
import {
  evaluateRefund,
  type RefundRates,
  type RefundVerdict,
  type TaxProfile,
  type TaxRuleConfig,
} from './rules/refund.rules.ts';
import { createTaxRepository } from './tax.repository.ts';
import type { TaxProfileRow, TaxRuleVersionRow } from './tax.tables.ts';

export interface RefundView {
  declarationId: string;
  applicationId: string;
  orgId: string;
  ebcCode: string;
  ebcName: string;
  period: string;
  entryId: string;
  declSeqNo: string;
  customsCode: string;
  declaredValue: Record<string, string>;
  /** CEB403 collections, matched bank / payment-institution receipts and RMB settlements together, each order once */
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

/** Sums per currency, exact, shown to the fen (half away from zero): the verdict compares the unrounded values. */
function display(parts: { currency: string; value: string }[]): Record<string, string> {
  const out: Record<string, bigint> = {};
  for (const x of parts) out[x.currency] = (out[x.currency] ?? 0n) + toScaled(x.value);
  // scaled by 10^5: to the fen is to a multiple of 1000
  const fen = (n: bigint): bigint => (n < 0n ? -fen(-n) : ((n + 500n) / 1000n) * 1000n);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromScaled(fen(v))]));
}

const declaredValue = (d: DeclarationRecord): Record<string, string> =>
  display(d.lines.map((l) => ({ currency: l.currency, value: l.totalPrice })));

/** The version in force on `day`: the latest one effective on or before it (none before the first). */
export function versionOn<T extends { effective_from: string }>(versions: readonly T[], day: string): T | undefined {
  let hit: T | undefined;
  for (const v of versions) if (v.effective_from <= day && (!hit || v.effective_from > hit.effective_from)) hit = v;
  return hit;
}

/** How specific a rule version's jurisdiction is: a customs office's own 2, a district's 1, the national rule 0. */
const specificity = (jurisdiction: string): number =>
  jurisdiction === '' ? 0 : getCode('customs', jurisdiction)?.level === 'district' ? 1 : 2;

/**
 * The version of the 无票免税 rule that judges a declaration through customs office `customsCode`
 * exiting on `day`: of the jurisdictions covering the office (the national rule, its district, the
 * office itself) that have a version in force on that day, the most specific one; its latest
 * version in force then. A district's or office's own versions thus take the national rule's
 * place there from the first one's effective date.
 */
export function ruleVersionFor(
  versions: readonly TaxRuleVersionRow[],
  day: string,
  customsCode: string,
): TaxRuleVersionRow | undefined {
  const covering = versions.filter((v) => v.jurisdiction === '' || isWithinJurisdiction(v.jurisdiction, customsCode));
  let best: TaxRuleVersionRow | undefined;
  for (const v of covering) {
    if (v.effective_from > day) continue;
    const cmp = best ? specificity(v.jurisdiction) - specificity(best.jurisdiction) : 1;
    if (cmp > 0 || (cmp === 0 && v.effective_from > best!.effective_from)) best = v;
  }
  return best;
}

/** A stored version of the 无票免税 rule as the refund rules read it; none in force: the rule does not apply. */
export const ruleConfigOf = (v: TaxRuleVersionRow | undefined): TaxRuleConfig =>
  v
    ? {
        version: v.effective_from,
        jurisdiction: v.jurisdiction || null,
        noInvoiceExemption: { enabled: v.no_invoice_enabled, pilotZones: v.pilot_zones },
      }
    : { version: null, noInvoiceExemption: { enabled: false, pilotZones: [] } };

/**
 * Declarations with their refund / exemption verdicts: the exporter's profile and purchase
 * records, and the rule and refund-rate versions in force on each exit day (read from the
 * database; `rules` overrides the rule versions, for tests).
 */
export async function evaluateDeclarations(
  exec: Executor,
  decls: DeclarationRecord[],
  rules?: TaxRuleConfig,
): Promise<RefundView[]> {
  if (!decls.length) return [];
  const repo = createTaxRepository(exec);
  const ruleVersions = rules ? [] : await repo.ruleVersions();
  const rateVersions = await repo.rateVersions();
  const rateVersionOf = new Map(decls.map((d) => [d.id, versionOn(rateVersions, d.exitDay)?.version ?? null]));
  const hits = await repo.ratesFor(
    decls.flatMap((d) => {
      const version = rateVersionOf.get(d.id);
      return version ? d.lines.map((l) => ({ version, gcode: l.gcode })) : [];
    }),
  );
  const ratesFor = (d: DeclarationRecord): RefundRates => {
    const version = rateVersionOf.get(d.id) ?? null;
    return {
      version,
      rateOf: (gcode) => {
        const hit = version ? hits.get(`${version}|${gcode}`) : undefined;
        if (!hit) return { kind: 'unknown' };
        return hit.excluded || hit.rate === null ? { kind: 'excluded' } : { kind: 'rate', rate: hit.rate };
      },
    };
  };
  const profiles = new Map((await repo.profiles([...new Set(decls.map((d) => d.orgId))])).map((r) => [r.org_id, r]));
  const purchases = await repo.purchases(decls.map((d) => d.id));
  // customs data: the closed inventories that fed each declaration; proceeds: every channel by order
  const differences = await summaryLookup(exec).customsDifferences(decls.map((d) => d.id));
  const proceedsOf = await declarationProceeds(exec, decls);
  return decls.map((d) => {
    const row = profiles.get(d.orgId);
    const got = proceedsOf.get(d.id) ?? { proceeds: [], orderValues: [], receivedBank: {}, lastBankReceiptDay: null };
    const verdict = evaluateRefund(
      toProfile(row),
      {
        entryId: d.entryId,
        exitDay: d.exitDay,
        customsCode: d.customsCode,
        lines: d.lines,
        customsDifferences: differences.get(d.id) ?? [],
        proceeds: got.proceeds,
        orderValues: got.orderValues,
        lastReceiptDay: d.lastReceiptDay,
        lastBankReceiptDay: got.lastBankReceiptDay,
        purchases: purchases
          .filter((x) => x.declaration_id === d.id)
          .map((x) => ({ lineNo: x.line_no, kind: x.kind, amountExclVat: x.amount_excl_vat })),
      },
      ratesFor(d),
      rules ?? ruleConfigOf(ruleVersionFor(ruleVersions, d.exitDay, d.customsCode)),
    );
    return {
      declarationId: d.id,
      applicationId: d.applicationId,
      orgId: d.orgId,
      ebcCode: d.ebcCode,
      ebcName: d.ebcName,
      period: d.period,
      entryId: d.entryId,
      declSeqNo: d.declSeqNo,
      customsCode: d.customsCode,
      declaredValue: declaredValue(d),
      received: display(
        Object.entries(orderCoverage(got.proceeds, got.orderValues))
          .filter(([, c]) => c.received !== '0')
          .map(([currency, c]) => ({ currency, value: c.received })),
      ),
      receivedCeb403: d.received,
      receivedBank: got.receivedBank,
      profileKnown: row !== undefined,
      verdict,
    };
  });
}

/** A declaration's electronic data for the tax bureau (报关单退税联): head, lines and the refund verdict. */
export interface RefundCopy {
  declarationId: string;
  entryId: string;
  declSeqNo: string;
  customsCode: string;
  ebcCode: string;
  ebcName: string;
  period: string;
  head: {
    trafMode: string;
    trafModeName: string;
    /** 运抵国 */
    arrivalCountry: string;
    arrivalCountryName: string;
    /** 出境关别 */
    exitPort: string;
    exitPortName: string;
    ownerCode: string;
    grossWeight: string;
    netWeight: string;
    inventoryCount: number;
    /** the real exit: the latest closing (899, on departure) among its inventories, China date and instant */
    exitDate: string | null;
    exitAt: string | null;
  };
  lines: {
    lineNo: number;
    gcode: string;
    gname: string;
    qty: string;
    unit: string;
    unitName: string;
    /** 最终目的国 */
    destinationCountry: string;
    destinationCountryName: string;
    currency: string;
    totalPrice: string;
    refundRate: string | null;
    estimate: string;
  }[];
  refund: {
    outcome: RefundVerdict['outcome'];
    estimate: string;
    deadline: string;
    rateVersion: string;
    ruleVersion: string;
    unmet: { id: string; reason: { zh: string; en: string } }[];
  };
}

const cstDay = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Refund copies of declarations, with their verdicts (`views`, evaluated by evaluateDeclarations). */
export async function refundCopies(
  exec: Executor,
  decls: readonly DeclarationRecord[],
  views: readonly RefundView[],
): Promise<RefundCopy[]> {
  const facts = await summaryLookup(exec).exitFacts(decls.map((d) => d.id));
  return decls.map((d) => {
    const f = facts.get(d.id);
    const v = views.find((x) => x.declarationId === d.id)!.verdict;
    return {
      declarationId: d.id,
      entryId: d.entryId,
      declSeqNo: d.declSeqNo,
      customsCode: d.customsCode,
      ebcCode: d.ebcCode,
      ebcName: d.ebcName,
      period: d.period,
      head: {
        trafMode: f?.trafMode ?? '',
        trafModeName: getCode('transport-mode', f?.trafMode ?? '')?.nameZh ?? '',
        arrivalCountry: f?.country ?? '',
        arrivalCountryName: getCode('country', f?.country ?? '')?.nameZh ?? '',
        exitPort: f?.portCode ?? '',
        exitPortName: getCode('customs', f?.portCode ?? '')?.nameZh ?? '',
        ownerCode: f?.ownerCode ?? '',
        grossWeight: f?.grossWeight ?? '0',
        netWeight: f?.netWeight ?? '0',
        inventoryCount: d.inventoryCount,
        exitDate: f?.exitAt ? cstDay(f.exitAt) : null,
        exitAt: f?.exitAt ? f.exitAt.toISOString() : null,
      },
      lines: d.lines.map((l) => {
        const extra = f?.lines.find((x) => x.lineNo === l.lineNo);
        const verdict = v.lines.find((x) => x.lineNo === l.lineNo);
        return {
          lineNo: l.lineNo,
          gcode: l.gcode,
          gname: l.gname,
          qty: l.qty,
          unit: extra?.unit ?? '',
          unitName: getCode('unit', extra?.unit ?? '')?.nameZh ?? '',
          destinationCountry: extra?.country ?? '',
          destinationCountryName: getCode('country', extra?.country ?? '')?.nameZh ?? '',
          currency: l.currency,
          totalPrice: l.totalPrice,
          refundRate: verdict?.rate ?? null,
          estimate: verdict?.estimate ?? '0',
        };
      }),
      refund: {
        outcome: v.outcome,
        estimate: v.estimate,
        deadline: v.deadline,
        rateVersion: v.rateVersion,
        ruleVersion: v.ruleVersion,
        unmet: [...v.refund, ...v.exemption]
          .filter((c) => !c.met && c.reason)
          .filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i)
          .map((c) => ({ id: c.id, reason: c.reason! })),
      },
    };
  });
}

/** One enterprise on the tax desk: its declarations, outcomes, estimated refund and unmet conditions. */
export interface EnterpriseRefundSummary {
  orgId: string;
  ebcCode: string;
  ebcName: string;
  declarations: number;
  outcomes: { refund: number; exemption: number; taxable: number };
  /** CNY, the sum of the refund estimates of its refund declarations */
  estimate: string;
  /** each unmet condition with the number of its declarations that miss it, most frequent first */
  unmet: { id: string; declarations: number; reason: { zh: string; en: string } }[];
}

export function enterpriseSummaries(views: readonly RefundView[]): EnterpriseRefundSummary[] {
  const fen = (v: string): bigint => {
    const [i, f = ''] = v.split('.');
    return BigInt(i || '0') * 100n + BigInt((f + '00').slice(0, 2));
  };
  const byOrg = new Map<string, RefundView[]>();
  for (const v of views) byOrg.set(v.orgId, [...(byOrg.get(v.orgId) ?? []), v]);
  return [...byOrg.values()]
    .map((mine) => {
      const unmet = new Map<string, { n: number; reason: { zh: string; en: string } }>();
      for (const v of mine) {
        const ids = new Set<string>();
        for (const c of [...v.verdict.refund, ...v.verdict.exemption])
          if (!c.met && c.reason && !ids.has(c.id)) {
            ids.add(c.id);
            unmet.set(c.id, { n: (unmet.get(c.id)?.n ?? 0) + 1, reason: unmet.get(c.id)?.reason ?? c.reason });
          }
      }
      const cents = mine.filter((v) => v.verdict.outcome === 'refund').reduce((a, v) => a + fen(v.verdict.estimate), 0n);
      return {
        orgId: mine[0]!.orgId,
        ebcCode: mine[0]!.ebcCode,
        ebcName: mine[0]!.ebcName,
        declarations: mine.length,
        outcomes: {
          refund: mine.filter((v) => v.verdict.outcome === 'refund').length,
          exemption: mine.filter((v) => v.verdict.outcome === 'exemption').length,
          taxable: mine.filter((v) => v.verdict.outcome === 'taxable').length,
        },
        estimate: `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`,
        unmet: [...unmet]
          .map(([id, x]) => ({ id, declarations: x.n, reason: x.reason }))
          .sort((a, b) => b.declarations - a.declarations || a.id.localeCompare(b.id)),
      };
    })
    .sort((a, b) => a.ebcCode.localeCompare(b.ebcCode));
}
