import type { Executor } from '../../kernel/db.ts';
import { createClearanceRepository } from './clearance.repository.ts';

/** What other modules may ask of clearance, batch-first. */
export function clearanceLookup(exec: Executor) {
  const repo = createClearanceRepository(exec);
  return {
    /** business keys (`ebpCode|orderNo`) among `keys` that have a live order (CEB303) */
    async liveOrderKeys(keys: string[]): Promise<Set<string>> {
      return new Set((await repo.liveByKeys('order', [...new Set(keys)])).map((d) => d.business_key));
    },
  };
}
