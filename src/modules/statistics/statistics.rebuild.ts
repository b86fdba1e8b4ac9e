import type { AuditLog } from '../../kernel/audit.ts';
import { SYSTEM_ACTOR } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError } from '../../kernel/errors.ts';
import { closedInventoryFactLines } from '../clearance/index.ts';
import { DIMENSION_DEFS, type Dimension } from './rules/dimensions.rules.ts';
import { createStatisticsRepository, type CubeFilter, type CubeTotals } from './statistics.repository.ts';

export interface RebuildResult {
  inventories: number;
  millis: number;
}

/** Steps of a rebuild, for a progress bar: 1 check rates, 2 clear, 3 mark folded, 4 inventory cube, 5 goods cube. */
export const REBUILD_STEPS = 5;

/**
 * Recomputes the statistics read model from every closed inventory with set-based SQL (one
 * INSERT … SELECT … GROUP BY per table) in one transaction: for inventories closed before the fold
 * existed, or after a rate correction. Idempotent, and equal to what the incremental fold gives
 * (tested); the truncate's lock makes a concurrent fold wait, and `stat_folded` makes it a no-op after.
 * Rates as in force now: a rebuild revalues what the fold had folded at older rates.
 */
export async function rebuildStatistics(
  db: Db,
  opts: { clock?: Clock; audit?: AuditLog; onProgress?: (step: number, total: number, label: string) => void } = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const now = opts.clock?.now() ?? new Date();
  const step = (n: number, label: string) => opts.onProgress?.(n, REBUILD_STEPS, label);
  const source = closedInventoryFactLines();
  const inventories = await db.transaction().execute(async (trx) => {
    const repo = createStatisticsRepository(trx);
    const missing = await repo.missingRates(source);
    if (missing.length)
      throw new DomainError(
        'statistics_rate_missing',
        {
          zh: `缺少汇率，无法折算：${missing.map((m) => `${m.currency}@${m.day}`).join('、')}`,
          en: `no exchange rate in force for: ${missing.map((m) => `${m.currency}@${m.day}`).join(', ')}`,
        },
        { missing },
      );
    step(1, 'rates');
    await repo.clearAll();
    step(2, 'clear');
    const n = await repo.markAllFolded(source, now);
    step(3, 'stat_folded');
    await repo.rebuildInventoryCube(source);
    step(4, 'stat_inventory_cube');
    await repo.rebuildGoodsCube(source);
    step(5, 'stat_goods_cube');
    await opts.audit?.append(trx, SYSTEM_ACTOR, [
      { action: 'statistics.rebuilt', entity: 'stat_inventory_cube', entityId: 'all', after: { inventories: n } },
    ]);
    return n;
  });
  return { inventories, millis: Date.now() - started };
}

/**
 * One statistics table straight from the cubes, without a caller's scope: for the CLI, benchmarks
 * and other modules' ports (callers scope). Filters as `CubeFilter` (dates required).
 */
export async function queryStatistics(
  db: Db,
  filters: CubeFilter & { by: Dimension; limit?: number },
): Promise<{ rows: CubeTotals[]; totals: Omit<CubeTotals, 'key'> }> {
  const { by, limit, ...f } = filters;
  const repo = createStatisticsRepository(db);
  const [rows, totals] = await Promise.all([repo.grouped(by, f, limit ?? 1000), repo.totals(f, DIMENSION_DEFS[by].goodsOnly)]);
  return { rows, totals };
}
