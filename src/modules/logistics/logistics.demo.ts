import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createLogisticsRepository } from './logistics.repository.ts';

/** The demo carrier's services (China Post EMS Jiangxi): postal lines and an express line. */
const DEMO_SERVICES = [
  {
    code: 'EMS',
    name: '国际 EMS / International EMS',
    kind: 'ems',
    countries: ['US', 'GB', 'DE', 'FR', 'JP', 'AU', 'CA'],
    transit_days: 7,
  },
  {
    code: 'RA',
    name: '国际航空挂号小包 / Registered air parcel',
    kind: 'air_registered',
    countries: ['US', 'GB', 'DE', 'FR', 'ES', 'IT'],
    transit_days: 15,
  },
  { code: 'EUB', name: 'e邮宝 / ePacket', kind: 'air_unregistered', countries: ['US', 'CA', 'AU'], transit_days: 12 },
  {
    code: 'RAIL-EU',
    name: '中欧班列拼箱 / China–Europe rail consolidation',
    kind: 'rail_consolidation',
    countries: ['DE', 'PL', 'NL'],
    transit_days: 20,
  },
];

export async function seedLogisticsDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<number> {
  const [carrier] = await organisationDirectory(deps.db).byCodes(['3601980012']);
  if (!carrier) return 0;
  return deps.db.transaction().execute(async (trx) => {
    const repo = createLogisticsRepository(trx);
    const now = deps.clock.now();
    for (const s of DEMO_SERVICES) {
      await repo.upsertService({ id: newId(), carrier_org_id: carrier.id, active: true, created_at: now, updated_at: now, ...s });
    }
    await deps.audit.append(trx, SYSTEM_ACTOR, [
      { action: 'logistics.demo_seeded', entity: 'logistics_service', entityId: null, after: { services: DEMO_SERVICES.length } },
    ]);
    return DEMO_SERVICES.length;
  });
}
