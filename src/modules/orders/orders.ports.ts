import type { CebMessage } from '../../ceb/index.ts';
import type { Principal } from '../identity/index.ts';

/** What one declared entity came back as (clearance intake's answer, per entity). */
export interface DeclaredEntity {
  index: number;
  accepted: boolean;
  documentId: string | null;
  returnStatus: string;
  returnInfo: string;
  invtNo?: string;
}

/**
 * How the orders module hands CEB messages to customs, wired in the composition root (orders
 * does not import clearance): `submit` to clearance intake, `asOrganisation` a principal acting
 * for an organisation — the CEB303 order of a seller's marketplace order is sent as the seller,
 * even when its broker declares the inventory; `initiator` is the caller whose request it serves —
 * and `declaredOrders` which orders already have a live CEB303 (pushed by their platform), so the
 * seller does not send them again. `requireUnsignedAllowed` refuses up front (signature module,
 * ADR 0018) when one of the organisations the platform will send unsigned JSON for has a
 * registered certificate and the initiator is not a person in the web UI.
 */
export interface DeclarePort {
  submit(
    p: Principal,
    message: CebMessage,
    requestId?: string,
  ): Promise<{ accepted: number; rejected: number; entities: DeclaredEntity[] }>;
  asOrganisation(orgId: string, initiator?: Principal): Promise<Principal>;
  requireUnsignedAllowed(initiator: Principal, orgIds: readonly string[]): Promise<void>;
  /** `${ebpCode}|${orderNo}` keys among `keys` that have a live CEB303 order document */
  declaredOrders(keys: string[]): Promise<Set<string>>;
}
