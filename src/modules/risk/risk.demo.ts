import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { createRiskCreditRepository } from './risk-credit.repository.ts';
import { CREDIT_OVERRIDE_DAYS } from './rules/credit.rules.ts';

/**
 * Demo sellers get credit level AA, whose seeded sampling rate is 0: ordinary demo parcels
 * release straight through, while real rule hits (vague names, undervaluation …) still hold
 * them. Having a credit record also means they are not first-time exporters. The override holds
 * a year, as one customs sets; a demo override that has expired is seeded again, one customs set
 * is left as it is (expired, the credit system's rating applies). Idempotent.
 */
export async function seedRiskDemo(
  deps: { db: Db; clock: Clock; audit: AuditLog },
  enterpriseCodes: readonly string[],
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const repo = createRiskCreditRepository(trx);
    const now = deps.clock.now();
    const have = await repo.creditOverrides([...enterpriseCodes]);
    const missing = enterpriseCodes.filter((c) => {
      const o = have.get(c);
      return !o || (o.source === 'demo' && o.valid_until.getTime() <= now.getTime());
    });
    if (missing.length === 0) return;
    const validUntil = new Date(now.getTime() + CREDIT_OVERRIDE_DAYS * 86_400_000);
    await repo.setCredit(
      missing.map((code) => ({ code, level: 'AA' as const, source: 'demo' as const, validUntil })),
      now,
    );
    await deps.audit.append(trx, SYSTEM_ACTOR, [
      { action: 'risk.demo.seed', entity: 'rsk_credit', after: { AA: missing, validUntil: validUntil.toISOString() } },
    ]);
  });
}
