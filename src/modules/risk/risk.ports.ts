import type { Executor } from '../../kernel/db.ts';
import type { CreditHistory } from './rules/credit.rules.ts';
import type { CreditLevel } from './rules/risk.rules.ts';

/**
 * What the risk engine reads from other modules, wired in the composition root: risk does not
 * import filing or inspection. Keys are `${ebcCode}|${itemNo}`.
 */
export interface RiskPorts {
  /** approved product filings: reference price (decimal string) and quarantine category */
  products(
    exec: Executor,
    pairs: { ebcCode: string; itemNo: string }[],
  ): Promise<Map<string, { referencePrice: string; currency: string; quarantineCategory: string | null }>>;
  /** products covered by an approved inspection & quarantine filing */
  inspectionFiled(exec: Executor, pairs: { ebcCode: string; itemNo: string }[]): Promise<Set<string>>;
  /** Inspection task status per inventory (open, passed, failed): the inspection hit rate per rule. */
  inspectionOutcomes(exec: Executor, inventoryIds: string[]): Promise<Map<string, string>>;
  /**
   * Per seller code as the documents name it (customs code or USCC): every code of its enterprise
   * (`codes`, the asked one among them; absent or just the asked one when no enterprise holds it),
   * the credit system's level (null when it has not rated the enterprise), whether it is on the
   * credit system's blacklist, and the filing and declaration history over all its codes a
   * provisional level is derived from. One batch, a fixed number of statements.
   */
  credit(
    exec: Executor,
    codes: string[],
  ): Promise<Map<string, { codes?: string[]; rated: CreditLevel | null; blacklisted: boolean; history: CreditHistory }>>;
  /**
   * The buyer (name and address) of each parcel's order where the seller imported it (orders
   * module), keyed `${ebcCode}|${ebpCode}|${orderNo}`; absent where there is none. Personal
   * data: the engine keeps only a fingerprint (rules/risk.rules.ts buyerFingerprint).
   */
  buyers(
    exec: Executor,
    orders: { ebcCode: string; ebpCode: string; orderNo: string }[],
  ): Promise<Map<string, { name: string; address: string }>>;
  /**
   * Draws quarantine lines on the seller's centrally declared batches (分批核销); answers the
   * `${inventoryId}|${gnum}` keys covered. A line no batch can cover is held.
   */
  drawOnBatches(
    exec: Executor,
    lines: { inventoryId: string; gnum: string; ebcCode: string; itemNo: string; qty: number }[],
  ): Promise<Set<string>>;
}

/** What the risk workbench and its follow-ups read from (and ask of) clearance. */
export interface ClearancePort {
  /** which of these inventories (by document id) are still held (300) */
  held(inventoryIds: string[]): Promise<Set<string>>;
  /**
   * Decides these inventories again with the risk engine, in the caller's transaction, where they
   * are still held (300) in the `hold` or `review` lane and no officer has decided them; clearance
   * compares the new lane with the one they waited in and applies it (green releases).
   */
  redecideHeld(exec: Executor, inventoryIds: string[]): Promise<void>;
  /** inventories (head and lines) by document id, for the dry run's replay */
  inventories(ids: string[]): Promise<Map<string, { head: Record<string, string>; lines: Record<string, string>[] }>>;
}
