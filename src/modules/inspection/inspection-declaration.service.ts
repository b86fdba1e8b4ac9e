import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { fromScaled, toScaled } from '../../kernel/decimal.ts';
import { DomainError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import {
  createDeclarationRepository,
  type DeclarationRow,
  type DeclaredParcelRow,
  type SettingRow,
} from './inspection-declaration.repository.ts';
import { createLedgerRepository, type DrawRow } from './inspection-ledger.repository.ts';
import { declarationLifecycle, DECLARATION_GROUPINGS, type DeclarationGrouping } from './inspection.states.ts';
import { actsFor } from './rules/authority.rules.ts';
import { groupingFor } from './rules/declaration.rules.ts';

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
    grouping: d.grouping,
    billNo: d.bill_no,
    parcelCount: d.parcel_count,
    status: d.status,
    supervisedAt: d.supervised_at ? new Date(d.supervised_at).toISOString() : null,
    updatedAt: new Date(d.updated_at).toISOString(),
  };
}

/** A declared parcel, each quarantine line with the batch it drew on (分批核销), if any. */
const toParcelView = (r: DeclaredParcelRow, draws: DrawRow[]) => ({
  inventoryId: r.inventory_id,
  logisticsNo: r.logistics_no,
  lane: r.lane,
  withdrawn: r.withdrawn_at !== null,
  lines: r.lines.map((l) => {
    const d = draws.find((x) => x.inventory_id === r.inventory_id && x.gnum === l.gnum);
    return { ...l, batchNo: d?.batch_no ?? null, batchState: d?.state ?? null };
  }),
});

/**
 * The seller batches a declaration's parcels drew on, with the quantity per draw state. Quantities
 * are N19,5 decimals: summed exactly (kernel/decimal.ts), a float sum of 0.1-kg lines drifts.
 */
export function batchesOf(draws: DrawRow[]) {
  const out = new Map<string, { batchNo: string; itemNo: string; qty: Record<DrawRow['state'], bigint> }>();
  for (const d of draws) {
    const b = out.get(d.batch_no) ?? {
      batchNo: d.batch_no,
      itemNo: d.item_no,
      qty: { reserved: 0n, released: 0n, written_off: 0n, returned: 0n },
    };
    b.qty[d.state] += toScaled(d.qty);
    out.set(d.batch_no, b);
  }
  return [...out.values()].map((b) => ({
    batchNo: b.batchNo,
    itemNo: b.itemNo,
    reserved: fromScaled(b.qty.reserved),
    released: fromScaled(b.qty.released),
    writtenOff: fromScaled(b.qty.written_off),
    returned: fromScaled(b.qty.returned),
  }));
}

const toSettingView = (s: SettingRow | undefined, prefix: string, effective: DeclarationGrouping) => ({
  customsPrefix: prefix,
  declarationGrouping: s?.declaration_grouping ?? null,
  effectiveGrouping: effective,
  updatedAt: s ? new Date(s.updated_at).toISOString() : null,
});

export type InspectionDeclarationService = ReturnType<typeof createInspectionDeclarationService>;

/**
 * Centralised declaration and supervision (集中申报、集中监管): the declarations are built by the
 * outbox handler, grouped as the inspection authority set it (per enterprise and day, or per
 * enterprise and total-sub bill); the authority reads them and marks each supervised.
 */
export function createInspectionDeclarationService(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;

  async function visible(p: Principal, id: string, lock = false, repo = createDeclarationRepository(db)) {
    const d = await repo.declaration(id, lock);
    const prefix = prefixOf(p);
    if (!d || (prefix !== null && !d.customs_code.startsWith(prefix))) throw notFound(DECLARATION);
    return d;
  }

  async function detail(d: DeclarationRow) {
    const parcels = await createDeclarationRepository(db).declaredParcels(d.id);
    const draws = await createLedgerRepository(db).drawsOf(parcels.map((x) => x.inventory_id));
    return { ...toDeclarationView(d), parcels: parcels.map((x) => toParcelView(x, draws)), batches: batchesOf(draws) };
  }

  /** The jurisdiction an authority's setting is keyed by: '' for the operator (every office). */
  function settingPrefix(p: Principal): string {
    if (isAdmin(p)) return '';
    const prefix = jurisdictionPrefix(p.organisation?.jurisdiction ?? null);
    if (prefix === null) throw forbidden();
    return prefix;
  }

  async function settingOf(p: Principal) {
    const prefix = settingPrefix(p);
    const all = await createDeclarationRepository(db).settings();
    const effective = groupingFor(
      prefix,
      all.map((s) => ({ prefix: s.customs_prefix, grouping: s.declaration_grouping })),
    );
    return toSettingView(
      all.find((s) => s.customs_prefix === prefix),
      prefix,
      effective,
    );
  }

  return {
    async list(p: Principal | null, opts: { day?: string; limit?: number } = {}) {
      requirePermission(p, 'inspection.read');
      if (opts.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.day))
        throw validationError([
          { field: 'day', rule: 'format', message: { zh: '日期格式为 yyyy-mm-dd', en: 'the day is yyyy-mm-dd' } },
        ]);
      const rows = await createDeclarationRepository(db).listDeclarations({
        customsPrefix: prefixOf(p),
        ...(opts.day ? { day: opts.day } : {}),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
      });
      return rows.map(toDeclarationView);
    },

    async get(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.read');
      return detail(await visible(p, id));
    },

    /**
     * The inspection officer at the supervision centre has supervised the batch of parcels: an act
     * of the inspection authority (ADR 0025), not of a customs officer, whichever set-up. A record
     * of supervision: release and departure do not wait for it.
     */
    async supervise(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.work');
      if (!actsFor(p, 'inspection')) throw forbidden();
      const updated = await db.transaction().execute(async (trx) => {
        const repo = createDeclarationRepository(trx);
        const d = await visible(p, id, true, repo);
        if (!declarationLifecycle.can(d.status, 'supervise'))
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
      return detail(updated);
    },

    /**
     * The officer's authority's setting: how parcels of its customs offices are grouped into
     * declarations (its own, if set, and the one in effect there: the longest prefix's).
     */
    async setting(p: Principal | null) {
      requirePermission(p, 'inspection.read');
      return settingOf(p);
    },

    /**
     * The inspection authority sets how its offices' parcels are declared from now on: per
     * enterprise and Beijing day (`day`), or per enterprise and total-sub bill (`bill`, the master
     * bill number the inventory names; a parcel without one is declared per day). Declarations
     * already made keep their parcels.
     */
    async putSetting(p: Principal | null, input: { declarationGrouping: string }) {
      requirePermission(p, 'inspection.work');
      if (!actsFor(p, 'inspection')) throw forbidden();
      if (!(DECLARATION_GROUPINGS as readonly string[]).includes(input.declarationGrouping))
        throw validationError([
          {
            field: 'declarationGrouping',
            rule: 'enum',
            message: {
              zh: '集中申报方式须为 day（每企业每日）或 bill（每企业每总分单）',
              en: 'declarationGrouping must be day (per enterprise and day) or bill (per enterprise and total-sub bill)',
            },
            value: input.declarationGrouping,
          },
        ]);
      const prefix = settingPrefix(p);
      const grouping = input.declarationGrouping as DeclarationGrouping;
      await db.transaction().execute(async (trx) => {
        const repo = createDeclarationRepository(trx);
        const before = (await repo.settings()).find((s) => s.customs_prefix === prefix);
        await repo.putSetting({
          customs_prefix: prefix,
          declaration_grouping: grouping,
          updated_by: p.userId,
          updated_at: clock.now(),
        });
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.setting.update',
            entity: 'insp_setting',
            entityId: prefix || '*',
            before: before ? { declarationGrouping: before.declaration_grouping } : null,
            after: { declarationGrouping: grouping },
          },
        ]);
      });
      return settingOf(p);
    },
  };
}
