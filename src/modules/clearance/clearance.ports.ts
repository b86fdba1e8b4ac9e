import type { CebMessage } from '../../ceb/index.ts';
import type { Executor } from '../../kernel/db.ts';
import type { Principal } from '../identity/index.ts';

/**
 * What clearance needs from other modules, as plain functions wired in the composition root:
 * clearance does not import filing or risk, and a later module can replace a port.
 */
export interface FilingPort {
  /** enterprise codes (customs code or USCC) among `codes` with an approved customs filing, with the roles it was filed for */
  filedEnterprises(exec: Executor, codes: string[]): Promise<Map<string, readonly string[]>>;
  /**
   * Filed and approved products among `pairs`, keyed `${ebcCode}|${itemNo}`, with what customs
   * filed that a declared line must repeat (HS code, first legal unit); a product not filed is absent
   */
  filedProducts(exec: Executor, pairs: { ebcCode: string; itemNo: string }[]): Promise<ReadonlyMap<string, FiledProduct>>;
}

/** Of a filed product, what an inventory line must declare alike (InventoryList gcode and unit1). */
export interface FiledProduct {
  hsCode: string;
  legalUnit1: string;
}

/** Signed declarations (issue 9): throws a DomainError when a required XML-DSig is missing or wrong. */
export interface SignaturePort {
  requireSignature(p: Principal, message: CebMessage, format: 'xml' | 'json', raw?: Buffer): Promise<void>;
}

export interface DirectoryPort {
  /** customs code or USCC → organisation id */
  idsByCodes(exec: Executor, codes: string[]): Promise<Map<string, string>>;
  /** DXP id (BaseSubscribe/dxpAddress) → organisation id */
  idsByDxpIds(exec: Executor, dxpIds: string[]): Promise<Map<string, string>>;
  /** every code an organisation is known by (customs code and USCC): messages may use either */
  codesOf(exec: Executor, orgId: string): Promise<string[]>;
}

/**
 * Summary declarations (issue 6): a CEB701 on the CEB endpoint is answered by the summary module.
 * One SummaryApply entity in, its CEB702 receipt and the CEB792 heads of the declarations formed out.
 */
export interface SummaryIntakePort {
  apply(
    p: Principal,
    head: Record<string, string>,
    invtNos: string[],
  ): Promise<{
    accepted: boolean;
    applicationId: string | null;
    ceb702: Record<string, string>;
    ceb792: Record<string, string>[];
    /** the consignor's organisation: its feed gets the CEB792 results too when an agent sent the CEB701 */
    consignorOrgId?: string | null;
  }>;
}
