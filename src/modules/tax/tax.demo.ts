import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createTaxRepository } from './tax.repository.ts';

/**
 * What the tax officer has recorded of the demo sellers, so the refund desk explains real verdicts
 * on first start: the porcelain trader is a refund-qualified general taxpayer; the orange seller
 * is a small-scale taxpayer in the Ganzhou pilot zone (无票免税). The refund rates of their HS
 * codes (6911/6913 at 13%, 0805 at 9%) are versioned data in rules/refund-rates.data.ts.
 */
export const DEMO_TAX_PROFILES = [
  {
    code: '3601260888',
    generalTaxpayer: true,
    refundQualified: true,
    taxRegistered: true,
    tradingCompany: true,
    pilotZone: null,
  },
  {
    code: '3601260999',
    generalTaxpayer: false,
    refundQualified: false,
    taxRegistered: true,
    tradingCompany: false,
    pilotZone: '3607',
  },
] as const;

export async function seedTaxDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<void> {
  const { db, clock, audit } = deps;
  const orgs = await organisationDirectory(db).byCodes(DEMO_TAX_PROFILES.map((p) => p.code));
  const byCode = new Map(orgs.flatMap((o) => [o.customs_code, o.uscc].filter((c): c is string => !!c).map((c) => [c, o.id])));
  await db.transaction().execute(async (trx) => {
    const repo = createTaxRepository(trx);
    const known = new Set((await repo.profiles([...byCode.values()])).map((r) => r.org_id));
    const entries = [];
    for (const p of DEMO_TAX_PROFILES) {
      const orgId = byCode.get(p.code);
      // A profile the tax officer has already recorded is theirs: the seed does not overwrite it.
      if (!orgId || known.has(orgId)) continue;
      await repo.upsertProfile({
        org_id: orgId,
        general_taxpayer: p.generalTaxpayer,
        refund_qualified: p.refundQualified,
        tax_registered: p.taxRegistered,
        trading_company: p.tradingCompany,
        pilot_zone: p.pilotZone,
        updated_by: null,
        updated_at: clock.now(),
      });
      entries.push({ action: 'tax.profile', entity: 'tax_profile', entityId: orgId, after: { ...p, demo: true } });
    }
    await audit.append(trx, SYSTEM_ACTOR, entries);
  });
}
