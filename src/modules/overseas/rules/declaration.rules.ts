import type { FieldProblem } from '../../../kernel/errors.ts';
import { compareDecimals, fromScaled, toScaled } from '../../../kernel/decimal.ts';

/**
 * Checks the export declaration an overseas warehouse consignment names against the platform's
 * own customs records (issue 7). Pure: the service reads the candidates, this decides.
 *
 * - 9810 / 9610: the number must be an inventory (清单 invtNo, clearance) or a summary export
 *   declaration (报关单 entryId, summary) that the platform holds for this seller, of the same
 *   trade mode, and released by customs. Its release time is the one customs recorded: a typed
 *   release time is never used (customs wins; the typed value is kept beside it for the record).
 * - 0110 (general trade) is declared outside the platform: number and release time are taken as
 *   typed and the consignment is marked external (unverified).
 *
 * An unknown number and another seller's number get the same answer, so a provider cannot probe
 * which declarations exist.
 */

export const VERIFIED_MODES = ['9810', '9610'] as const;
export type ConsignmentMode = (typeof VERIFIED_MODES)[number] | '0110';

/** Statuses of an inventory whose goods customs released: released (800) and closed (899). */
export const RELEASED_STATUSES: readonly string[] = ['800', '899'];

export interface InventoryCandidate {
  id: string;
  ebcCode: string;
  tradeMode: string;
  status: string;
  releasedAt: Date | null;
}

export interface SummaryCandidate {
  id: string;
  inventoryIds: string[];
  orgId: string;
  ebcCode: string;
  tradeModes: string[];
  inventoryCount: number;
  releasedInventories: number;
  firstReleasedAt: Date | null;
}

export type VerifiedDeclaration =
  /** inventories: the released inventories (clearance document ids) the declaration covers */
  | { source: 'inventory' | 'summary'; ref: string; releasedAt: Date; inventories: string[] }
  | { source: 'external'; ref: null; releasedAt: Date; inventories: [] };

const bi = (zh: string, en: string) => ({ zh, en });

export function checkDeclaration(input: {
  declarationNo: string;
  tradeMode: ConsignmentMode;
  /** what the provider typed; required for 0110 only */
  typedReleasedAt: Date | null;
  seller: { id: string; codes: readonly string[] };
  inventory?: InventoryCandidate | undefined;
  summary?: SummaryCandidate | undefined;
}): { ok: VerifiedDeclaration } | { problem: FieldProblem } {
  const { declarationNo: no, tradeMode: mode, seller } = input;
  if (mode === '0110') {
    if (!input.typedReleasedAt)
      return {
        problem: {
          field: 'releasedAt',
          rule: 'required',
          message: bi(
            '一般贸易（0110）报关单在平台外申报，须填写放行时间',
            'a 0110 declaration is lodged outside the platform: give releasedAt',
          ),
        },
      };
    return { ok: { source: 'external', ref: null, releasedAt: input.typedReleasedAt, inventories: [] } };
  }
  const inv = input.inventory && seller.codes.includes(input.inventory.ebcCode) ? input.inventory : undefined;
  const sum =
    input.summary && (input.summary.orgId === seller.id || seller.codes.includes(input.summary.ebcCode))
      ? input.summary
      : undefined;
  if (!inv && !sum)
    return {
      problem: {
        field: 'declarationNo',
        rule: 'heldForSeller',
        message: bi(
          `平台没有该企业编号为 ${no} 的出口清单或报关单`,
          `the platform holds no export inventory or declaration ${no} of this seller`,
        ),
        value: no,
      },
    };
  const modes = inv ? [inv.tradeMode] : sum!.tradeModes;
  if (!modes.includes(mode))
    return {
      problem: {
        field: 'tradeMode',
        rule: 'declaredMode',
        message: bi(
          `${no} 的监管方式为 ${modes.join('、') || '—'}，与填写的 ${mode} 不符`,
          `${no} was declared under ${modes.join(', ') || '—'}, not ${mode}`,
        ),
        value: mode,
      },
    };
  const releasedAt = inv
    ? inv.releasedAt && RELEASED_STATUSES.includes(inv.status)
      ? inv.releasedAt
      : null
    : sum!.inventoryCount > 0 && sum!.releasedInventories === sum!.inventoryCount
      ? sum!.firstReleasedAt
      : null;
  if (!releasedAt)
    return {
      problem: {
        field: 'declarationNo',
        rule: 'released',
        message: bi(`${no} 尚未经海关放行`, `${no} has not been released by customs`),
        value: no,
      },
    };
  return inv
    ? { ok: { source: 'inventory', ref: inv.id, releasedAt, inventories: [inv.id] } }
    : { ok: { source: 'summary', ref: sum!.id, releasedAt, inventories: sum!.inventoryIds } };
}

/**
 * The goods a verified declaration carried, per SKU: the inventory lines' enterprise item number
 * (itemNo, 企业商品货号, the seller's SKU) with their declared quantity (qty, 成交数量) summed over
 * every inventory the declaration covers (one, or all that fed a summary declaration).
 */
export function declaredGoods(inventories: readonly { lines: readonly Record<string, string>[] }[]): Map<string, string> {
  // N19,5 decimals summed exactly as scaled integers (no float drift); a line whose quantity is not
  // a decimal counts for nothing (the check then errs on the side of refusing goods)
  const sums = new Map<string, bigint>();
  for (const inv of inventories)
    for (const l of inv.lines) {
      const sku = (l.itemNo ?? '').trim();
      if (!sku) continue;
      let qty: bigint;
      try {
        qty = toScaled(l.qty ?? '');
      } catch {
        continue;
      }
      sums.set(sku, (sums.get(sku) ?? 0n) + qty);
    }
  return new Map([...sums].map(([sku, q]) => [sku, fromScaled(q)]));
}

/**
 * What a consignment received against what its export declaration carried. Fewer units than
 * declared is a partial delivery (the rest may follow or be lost in transit) and passes; a SKU the
 * declaration does not carry, or more units than it declared, did not leave China under it and
 * must not enter a stock that sales trace back to that declaration.
 */
export function checkReceivedGoods(
  received: readonly { sku: string; qty: number; field: string }[],
  declared: ReadonlyMap<string, string>,
  declarationNo: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const r of received) {
    const d = declared.get(r.sku);
    if (d === undefined)
      problems.push({
        field: `${r.field}.sku`,
        rule: 'declared',
        message: bi(
          `${declarationNo} 未申报商品 ${r.sku}（申报的有 ${[...declared.keys()].join('、') || '—'}）`,
          `${declarationNo} declared no goods ${r.sku} (it declared ${[...declared.keys()].join(', ') || '—'})`,
        ),
        value: r.sku,
      });
    // declared quantities are decimals (up to 5 places), compared exactly; the ledger counts whole units
    else if (compareDecimals(String(r.qty), d) > 0)
      problems.push({
        field: `${r.field}.qty`,
        rule: 'withinDeclared',
        message: bi(
          `${r.sku} 入仓 ${r.qty}，超过 ${declarationNo} 申报的 ${d}`,
          `${r.sku}: ${r.qty} received, more than the ${d} declared under ${declarationNo}`,
        ),
        value: r.qty,
      });
  }
  return problems;
}
