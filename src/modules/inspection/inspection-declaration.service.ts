import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { createInspectionRepository, type DeclarationRow, type DeclaredParcelRow } from './inspection.repository.ts';
import { actsFor } from './rules/authority.rules.ts';

const DECLARATION = { zh: '集中申报单', en: 'centralised declaration' };

function prefixOf(p: Principal): string | null {
  if (isAdmin(p)) return null;
  return jurisdictionPrefix(p.organisation?.jurisdiction ?? null) ?? '\u0000';
}

export function toDeclarationView(d: DeclarationRow) {
  return {
    id: d.id,
    declarationNo: d.declaration_no,
    enterpriseCode: d.enterprise_code,
    customsCode: d.customs_code,
    day: d.day,
    parcelCount: d.parcel_count,
    status: d.status,
    supervisedAt: d.supervised_at ? new Date(d.supervised_at).toISOString() : null,
    updatedAt: new Date(d.updated_at).toISOString(),
  };
}

const toParcelView = (r: DeclaredParcelRow) => ({
  inventoryId: r.inventory_id,
  logisticsNo: r.logistics_no,
  lane: r.lane,
  withdrawn: r.withdrawn_at !== null,
  lines: r.lines,
});

export type InspectionDeclarationService = ReturnType<typeof createInspectionDeclarationService>;

/**
 * Centralised declaration and supervision (集中申报、集中监管): the declarations are built by the
 * outbox handler; the inspection authority reads them and marks a day's batch supervised.
 */
export function createInspectionDeclarationService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;

  async function visible(p: Principal, id: string, lock = false, exec = createInspectionRepository(db)) {
    const d = await exec.declaration(id, lock);
    const prefix = prefixOf(p);
    if (!d || (prefix !== null && !d.customs_code.startsWith(prefix))) throw notFound(DECLARATION);
    return d;
  }

  return {
    async list(p: Principal | null, opts: { day?: string; limit?: number } = {}) {
      requirePermission(p, 'inspection.read');
      if (opts.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.day))
        throw validationError([
          { field: 'day', rule: 'format', message: { zh: '日期格式为 yyyy-mm-dd', en: 'the day is yyyy-mm-dd' } },
        ]);
      const rows = await createInspectionRepository(db).listDeclarations({
        customsPrefix: prefixOf(p),
        ...(opts.day ? { day: opts.day } : {}),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
      });
      return rows.map(toDeclarationView);
    },

    async get(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.read');
      const repo = createInspectionRepository(db);
      const d = await visible(p, id, false, repo);
      return { ...toDeclarationView(d), parcels: (await repo.declaredParcels(d.id)).map(toParcelView) };
    },

    /**
     * The inspection officer at the supervision centre has supervised the day's batch: an act of the
     * inspection authority (ADR 0025), not of a customs officer, whichever set-up.
     */
    async supervise(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.work');
      if (!actsFor(p, 'inspection')) throw forbidden();
      const updated = await db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const d = await visible(p, id, true, repo);
        if (d.status === 'supervised')
          throw new DomainError('inspection.invalid_state', {
            zh: `集中申报单 ${d.declaration_no} 已监管`,
            en: `declaration ${d.declaration_no} is already supervised`,
          });
        const now = clock.now();
        await repo.superviseDeclaration(d.id, p.userId, now);
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.declaration.supervise',
            entity: 'insp_declaration',
            entityId: d.id,
            before: { status: d.status },
            after: { status: 'supervised', parcels: d.parcel_count },
          },
        ]);
        return (await repo.declaration(d.id))!;
      });
      return {
        ...toDeclarationView(updated),
        parcels: (await createInspectionRepository(db).declaredParcels(id)).map(toParcelView),
      };
    },
  };
}
