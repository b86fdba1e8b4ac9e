import { notFound } from '../../kernel/errors.ts';
import type { Principal } from '../identity/index.ts';
import { effectiveKeys, ruleSetById, ruleSetForPeriod } from './rules/summary.rulesets.ts';
import type { SummaryRepository } from './summary.repository.ts';
import type { Reminder } from './rules/deadline.rules.ts';
import { customsPrefixOf } from './summary.shared.ts';
import type { SummaryApplicationRow, SummaryDeclarationRow, SummaryLineRow } from './summary.tables.ts';

export interface DeclarationLineView {
  lineNo: number;
  key: Record<string, string>;
  gcode: string;
  gname: string;
  country: string;
  currency: string;
  unit: string;
  qty: string;
  totalPrice: string;
  sourceCount: number;
}

export interface DeclarationView {
  id: string | null;
  seq: number;
  declSeqNo: string | null;
  entryId: string | null;
  /** 申报海关 */
  customsCode: string;
  key: Record<string, string>;
  grossWeight: string;
  netWeight: string;
  inventoryCount: number;
  lines: DeclarationLineView[];
}

export interface SummaryPreview {
  period: string;
  ruleSet: { id: string; source: string };
  summaryFlag: '1' | '2';
  itemNameFlag: '1' | '';
  keys: { head: string[]; line: string[] };
  deadline: string;
  reminders: Reminder[];
  inventoryCount: number;
  lineCount: number;
  resultHash: string;
  declarations: DeclarationView[];
  /** A-type (simplified) inventories: statistics only, no declaration */
  statistics: { currency: string; inventories: number; value: string }[];
}

export interface SummaryApplicationView extends SummaryPreview {
  id: string;
  status: string;
  source: 'web' | 'ceb701';
  ebcCode: string;
  ebcName: string;
  guid: string;
  copNo: string;
  preNo: string;
  sumNo: string;
  customsCode: string;
  agentCode: string;
  declAgentCode: string;
  submittedAt: string;
}

export const trimDecimal = (v: string): string => (v.includes('.') ? v.replace(/\.?0+$/, '') : v);

export function applicationView(
  a: SummaryApplicationRow,
  decls: SummaryDeclarationRow[],
  lines: SummaryLineRow[],
  statistics: SummaryPreview['statistics'],
): SummaryApplicationView {
  const rs = ruleSetById(a.rule_set) ?? ruleSetForPeriod(a.period);
  const keys = effectiveKeys(rs, a.summary_flag, a.item_name_flag);
  const byDecl = new Map<string, DeclarationLineView[]>();
  for (const l of lines) {
    const list = byDecl.get(l.declaration_id) ?? [];
    list.push({
      lineNo: l.line_no,
      key: l.line_key,
      gcode: l.gcode,
      gname: l.gname,
      country: l.country,
      currency: l.currency,
      unit: l.unit,
      qty: trimDecimal(l.qty),
      totalPrice: trimDecimal(l.total_price),
      sourceCount: l.source_count,
    });
    byDecl.set(l.declaration_id, list);
  }
  return {
    id: a.id,
    status: a.status,
    source: a.source,
    ebcCode: a.ebc_code,
    ebcName: a.ebc_name,
    guid: a.guid,
    copNo: a.cop_no,
    preNo: a.pre_no,
    sumNo: a.sum_no,
    customsCode: a.customs_code,
    agentCode: a.agent_code,
    declAgentCode: a.decl_agent_code,
    submittedAt: a.submitted_at.toISOString(),
    period: a.period,
    ruleSet: { id: rs.id, source: rs.source },
    summaryFlag: a.summary_flag,
    itemNameFlag: a.item_name_flag,
    keys,
    deadline: a.deadline,
    reminders: [],
    inventoryCount: a.inventory_count,
    lineCount: a.line_count,
    resultHash: a.result_hash,
    declarations: decls.map((d) => ({
      id: d.id,
      seq: d.seq,
      declSeqNo: d.decl_seq_no,
      entryId: d.entry_id,
      customsCode: declarationOffice(a, d),
      key: d.head_key,
      grossWeight: trimDecimal(d.gross_weight),
      netWeight: trimDecimal(d.net_weight),
      inventoryCount: d.inventory_count,
      lines: byDecl.get(d.id) ?? [],
    })),
    statistics,
  };
}

/** 申报海关 of a declaration (one formed before the column existed: its application's office). */
export const declarationOffice = (a: SummaryApplicationRow, d: SummaryDeclarationRow): string => d.customs_code ?? a.customs_code;

/** An application with the declarations `p` may read (see readableApplication). */
export async function loadApplication(
  repo: SummaryRepository,
  p: Principal,
  a: SummaryApplicationRow | undefined,
): Promise<SummaryApplicationView> {
  const { application, declarations } = await readableApplication(p, repo, a);
  const lines = await repo.linesOf(declarations.map((d) => d.id));
  return applicationView(application, declarations, lines, []);
}

/**
 * Who may read an application and which of its declarations: its enterprise and the declaring
 * companies it names (all); customs, tax and forex officers those declarations lodged at their
 * office (申报海关), and the application only when there is one; admin all. Otherwise 404.
 */
export async function readableApplication(
  p: Principal,
  repo: Pick<SummaryRepository, 'declarationsOf'>,
  a: SummaryApplicationRow | undefined,
): Promise<{ application: SummaryApplicationRow; declarations: SummaryDeclarationRow[] }> {
  const missing = () => notFound({ zh: '汇总申请', en: 'summary application' });
  if (!a) throw missing();
  if (p.organisation?.kind === 'enterprise') {
    // The consignor, and the declaring company named in the application (it receives CEB792).
    const code = p.organisation.code;
    const named = code !== null && (code === a.agent_code || code === a.decl_agent_code);
    if (p.organisation.id !== a.org_id && !named) throw missing();
    return { application: a, declarations: await repo.declarationsOf([a.id]) };
  }
  const prefix = customsPrefixOf(p, ['customs', 'tax', 'forex']);
  if (prefix === undefined) throw missing();
  const declarations = (await repo.declarationsOf([a.id])).filter((d) => declarationOffice(a, d).startsWith(prefix));
  if (!declarations.length) throw missing();
  return { application: a, declarations };
}
