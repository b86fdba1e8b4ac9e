import type { Principal } from '../identity/index.ts';

/**
 * Release after a joint inspection goes through the clearance review path (one release logic),
 * wired in the composition root. `approve: false` rejects the inventory (100) with the reason.
 */
export interface ClearancePort {
  review(p: Principal, inventoryId: string, decision: { approve: boolean; reason?: string }): Promise<{ status: string }>;
  /** Customs status of live inventories by document id; a withdrawn (not live) one is absent. */
  statuses(inventoryIds: string[]): Promise<Map<string, string>>;
}
