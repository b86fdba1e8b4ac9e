import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createWarehouseRepository } from './warehouse.repository.ts';

/** Storage locations of the demo supervision centre (Nanchang): rows A and B, ten bays each. */
export async function seedWarehouseDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<number> {
  const [wh] = await organisationDirectory(deps.db).byCodes(['3601980077']);
  if (!wh) return 0;
  const rows = ['A', 'B'].flatMap((zone) =>
    Array.from({ length: 10 }, (_, i) => ({ warehouse_org_id: wh.id, code: `${zone}-${String(i + 1).padStart(2, '0')}`, zone })),
  );
  await deps.db.transaction().execute(async (trx) => {
    await createWarehouseRepository(trx).addLocations(rows);
    await deps.audit.append(trx, SYSTEM_ACTOR, [
      { action: 'warehouse.demo_seeded', entity: 'warehouse_location', entityId: wh.id, after: { locations: rows.length } },
    ]);
  });
  return rows.length;
}
