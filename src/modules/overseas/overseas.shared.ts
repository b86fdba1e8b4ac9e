import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { forbidden, validationError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Principal } from '../identity/index.ts';
import type { DeclarationSource, StockRow } from './overseas.repository.ts';

export interface OverseasDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}

export const bi = (zh: string, en: string) => ({ zh, en });

/** An overseas provider: an enterprise with the overseas role (warehouses, service points). */
export function providerOf(p: Principal): { id: string; name: string } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.includes('overseas')) throw forbidden();
  return { id: org.id, name: org.name };
}

/** A seller (or platform) exporting goods and asking for services. */
export function sellerOf(p: Principal): { id: string; name: string } {
  const org = p.organisation;
  if (!org || org.kind !== 'enterprise' || !org.roles.some((r) => r === 'ebc' || r === 'ebp')) throw forbidden();
  return { id: org.id, name: org.name };
}

/** What a reader sees of the ledger: a provider its warehouses', anyone else (a seller) its own. */
export function readScope(p: Principal): { providerOrgId: string } | { sellerOrgId: string } {
  const org = p.organisation;
  return org?.roles.includes('overseas') ? { providerOrgId: org.id } : { sellerOrgId: sellerOf(p).id };
}

export type Line = { sku: string; qty: number };

/** Whether the declaration was checked against the platform's customs records. */
export const isVerified = (s: DeclarationSource): boolean => s === 'inventory' || s === 'summary';

export const availableOf = (s: StockRow): number => s.qty_in + s.qty_returned - s.qty_reserved - s.qty_out - s.qty_to_china;

/** Units per SKU, SKUs in the order they first appear. */
export function qtyBySku(lines: readonly Line[]): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.qty);
  return bySku;
}

/** Request lines merged by trimmed SKU and sorted, so every write locks the SKUs in one order. */
export function checkLines(lines: Line[]): Line[] {
  const merged = qtyBySku(lines.map((l) => ({ sku: l.sku.trim(), qty: l.qty })));
  const bad = [...merged].filter(([sku, qty]) => !sku || !Number.isInteger(qty) || qty <= 0);
  if (!merged.size || bad.length)
    throw validationError([
      {
        field: 'lines',
        rule: 'positive',
        message: bi('每行须有 SKU 和正整数数量', 'each line needs a SKU and a positive whole quantity'),
      },
    ]);
  return [...merged].map(([sku, qty]) => ({ sku, qty })).sort((a, b) => a.sku.localeCompare(b.sku));
}

/** The kinds ovs_movement accepts (its check constraint, migration 003). */
export type MovementKind = 'in' | 'reserve' | 'out' | 'release' | 'return' | 'return_to_china' | 'unsold_to_china';

export interface Movement {
  id: string;
  warehouse_id: string;
  seller_org_id: string;
  sku: string;
  kind: MovementKind;
  qty: number;
  consignment_id: string | null;
  sale_id: string | null;
  customs_record_no: string | null;
  at: Date;
}

/**
 * One ledger row per line, all at `now`. `of` says whose stock moved and why (the sale, the lot,
 * the customs record); a line's own lot, when it has one, is the one traced.
 */
export function movementsOf(
  of: {
    warehouse_id: string;
    seller_org_id: string;
    sale_id?: string | null;
    consignment_id?: string | null;
    customs_record_no?: string | null;
  },
  lines: readonly { sku: string; qty: number; consignment_id?: string }[],
  kind: MovementKind,
  now: Date,
): Movement[] {
  return lines.map((l) => ({
    id: newId(),
    warehouse_id: of.warehouse_id,
    seller_org_id: of.seller_org_id,
    sku: l.sku,
    kind,
    qty: l.qty,
    consignment_id: l.consignment_id ?? of.consignment_id ?? null,
    sale_id: of.sale_id ?? null,
    customs_record_no: of.customs_record_no ?? null,
    at: now,
  }));
}
