import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createParksRepository } from './parks.repository.ts';

/**
 * A park, a distribution centre, a course, a matchmaking event and a support programme (once),
 * owned by the demo commerce department (`ownerOrgId`, 江西省商务厅): it manages them.
 */
export async function seedParksDemo(deps: { db: Db; clock: Clock; audit: AuditLog; ownerOrgId: string }): Promise<void> {
  const { db, clock, ownerOrgId } = deps;
  if ((await createParksRepository(db).parks()).length > 0) return;
  const now = clock.now();
  const day = (d: number, h: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d, h));
  const members = await organisationDirectory(db).byCodes(['3601260888', '3601960001']);
  await db.transaction().execute(async (trx) => {
    const repo = createParksRepository(trx);
    const park = randomUUID();
    await repo.insertPark({
      id: park,
      name: '南昌跨境电商综合试验区产业园',
      name_en: 'Nanchang CBEC Industrial Park',
      region: '36012',
      kind: 'park',
      address: '南昌市青山湖区',
      created_at: now,
      owner_org_id: ownerOrgId,
    });
    await repo.addMembers(
      park,
      members.map((m) => ({ id: m.id, code: m.customs_code ?? m.uscc })),
      now,
    );
    await repo.insertPark({
      id: randomUUID(),
      name: '赣州跨境电商区域分拨中心',
      name_en: 'Ganzhou regional distribution centre',
      region: '36079',
      kind: 'distribution_centre',
      address: '赣州综合保税区',
      created_at: now,
      owner_org_id: ownerOrgId,
    });
    await repo.insertOffering({
      id: randomUUID(),
      kind: 'course',
      title: '9610 出口申报实务',
      title_en: '9610 export declaration in practice',
      starts_at: day(14, 1),
      ends_at: day(14, 9),
      place: '南昌综合保税区 培训中心',
      capacity: 40,
      enrolled: 0,
      created_at: now,
      owner_org_id: ownerOrgId,
    });
    await repo.insertOffering({
      id: randomUUID(),
      kind: 'event',
      title: '景德镇陶瓷 跨境电商对接会',
      title_en: 'Jingdezhen ceramics CBEC matchmaking',
      starts_at: day(21, 1),
      ends_at: day(21, 6),
      place: '景德镇',
      capacity: 120,
      enrolled: 0,
      created_at: now,
      owner_org_id: ownerOrgId,
    });
    await repo.insertProgramme({
      id: randomUUID(),
      name: '跨境电商产业园入驻企业奖励',
      category: 'park',
      rules: JSON.stringify([
        { metric: 'parkMember', op: '=', value: 1 },
        { metric: 'creditLevelRank', op: '>=', value: 0 },
      ]),
      opens_on: `${now.getUTCFullYear()}-01-01`,
      closes_on: `${now.getUTCFullYear()}-12-31`,
      created_at: now,
      owner_org_id: ownerOrgId,
    });
    await deps.audit.append(trx, SYSTEM_ACTOR, [{ action: 'parks.seed_demo', entity: 'pk_park', entityId: park }]);
  });
}
