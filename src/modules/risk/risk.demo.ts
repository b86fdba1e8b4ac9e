import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { createRiskRepository } from './risk.repository.ts';

/**
 * Demo sellers get credit level AA, whose seeded sampling rate is 0: ordinary demo parcels
 * release straight through, while real rule hits (vague names, undervaluation …) still hold
 * them. Having a credit record also means they are not first-time exporters. Idempotent.
 */
export async function seedRiskDemo(
  deps: { db: Db; clock: Clock; audit: AuditLog },
  enterpriseCodes: readonly string[],
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const repo = createRiskRepository(trx);
    const have = await repo.creditLevels([...enterpriseCodes]);
    const missing = enterpriseCodes.filter((c) => !have.has(c));
    if (missing.length === 0) return;
    await repo.setCredit(
      missing.map((code) => ({ code, level: 'AA' as const, source: 'demo' })),
      deps.clock.now(),
    );
    await deps.audit.append(trx, SYSTEM_ACTOR, [{ action: 'risk.demo.seed', entity: 'rsk_credit', after: { AA: missing } }]);
  });
}
