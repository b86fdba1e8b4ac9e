import type { Executor } from '../../kernel/db.ts';

/**
 * What clearance needs from other modules, as plain functions wired in the composition root:
 * clearance does not import filing or risk, and a later module can replace a port.
 */
export interface FilingPort {
  /** enterprise codes (customs code or USCC) among `codes` with an approved customs filing */
  filedEnterprises(exec: Executor, codes: string[]): Promise<Set<string>>;
  /** `${ebcCode}|${itemNo}` pairs among `pairs` that are filed and approved products */
  filedProducts(exec: Executor, pairs: { ebcCode: string; itemNo: string }[]): Promise<Set<string>>;
}

export interface DirectoryPort {
  /** customs code or USCC → organisation id */
  idsByCodes(exec: Executor, codes: string[]): Promise<Map<string, string>>;
  /** DXP id (BaseSubscribe/dxpAddress) → organisation id */
  idsByDxpIds(exec: Executor, dxpIds: string[]): Promise<Map<string, string>>;
  /** every code an organisation is known by (customs code and USCC): messages may use either */
  codesOf(exec: Executor, orgId: string): Promise<string[]>;
}
