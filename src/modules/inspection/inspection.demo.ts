import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { organisationDirectory } from '../identity/index.ts';
import { createLedgerRepository } from './inspection-ledger.repository.ts';
import { createInspectionRepository, type FilingRow } from './inspection.repository.ts';

/**
 * The demo orange seller is filed with the inspection authority, enterprise and product, approved:
 * Gannan navel oranges are fresh fruit (a quarantine category), and a real exporter of them has its
 * orchards and packing house registered, so the ordinary demo orange parcels release. Declaring a
 * quarantine product that is not filed still holds the parcel. Idempotent.
 */
export const DEMO_INSPECTION_FILINGS = [
  {
    kind: 'enterprise' as const,
    enterpriseCode: '3601260999',
    itemNo: null,
    goodsName: null,
    quarantineCategory: null,
    producer: '赣州脐橙电商有限公司 包装厂（注册号 3600GZ0001）',
    certificates: [{ type: '出境水果包装厂注册 / packing house registration', number: '3600GZ0001', validUntil: '2028-12-31' }],
  },
  {
    kind: 'product' as const,
    enterpriseCode: '3601260999',
    itemNo: 'GZ-ORANGE-5KG',
    goodsName: '赣南脐橙 5 kg',
    quarantineCategory: 'fresh_fruit',
    producer: '赣州市安远县脐橙种植基地（果园注册号 3600GY0088）',
    certificates: [{ type: '出境水果果园注册 / orchard registration', number: '3600GY0088', validUntil: '2028-12-31' }],
  },
];

export const DEMO_BATCH_NO = 'GZ-2026-NAVEL-01';

export async function seedInspectionDemo(deps: { db: Db; clock: Clock; audit: AuditLog }): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const repo = createInspectionRepository(trx);
    const ids = await organisationDirectory(trx).idsByCodes(DEMO_INSPECTION_FILINGS.map((f) => f.enterpriseCode));
    const now = deps.clock.now();
    const added: string[] = [];
    for (const f of DEMO_INSPECTION_FILINGS) {
      const orgId = ids.get(f.enterpriseCode);
      if (!orgId || (await repo.filingByKey(f.enterpriseCode, f.itemNo))) continue;
      const row: FilingRow = {
        id: newId(),
        kind: f.kind,
        organisation_id: orgId,
        enterprise_code: f.enterpriseCode,
        item_no: f.itemNo,
        goods_name: f.goodsName,
        quarantine_category: f.quarantineCategory,
        producer: f.producer,
        certificates: f.certificates,
        status: 'approved',
        reason: null,
        submitted_at: now,
        reviewed_at: now,
        created_at: now,
        updated_at: now,
      };
      await repo.insertFiling(row);
      added.push(row.id);
    }
    // One season's batch of oranges declared centrally and accepted by the inspection authority,
    // so demo orange parcels draw on it.
    const orangeOrg = ids.get('3601260999');
    const ledger = createLedgerRepository(trx);
    if (orangeOrg && !(await ledger.batchNoTaken(DEMO_BATCH_NO))) {
      const id = newId();
      await ledger.insertBatch({
        id,
        batch_no: DEMO_BATCH_NO,
        organisation_id: orangeOrg,
        enterprise_code: '3601260999',
        item_no: 'GZ-ORANGE-5KG',
        unit: '035',
        declared_qty: '100000',
        status: 'accepted',
        created_at: now,
      });
      added.push(id);
    }
    if (added.length)
      await deps.audit.append(trx, SYSTEM_ACTOR, [
        { action: 'inspection.demo.seed', entity: 'insp_filing', after: { ids: added } },
      ]);
  });
}
