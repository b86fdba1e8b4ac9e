import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, validationError } from '../../kernel/errors.ts';
import { actorOf, isAdmin, requirePermission, type Principal } from '../identity/index.ts';
import { parseCsv } from '../forex/index.ts';
import {
  checkRateTable,
  dayProblems,
  jurisdictionOf,
  ruleVersionProblems,
  type RuleVersionInput,
} from './rules/tax-config.rules.ts';
import { versionOn } from './tax.refunds.ts';
import { createTaxRepository, type RateVersionSummary } from './tax.repository.ts';
import type { TaxRuleVersionRow } from './tax.tables.ts';

/**
 * Tax rules and refund rates as versioned data, kept by tax officers (every change audited): the
 * 无票免税 rule (财税〔2018〕103号) with its pilot zones and their customs, and the refund-rate
 * tables (出口退税率文库) imported by CSV. A declaration is judged by the versions in force on its
 * exit day. A version already in force is never replaced (a past month replays as it was judged):
 * a change is a new version.
 */
export interface RuleVersionView {
  /** the customs district or office whose own version it is; null: the national rule */
  jurisdiction: string | null;
  effectiveFrom: string;
  noInvoiceExemption: { enabled: boolean; pilotZones: { zone: string; customs: string[] }[] };
  note: string;
  updatedAt: string;
  /** the version in force today in its jurisdiction */
  current: boolean;
}

export interface RateVersionView {
  version: string;
  effectiveFrom: string;
  source: string;
  rows: number;
  excluded: number;
  updatedAt: string;
  current: boolean;
}

export interface RateImportInput {
  version: string;
  effectiveFrom: string;
  source: string;
  csv: string;
}

const cstToday = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

const ruleView = (r: TaxRuleVersionRow, current: boolean): RuleVersionView => ({
  jurisdiction: r.jurisdiction || null,
  effectiveFrom: r.effective_from,
  noInvoiceExemption: { enabled: r.no_invoice_enabled, pilotZones: r.pilot_zones },
  note: r.note,
  updatedAt: r.updated_at.toISOString(),
  current,
});

const rateView = (r: RateVersionSummary, current: boolean): RateVersionView => ({
  version: r.version,
  effectiveFrom: r.effective_from,
  source: r.source,
  rows: r.rows,
  excluded: r.excluded,
  updatedAt: r.updated_at.toISOString(),
  current,
});

/** Each version whether it is the one in force on `day` in its own jurisdiction. */
function currentInJurisdiction(rows: readonly TaxRuleVersionRow[], day: string): Set<TaxRuleVersionRow> {
  const out = new Set<TaxRuleVersionRow>();
  for (const j of new Set(rows.map((r) => r.jurisdiction))) {
    const v = versionOn(
      rows.filter((r) => r.jurisdiction === j),
      day,
    );
    if (v) out.add(v);
  }
  return out;
}

/** The audit entity id of a rule version: its date (national), or jurisdiction/date. */
const ruleEntityId = (jurisdiction: string, effectiveFrom: string): string =>
  jurisdiction ? `${jurisdiction}/${effectiveFrom}` : effectiveFrom;

const inForce = (what: { zh: string; en: string }, day: string) =>
  new DomainError('tax.conflict', {
    zh: `${what.zh}自${day}起已生效，不能替换：请另建一个新的生效日期的版本`,
    en: `${what.en} has been in force since ${day} and cannot be replaced: enter a new version with its own effective date`,
  });

export function createTaxRulesService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;

  /** Tax officers (any jurisdiction: the rules are national) and the administrator. */
  function officer(p: Principal): void {
    if (isAdmin(p)) return;
    const org = p.organisation;
    if (!org || org.kind !== 'agency' || !org.roles.includes('tax')) throw forbidden();
  }

  return {
    async listRules(p: Principal | null): Promise<RuleVersionView[]> {
      requirePermission(p, 'tax.review');
      officer(p);
      const rows = await createTaxRepository(db).ruleVersions();
      const current = currentInJurisdiction(rows, cstToday(clock.now()));
      return rows.map((r) => ruleView(r, current.has(r)));
    },

    /**
     * Enters the version of the 无票免税 rule in force from `effectiveFrom` in its jurisdiction (a
     * customs district or office; none: the national rule); a future one may be replaced.
     */
    async putRule(p: Principal | null, effectiveFrom: string, input: RuleVersionInput): Promise<RuleVersionView> {
      requirePermission(p, 'tax.review');
      officer(p);
      const problems = ruleVersionProblems(effectiveFrom, input);
      if (problems.length) throw validationError(problems);
      const today = cstToday(clock.now());
      const jurisdiction = jurisdictionOf(input);
      return db.transaction().execute(async (trx) => {
        const repo = createTaxRepository(trx);
        const row: TaxRuleVersionRow = {
          jurisdiction,
          effective_from: effectiveFrom,
          no_invoice_enabled: input.noInvoiceExemption.enabled,
          pilot_zones: input.noInvoiceExemption.pilotZones.map((z) => ({ zone: z.zone, customs: [...z.customs] })),
          note: input.note,
          updated_by: p.userId,
          updated_at: clock.now(),
        };
        const before = await repo.upsertRuleVersion(row);
        if (before && before.effective_from <= today)
          throw inForce(
            jurisdiction
              ? {
                  zh: `海关${jurisdiction}的无票免税规则版本`,
                  en: `customs ${jurisdiction}'s version of the no-invoice exemption rule`,
                }
              : { zh: '无票免税规则版本', en: 'this version of the no-invoice exemption rule' },
            before.effective_from,
          );
        const own = (await repo.ruleVersions()).filter((r) => r.jurisdiction === jurisdiction);
        const view = ruleView(row, versionOn(own, today)?.effective_from === effectiveFrom);
        await audit.append(trx, actorOf(p), [
          {
            action: 'tax.rule_version',
            entity: 'tax_rule_version',
            entityId: ruleEntityId(jurisdiction, effectiveFrom),
            before: before ? ruleView(before, false) : null,
            after: view,
          },
        ]);
        return view;
      });
    },

    async listRates(p: Principal | null): Promise<RateVersionView[]> {
      requirePermission(p, 'tax.review');
      officer(p);
      const rows = await createTaxRepository(db).rateVersions();
      const current = versionOn(rows, cstToday(clock.now()));
      return rows.map((r) => rateView(r, r === current));
    },

    /**
     * Imports a refund-rate table as a version, all or nothing: any bad row refuses the file with
     * every row's problems (nothing stored). A version of that name not yet in force is replaced.
     */
    async importRates(p: Principal | null, input: RateImportInput): Promise<RateVersionView> {
      requirePermission(p, 'tax.review');
      officer(p);
      const problems = [...dayProblems('effectiveFrom', input.effectiveFrom)];
      if (!/^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/.test(input.version))
        problems.push({
          field: 'version',
          rule: 'format',
          message: {
            zh: '版本名为1至40位字母、数字、点、下划线或连字符',
            en: 'version is 1 to 40 letters, digits, dots, underscores or hyphens',
          },
          value: input.version,
        });
      if (!input.source.trim())
        problems.push({
          field: 'source',
          rule: 'required',
          message: { zh: '须注明退税率的来源文件', en: 'source (the rate file or notice) is required' },
        });
      const table = checkRateTable(parseCsv(input.csv));
      if ('problems' in table) problems.push(...table.problems);
      if (problems.length || 'problems' in table) throw validationError(problems);
      const today = cstToday(clock.now());
      return db.transaction().execute(async (trx) => {
        const repo = createTaxRepository(trx);
        const clash = (await repo.rateVersions()).find(
          (v) => v.effective_from === input.effectiveFrom && v.version !== input.version,
        );
        if (clash)
          throw new DomainError(
            'tax.conflict',
            {
              zh: `退税率版本${clash.version}已于${clash.effective_from}生效，同一日期只能有一个版本`,
              en: `rate version ${clash.version} already takes effect on ${clash.effective_from}: one version per date`,
            },
            { version: clash.version },
          );
        const before = await repo.replaceRateVersion(
          {
            version: input.version,
            effective_from: input.effectiveFrom,
            source: input.source.trim(),
            updated_by: p.userId,
            updated_at: clock.now(),
          },
          table.rows,
        );
        if (before && before.effective_from <= today)
          throw inForce({ zh: `退税率版本${before.version}`, en: `rate version ${before.version}` }, before.effective_from);
        const [stored] = await repo.rateVersions(input.version);
        const view = rateView(stored!, versionOn(await repo.rateVersions(), today)?.version === input.version);
        await audit.append(trx, actorOf(p), [
          {
            action: 'tax.rate_version',
            entity: 'tax_rate_version',
            entityId: input.version,
            before: before ? rateView(before, false) : null,
            after: view,
          },
        ]);
        return view;
      });
    },
  };
}

export type TaxRulesService = ReturnType<typeof createTaxRulesService>;
