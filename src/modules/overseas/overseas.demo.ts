import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createOverseasRepository } from './overseas.repository.ts';

/** The demo overseas provider's warehouse in Los Angeles and its service point there. */
export async function seedOverseasDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<void> {
  const [prov] = await organisationDirectory(deps.db).byCodes(['3601990100']);
  if (!prov) return;
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const repo = createOverseasRepository(trx);
    await repo.insertWarehouse({
      id: newId(),
      provider_org_id: prov.id,
      code: 'LAX-DEMO',
      name: '洛杉矶海外仓 / Los Angeles warehouse',
      country: 'US',
      city: 'Los Angeles',
      created_at: now,
    });
    if (!(await repo.points({ providerOrgId: prov.id })).length) {
      await repo.insertPoint({
        id: newId(),
        provider_org_id: prov.id,
        name: '赣商洛杉矶服务中心 / Ganshang LA service centre',
        country: 'US',
        city: 'Los Angeles',
        services: ['warehousing', 'customer_service', 'agent_operation'],
        contact: '+1-213-555-0188',
        description: '海外仓、退货处理、本地客服 / warehousing, returns, local customer service',
        active: true,
        created_at: now,
      });
    }
    await deps.audit.append(trx, SYSTEM_ACTOR, [
      { action: 'overseas.demo_seeded', entity: 'overseas_warehouse', entityId: null },
    ]);
  });
}
